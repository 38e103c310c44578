"""python manage.py backup --output DIR_OR_FILE — the whole database and every uploaded file in one
.tar.gz, with a manifest (when, Django's migration state, rows per table, sha256 of each file).

The database goes in as Django's JSON-lines dump of every model, contenttypes and permissions
included and primary keys kept, so that the same archive restores into SQLite or PostgreSQL.
Restore it with `manage.py restore FILE` (docs/backup-and-restore.md).
"""

from __future__ import annotations

import datetime
import io
import json
import tarfile
import tempfile
import time
from pathlib import Path

import django
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from ... import stored_files

FORMAT = 1
MANIFEST = "manifest.json"
DATA = "data.jsonl"
MEDIA = "media"
# Sessions are sign-ins, not records: after a restore everybody signs in again.
EXCLUDED_MODELS = {"sessions.session"}


def backed_up_models() -> list:
    """Every concrete model whose rows go into a backup, in a stable order."""
    return sorted(
        (
            model
            for model in apps.get_models()
            if model._meta.managed
            and not model._meta.proxy
            and model._meta.label_lower not in EXCLUDED_MODELS
        ),
        key=lambda model: model._meta.label_lower,
    )


def row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.using(using).count()
        for model in backed_up_models()
    }


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    """The migrations applied to the database, as sorted [app, name] pairs."""
    return sorted(
        [app, name] for app, name in MigrationRecorder(connections[using]).applied_migrations()
    )


def kept_files() -> list[str]:
    """Every file the service keeps (uploads and generated files), by its name in the default
    store (local disk or an S3-compatible bucket), in a stable order."""
    return stored_files.names(default_storage)


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return stored_files.sha256_of(handle)


def archive_path(output: str, now) -> Path:
    """OUTPUT itself if it names a file; a time-stamped file inside it if it is a folder."""
    path = Path(output)
    if path.is_dir() or output.endswith(("/", "\\")):
        path.mkdir(parents=True, exist_ok=True)
        return path / f"fellowship-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    if not path.name.endswith((".tar.gz", ".tgz")):
        raise CommandError("--output must be a folder or a file name ending in .tar.gz")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one .tar.gz archive with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            required=True,
            help="a folder (the archive gets a dated name) or a .tar.gz file",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output: str, database: str, **options):
        started = time.monotonic()
        now = timezone.now()
        target = archive_path(output, now.astimezone(datetime.UTC))
        if target.exists():
            raise CommandError(f"{target} already exists; choose another name")

        with tempfile.TemporaryDirectory(prefix="fellowship-backup-") as scratch:
            dump = Path(scratch) / DATA
            counts, migrations = self._dump(dump, database)
            files = {f"{MEDIA}/{name}": name for name in kept_files()}
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "django_version": django.get_version(),
                "database_vendor": connections[database].vendor,
                "migrations": migrations,
                "counts": counts,
                "files": {
                    DATA: {"sha256": sha256_of(dump), "size": dump.stat().st_size},
                    **{
                        member: {
                            "sha256": stored_files.stored_sha256(default_storage, name),
                            "size": default_storage.size(name),
                        }
                        for member, name in files.items()
                    },
                },
            }
            partial = target.with_name(target.name + ".partial")
            try:
                with tarfile.open(partial, "w:gz") as archive:
                    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(body), int(now.timestamp()), 0o600
                    archive.addfile(info, io.BytesIO(body))
                    archive.add(dump, arcname=DATA, recursive=False, filter=_private)
                    for member, name in files.items():
                        info = _private(tarfile.TarInfo(member))
                        info.size, info.mtime, info.mode = (
                            manifest["files"][member]["size"],
                            int(now.timestamp()),
                            0o600,
                        )
                        with default_storage.open(name, "rb") as handle:
                            archive.addfile(info, handle)
                partial.replace(target)  # a half-written archive never carries the final name
            finally:
                partial.unlink(missing_ok=True)
        target.chmod(0o600)

        rows = sum(counts.values())
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Backed up {rows} rows in {len(counts)} tables and {len(files)} files "
            f"to {target} ({target.stat().st_size / 1024:.0f} KB, {seconds:.1f} s)"
        )
        return None

    def _dump(self, dump: Path, database: str) -> tuple[dict[str, int], list[list[str]]]:
        """Dump every table, count its rows and read the migration state, from one snapshot."""
        connection = connections[database]
        with transaction.atomic(using=database):
            if connection.vendor == "postgresql":
                # One consistent view of every table while the application keeps writing.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata",
                *[model._meta.label for model in backed_up_models()],
                format="jsonl",
                output=str(dump),
                database=database,
                use_base_manager=True,  # every row, whatever a model's default manager hides
                verbosity=0,
            )
            return row_counts(database), applied_migrations(database)


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """No owner names or group/other permissions in the archive: it holds personal data."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info
