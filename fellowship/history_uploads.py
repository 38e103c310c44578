"""Uploaded history files kept between the preview and the import, through the storage API.

The upload page checks the files (a dry run) and shows what they would change; the files wait in
storage under a token (the SHA-256 of their names and contents), so that "Import" applies exactly
the files that were previewed. Tokens are only accepted from the session that previewed them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .importer import Source

FOLDER = "history-imports"
KEEP_FOR = datetime.timedelta(days=1)
_TOKEN = re.compile(r"[0-9a-f]{64}")


def stage(files) -> str:
    """Store uploaded files (Django UploadedFile) and return their token."""
    digest = hashlib.sha256()
    for upload in files:
        content = hashlib.sha256()
        for chunk in upload.chunks():
            content.update(chunk)
        digest.update(upload.name.encode() + b"\0" + content.digest())
    token = digest.hexdigest()
    if not default_storage.exists(f"{FOLDER}/{token}/manifest.json"):
        names = []
        for index, upload in enumerate(files):
            upload.seek(0)
            default_storage.save(f"{FOLDER}/{token}/{index:03d}", upload)
            names.append(upload.name)
        default_storage.save(
            f"{FOLDER}/{token}/manifest.json", ContentFile(json.dumps(names).encode())
        )
    purge_stale()
    return token


def valid_token(token: str) -> bool:
    return bool(_TOKEN.fullmatch(token or "")) and default_storage.exists(
        f"{FOLDER}/{token}/manifest.json"
    )


def sources(token: str) -> list[Source]:
    """The staged files of `token`, opened from storage as the import reads them."""
    with default_storage.open(f"{FOLDER}/{token}/manifest.json", "rb") as manifest:
        names = json.loads(manifest.read(64 * 1024))
    return [
        Source(
            str(name), lambda path=f"{FOLDER}/{token}/{index:03d}": default_storage.open(path, "rb")
        )
        for index, name in enumerate(names)
    ]


def discard(token: str) -> None:
    if not _TOKEN.fullmatch(token or ""):
        return
    folder = f"{FOLDER}/{token}"
    if default_storage.exists(folder):
        for name in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{name}")
        default_storage.delete(folder)


def purge_stale() -> None:
    """Forget previews nobody imported within a day."""
    if not default_storage.exists(FOLDER):
        return
    cutoff = timezone.now() - KEEP_FOR
    for token in default_storage.listdir(FOLDER)[0]:
        manifest = f"{FOLDER}/{token}/manifest.json"
        if (
            default_storage.exists(manifest)
            and default_storage.get_modified_time(manifest) < cutoff
        ):
            discard(token)
