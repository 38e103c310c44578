"""python manage.py migrate_storage --from local --to objects — move the kept files between stores.

The stores are the named entries of the STORAGES setting: `local` (the folder MEDIA_ROOT) and,
when AWS_STORAGE_BUCKET_NAME is set, `objects` (the bucket). Every file is copied under the same
name and read back to compare its SHA-256 with the source's, so the records that name it stay
right; files already there with the same content are skipped, so an interrupted move can simply
be run again. Nothing is overwritten, and the source is only emptied with --delete-source after
every file has been checked. Switch the service over (set or unset AWS_STORAGE_BUCKET_NAME) once
the move has finished.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from ... import stored_files


class Command(BaseCommand):
    help = "Copy every kept file from one store to another, checking each by its SHA-256."

    def add_arguments(self, parser):
        stores = [name for name in settings.STORAGES if name not in ("default", "staticfiles")]
        parser.add_argument("--from", dest="source", required=True, choices=stores)
        parser.add_argument("--to", dest="target", required=True, choices=stores)
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be copied, copy nothing"
        )
        parser.add_argument(
            "--delete-source",
            action="store_true",
            help="after every file is copied and checked, delete them from the source",
        )

    def handle(self, *args, source: str, target: str, dry_run: bool, delete_source: bool, **_):
        if source == target:
            raise CommandError("--from and --to name the same store")
        started = time.monotonic()
        origin, destination = storages[source], storages[target]
        found = stored_files.names(origin)
        if dry_run:
            for name in found:
                self.stdout.write(name)
            self.stdout.write(f"{len(found)} files would be copied from {source} to {target}")
            return
        copied = skipped = 0
        failed: list[str] = []
        for name in found:
            existed = destination.exists(name)
            try:
                stored_files.copy(origin, destination, name)
            except stored_files.CopyError as error:
                failed.append(str(error))
                continue
            skipped += existed
            copied += not existed
        for problem in failed:
            self.stderr.write(problem)
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(found)} files could not be copied; nothing was deleted. "
                "Put right what is listed above and run the command again."
            )
        if delete_source:
            for name in found:
                origin.delete(name)
        self.stdout.write(
            self.style.SUCCESS(
                f"{copied} files copied from {source} to {target} and checked by SHA-256, "
                f"{skipped} already there"
                + (f", {len(found)} deleted from {source}" if delete_source else "")
                + f" ({time.monotonic() - started:.1f} s)"
            )
        )
