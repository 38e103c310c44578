"""Write everything the service holds about a person to a ZIP file: `export_person_data EMAIL --output F.zip`."""

from django.core.management.base import BaseCommand, CommandError

from fellowship import privacy
from fellowship.models import programme


class Command(BaseCommand):
    help = "Write everything the service holds about the person with this e-mail address to a ZIP file."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--output", required=True, help="the ZIP file to write")

    def handle(self, *args, email: str, output: str, **options):
        try:
            person = privacy.find_person(email)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        content = privacy.export_person_data(person, by=None, programme=programme().name)
        with open(output, "wb") as file:
            file.write(content)
        self.stdout.write(f"Wrote {output} ({len(content):,} bytes)")
