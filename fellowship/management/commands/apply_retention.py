"""Apply the retention policy now: remove every record that is due, or (--dry-run) count them."""

from django.core.management.base import BaseCommand

from fellowship import retention
from fellowship.models import RetentionRun


class Command(BaseCommand):
    help = "Remove the records the retention policy says are due (settings.RETENTION); --dry-run counts them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what is due without removing anything"
        )

    def handle(self, *args, dry_run: bool = False, **options):
        run = retention.apply_retention(
            dry_run=dry_run, by=None, source=RetentionRun.Source.COMMAND
        )
        policies = retention.policies()
        verb = "due" if dry_run else "removed"
        for kind, count in run.counts.items():
            label = policies[kind].label if kind in policies else kind
            self.stdout.write(f"{label}: {count} {verb}")
        self.stdout.write(f"{run.total} records {verb} in all")
