"""Every file the service keeps, walked through Django's storage API.

Backups, restores and moves between stores use these functions, so they work the same on local
disk and in an S3-compatible bucket: names are the storage's own (relative, with forward
slashes), and every copy is checked by its SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage

BLOCK = 1024 * 1024


def names(storage: Storage, folder: str = "") -> list[str]:
    """Every file's name under `folder` (everything when empty), in a stable order."""
    return sorted(_walk(storage, folder))


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # local storage before its first file
        return
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    yield from (prefix + name for name in files)
    for sub in folders:
        yield from _walk(storage, prefix + sub)


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(BLOCK), b""):
        digest.update(block)
    return digest.hexdigest()


def stored_sha256(storage: Storage, name: str) -> str:
    with storage.open(name, "rb") as handle:
        return sha256_of(handle)


class CopyError(Exception):
    """A file could not be put in the target store under its own name with its own content."""


def copy(source: Storage, target: Storage, name: str) -> str:
    """Copy one file to the same name in `target` and check it by reading it back; its SHA-256.

    A file already in the target with the same content is left alone; one with other content is
    never overwritten (CopyError)."""
    expected = stored_sha256(source, name)
    if target.exists(name):
        if stored_sha256(target, name) != expected:
            raise CopyError(f"{name} is already in the target store with other content")
        return expected
    with source.open(name, "rb") as handle:
        saved = target.save(name, File(handle, name=name))
    if saved != name:
        target.delete(saved)
        raise CopyError(f"the target store named {name} {saved}")
    if stored_sha256(target, name) != expected:
        target.delete(name)
        raise CopyError(f"{name} reads back from the target store with other content")
    return expected
