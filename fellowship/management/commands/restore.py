"""python manage.py restore FILE — put back a backup made by `manage.py backup`.

Meant for a fresh instance: migrate it to the same migrations as the backup, then restore. The
archive is checked first (every file's sha256 against the manifest, and nothing unexpected in it);
a database that already holds data is refused unless --force, which replaces it. The tables are
emptied and loaded in one transaction, so a failed load leaves the database as it was; then the
uploaded files are written to the default store (MEDIA_ROOT, or the bucket when one is named) under
their own names, and the rows per table compared with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, transaction
from django.test.utils import override_settings

from ...hooks import seeded_tables
from .backup import DATA, FORMAT, MANIFEST, MEDIA, applied_migrations, kept_files, row_counts

# Rows that `migrate` itself makes (contenttypes, permissions, the site, and the core's seeds): a
# freshly migrated instance holds these and still counts as empty. Each app declares the rows its
# own migrations seed through fellowship.hooks.seeded_rows.
MADE_BY_MIGRATE = {
    "contenttypes.contenttype",
    "auth.permission",
    "sites.site",
    "sessions.session",
    "fellowship.curriculumtheme",
}


def data_present(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables holding rows that a freshly migrated instance would not have."""
    found = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in MADE_BY_MIGRATE or not model._meta.managed or model._meta.proxy:
            continue
        rows = model._base_manager.using(using).all()
        if label in seeded_tables:
            only = seeded_tables[label]
            if only is None:
                continue
            rows = rows.exclude(**only)
        if rows.exists():
            found.append(label)
    return found


def safe_member_name(name: str) -> bool:
    """Only the manifest, the dump and relative paths under media/ may come out of an archive."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        return False
    return name in (MANIFEST, DATA) or (path.parts[0] == MEDIA and len(path.parts) > 1)


class Command(BaseCommand):
    help = "Restore the database and uploaded files from an archive made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz file that `manage.py backup` wrote")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the data of an instance that is not empty (everything in it is lost)",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, archive: str, force: bool, database: str, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No backup at {path}")

        with tempfile.TemporaryDirectory(prefix="fellowship-restore-") as scratch:
            staged = Path(scratch)
            manifest = self._unpack(path, staged)
            self._check_migrations(manifest, database)
            if not force:
                present = data_present(database)
                if kept_files():
                    present.append("kept files")
                if present:
                    raise CommandError(
                        "This instance is not empty, so nothing was restored. It holds: "
                        + ", ".join(present)
                        + ". Restore into a freshly migrated instance, or add --force to replace everything in it."
                    )

            with transaction.atomic(using=database):
                # Empty every table, contenttypes and permissions too, so that the backup's rows
                # come back with the same ids; then add whatever this code has that they lack.
                # History is switched off: loading many-to-many fields would write new history
                # rows on top of the ones the backup holds.
                with override_settings(SIMPLE_HISTORY_ENABLED=False):
                    call_command(
                        "flush",
                        interactive=False,
                        inhibit_post_migrate=True,
                        database=database,
                        verbosity=0,
                    )
                    call_command("loaddata", str(staged / DATA), database=database, verbosity=0)
                    emit_post_migrate_signal(0, False, database)
                ContentType.objects.clear_cache()
                counts = self._check_counts(manifest, database)  # a mismatch rolls the load back

            restored_files = 0
            staged_media = staged / MEDIA
            for source in sorted(p for p in staged_media.rglob("*") if p.is_file()):
                name = source.relative_to(staged_media).as_posix()
                if default_storage.exists(name):  # --force: the backup's file replaces it
                    default_storage.delete(name)
                with source.open("rb") as handle:
                    saved = default_storage.save(name, File(handle, name=name))
                if saved != name:
                    raise CommandError(f"The file store renamed {name} to {saved}")
                restored_files += 1

        for label, count in counts.items():
            if count or label in manifest["counts"]:
                self.stdout.write(f"{label:<50} {count:>8}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(counts.values())} rows and {restored_files} files from the backup "
                f"made at {manifest['created_at']}; every checksum matched"
            )
        )

    def _check_counts(self, manifest: dict, database: str) -> dict[str, int]:
        """The rows per table now, which must be the backup's."""
        counts = row_counts(database)
        expected = manifest["counts"]
        wrong = [
            f"{label} {expected.get(label, 0)} in the backup, {counts.get(label, 0)} now"
            for label in sorted(set(expected) | set(counts))
            if expected.get(label, 0) != counts.get(label, 0)
        ]
        if wrong:
            raise CommandError(
                "The restored rows differ from the backup's, so nothing was restored: "
                + ", ".join(wrong)
            )
        return counts

    def _unpack(self, path: Path, staged: Path) -> dict:
        """Read the manifest, then unpack every file into `staged`, checking its sha256 and size."""
        try:
            with tarfile.open(path, "r:gz") as archive:
                manifest, seen = self._unpack_members(archive, path, staged)
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            raise CommandError(f"{path} is damaged or is not a backup archive: {exc}") from None
        missing = sorted(set(manifest["files"]) - seen)
        if missing:
            raise CommandError(f"{path} lacks files its manifest lists: {', '.join(missing)}")
        return manifest

    def _unpack_members(self, archive: tarfile.TarFile, path: Path, staged: Path):
        head = archive.next()
        if head is None or head.name != MANIFEST or not head.isfile():
            raise CommandError(f"{path} has no manifest: it was not made by `manage.py backup`")
        manifest = json.load(archive.extractfile(head))
        if manifest.get("format") != FORMAT:
            raise CommandError(
                f"{path} has backup format {manifest.get('format')!r}; this code reads {FORMAT}"
            )
        expected: dict[str, dict] = manifest["files"]
        seen: set[str] = set()
        for member in archive:  # the manifest again first: iteration starts over
            if member is head:
                continue
            name = member.name
            if not member.isfile() or not safe_member_name(name) or name not in expected:
                raise CommandError(f"{path} holds {name!r}, which its manifest does not list")
            if name in seen:
                raise CommandError(f"{path} holds {name!r} twice")
            seen.add(name)
            target = staged.joinpath(*PurePosixPath(name).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            with archive.extractfile(member) as source, target.open("wb") as sink:
                while block := source.read(1024 * 1024):
                    digest.update(block)
                    size += len(block)
                    sink.write(block)
            if digest.hexdigest() != expected[name]["sha256"] or size != expected[name]["size"]:
                raise CommandError(
                    f"{name} in {path} does not match its checksum: the backup is damaged"
                )
        return manifest, seen

    def _check_migrations(self, manifest: dict, database: str) -> None:
        """The backup's rows fit only the schema they came from: the same applied migrations."""
        theirs = {tuple(pair) for pair in manifest["migrations"]}
        ours = {tuple(pair) for pair in applied_migrations(database)}
        if theirs != ours:
            only_backup = sorted(f"{a}.{n}" for a, n in theirs - ours)
            only_here = sorted(f"{a}.{n}" for a, n in ours - theirs)
            raise CommandError(
                "The backup was made at a different migration state, so nothing was restored. "
                f"Only in the backup: {', '.join(only_backup) or 'none'}. Only here: {', '.join(only_here) or 'none'}. "
                "Restore with the release that made the backup (run `migrate` first), then upgrade."
            )
