"""python manage.py import_history PATH [--dry-run] — a folder of CSV files or one .xlsx workbook."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fellowship.importer import ImportFailed, Source, path_source
from fellowship.services import import_history


def files_at(path: Path) -> list[Source]:
    """The files to import from a folder of CSV files, or a single file; opened only when read."""
    if path.is_dir():
        files = [
            path_source(p)
            for p in sorted(path.iterdir())
            if p.is_file() and p.suffix.lower() == ".csv"
        ]
    elif path.is_file():
        files = [path_source(path)]
    else:
        raise CommandError(f"{path}: no such file or folder")
    if not files:
        raise CommandError(f"{path}: no CSV files found")
    return files


class Command(BaseCommand):
    help = "Import programme history (a folder of TABLE.csv files, or one .xlsx workbook) all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and say what would change, changing nothing.",
        )

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            result = import_history(files_at(path), by=None, source=str(path), dry_run=dry_run)
        except ImportFailed as failure:
            for name in failure.skipped:
                self.stderr.write(f"Skipped {name}: not a table of the history import")
            for line in failure.messages:
                self.stderr.write(line)
            raise CommandError(
                f"Nothing was imported: {len(failure.problems)} problem(s) found"
            ) from None
        except DatabaseError as exc:  # a value the checks let through but the database refused
            raise CommandError(
                f"Nothing was imported: the database refused a value ({exc})"
            ) from None
        for name in result.skipped:
            self.stdout.write(f"Skipped {name}: not a table of the history import")
        verb = "Would import (dry run)" if dry_run else "Imported"
        for line in result.summary:
            self.stdout.write(f"{verb} {line}")
