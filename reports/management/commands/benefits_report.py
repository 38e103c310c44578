"""`python manage.py benefits_report --cohort N --output report.pdf [--suppress-below K]`.

Renders, synchronously, the benefits report PDF for cohorts 1..N (the same PDF the web app's job
renders). `--suppress-below K` overrides the small-number threshold for equality counts
(EQUALITY_SUPPRESS_BELOW); 0 shows every count.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.evidence import UnknownCohort, compute_evidence
from reports.render import render_pdf


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"--suppress-below must be a whole number, not {value!r}") from None
    if number < 0:
        raise CommandError("--suppress-below must be 0 or more")
    return number


class Command(BaseCommand):
    help = "Render the benefits realisation report for cohorts 1 to N as an A4 PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cohort", type=int, required=True, help="The latest cohort to cover.")
        parser.add_argument("--output", type=Path, required=True, help="The PDF file to write.")
        parser.add_argument(
            "--suppress-below",
            type=_non_negative,
            default=None,
            help="Show equality counts below K as <K (default: the EQUALITY_SUPPRESS_BELOW setting; 0 shows all).",
        )

    def handle(self, *args, cohort: int, output: Path, suppress_below: int | None, **options):
        if not output.parent.exists():
            raise CommandError(f"{output.parent}: no such folder")
        try:
            evidence = compute_evidence(cohort, suppress_below=suppress_below)
        except UnknownCohort:
            raise CommandError(
                f"There is no cohort {cohort}. Import the programme history or create the cohort first."
            ) from None
        pdf = render_pdf(evidence)
        # Write beside the target and rename, so a failed run never leaves half a PDF behind.
        fd, partial = tempfile.mkstemp(dir=output.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pdf)
            os.replace(partial, output)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"Wrote {output} ({len(pdf) // 1024} KB): cohorts 1 to {cohort}, "
            f"equality counts below {evidence.data.suppress_below} suppressed."
            if evidence.data.suppress_below
            else f"Wrote {output} ({len(pdf) // 1024} KB): cohorts 1 to {cohort}, no suppression."
        )
