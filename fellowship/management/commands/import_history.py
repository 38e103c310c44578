"""python manage.py import_history PATH — a folder of CSV files or one .xlsx workbook."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fellowship.importer import ImportFailed
from fellowship.services import import_history


def files_at(path: Path) -> list[tuple[str, bytes]]:
    """The (name, bytes) pairs to import from a folder of CSV files or a single file."""
    if path.is_dir():
        files = [(p.name, p.read_bytes()) for p in sorted(path.glob("*.csv"))]
    elif path.is_file():
        files = [(path.name, path.read_bytes())]
    else:
        raise CommandError(f"{path}: no such file or folder")
    if not files:
        raise CommandError(f"{path}: no CSV files found")
    return files


class Command(BaseCommand):
    help = "Import programme history (a folder of TABLE.csv files, or one .xlsx workbook) all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the files and report, changing nothing.")

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            result = import_history(files_at(path), by=None, source=str(path), dry_run=dry_run)
        except ImportFailed as failure:
            for line in failure.messages:
                self.stderr.write(line)
            raise CommandError(f"Nothing was imported: {len(failure.problems)} problem(s) found") from None
        verb = "Checked (dry run)" if dry_run else "Imported"
        for line in result.summary:
            self.stdout.write(f"{verb} {line}")
