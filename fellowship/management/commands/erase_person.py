"""Erase a person: `erase_person EMAIL --yes [--requested-by TEXT]`. Without --yes, shows what would happen."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fellowship import privacy


class Command(BaseCommand):
    help = (
        "Erase the person with this e-mail address: their identity and files go, what the reports"
        " count stays without their name. Without --yes, only shows what would happen."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="carry out the erasure")
        parser.add_argument(
            "--requested-by",
            default="the person, through the programme team",
            help="who asked for the erasure, and how (no names)",
        )

    def handle(self, *args, email: str, yes: bool, requested_by: str, **options):
        try:
            person = privacy.find_person(email)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        if reasons := privacy.blockers(person):
            raise CommandError("Not erased: " + " ".join(reasons))
        for line in privacy.plan(person):
            why = f" ({line.why})" if line.why else ""
            self.stdout.write(f"{line.what}: {line.count} {line.fate}{why}")
        if not yes:
            self.stdout.write("Nothing erased: run again with --yes to erase.")
            return
        try:
            erasure = privacy.erase_person(person, by=None, requested_by=requested_by)
        except ValidationError as exc:
            raise CommandError("Not erased: " + " ".join(exc.messages)) from None
        self.stdout.write(f"Erased; the records now call the person {erasure.pseudonym}.")
        for what, count in sorted(erasure.counts.items()):
            self.stdout.write(f"  {what}: {count}")
