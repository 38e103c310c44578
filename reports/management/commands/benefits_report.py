"""`python manage.py benefits_report --cohort N --output report.pdf [--suppress-below K]`.

Renders, synchronously, the benefits report for cohorts 1..N in the format the output's extension
names: `.pdf` (the A4 PDF), `.xlsx` (the evidence workbook) or `.html` (the self-contained page
the PDF is drawn from). The PDF and workbook are the very files the web app's report job stores,
made by the same functions with the same wording. `--suppress-below K` overrides the small-number
threshold for equality counts (EQUALITY_SUPPRESS_BELOW); 0 shows every count.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.evidence import Evidence, UnknownCohort, compute_evidence


def _pdf(evidence: Evidence, wording) -> bytes:
    from reports.render import render_pdf

    return render_pdf(evidence, wording=wording)


def _xlsx(evidence: Evidence, wording) -> bytes:
    from reports.xlsx import render_xlsx

    return render_xlsx(evidence)


def _html(evidence: Evidence, wording) -> bytes:
    from reports.render import render_html

    return render_html(evidence, wording=wording).encode("utf-8")


# The output's extension (in any case) -> what renders it.
FORMATS: dict[str, Callable[[Evidence, dict], bytes]] = {
    ".pdf": _pdf,
    ".xlsx": _xlsx,
    ".html": _html,
}


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"--suppress-below must be a whole number, not {value!r}") from None
    if number < 0:
        raise CommandError("--suppress-below must be 0 or more")
    return number


class Command(BaseCommand):
    help = (
        "Render the benefits realisation report for cohorts 1 to N as an A4 PDF, an XLSX "
        "workbook or an HTML page, chosen by the output's extension."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cohort", type=int, required=True, help="The latest cohort to cover.")
        parser.add_argument(
            "--output",
            type=Path,
            required=True,
            help="The file to write: .pdf, .xlsx or .html.",
        )
        parser.add_argument(
            "--suppress-below",
            type=_non_negative,
            default=None,
            help="Show equality counts below K as <K (default: the EQUALITY_SUPPRESS_BELOW setting; 0 shows all).",
        )

    def handle(self, *args, cohort: int, output: Path, suppress_below: int | None, **options):
        render = FORMATS.get(output.suffix.lower())
        if render is None:
            raise CommandError(
                f"{output}: name the output .pdf, .xlsx or .html; its extension chooses the format"
            )
        if not output.parent.exists():
            raise CommandError(f"{output.parent}: no such folder")
        if output.is_dir():
            raise CommandError(f"{output} is a folder: give a file name")
        try:
            evidence = compute_evidence(cohort, suppress_below=suppress_below)
        except UnknownCohort:
            raise CommandError(
                f"There is no cohort {cohort}. Import the programme history or create the cohort first."
            ) from None
        from reports.wording import report_wording

        # Read once, as a report job does, so that every part of the file uses the same words.
        data = render(evidence, report_wording())
        # Write beside the target and rename, so a failed run never leaves half a file behind.
        fd, partial = tempfile.mkstemp(dir=output.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(partial, output)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"Wrote {output} ({len(data) // 1024} KB): cohorts 1 to {cohort}, "
            f"equality counts below {evidence.data.suppress_below} suppressed."
            if evidence.data.suppress_below
            else f"Wrote {output} ({len(data) // 1024} KB): cohorts 1 to {cohort}, no suppression."
        )
