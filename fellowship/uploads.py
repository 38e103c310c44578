"""Uploaded files: private paths, content checks and permission-checked downloads.

Files live under MEDIA_ROOT, which is outside static/ and has no URL. A file is only ever sent
by a view that has checked the user's permission, as an attachment that browsers must not sniff.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

R = TypeVar("R", bound=HttpResponseBase)

# Leading bytes of the file types we accept. Browsers and names can lie; the content cannot.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
}


@deconstructible
class private_upload_to:
    """Store each upload under a random name in a folder of its own, keeping only the extension."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePosixPath(filename).suffix.lower()[:8]
        return f"{self.folder}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, private_upload_to) and other.folder == self.folder


def sniff(head: bytes) -> str | None:
    """The kind of file these leading bytes begin, or None if we do not accept it."""
    for kind, magics in SIGNATURES.items():
        if any(head.startswith(magic) for magic in magics):
            return kind
    return None


def check_upload(upload, *, kinds: tuple[str, ...] = ("pdf",), max_bytes: int | None = None) -> str:
    """Validate an uploaded file by size and content; return its kind or raise ValidationError."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            "The file must be smaller than %(mb)s MB",
            code="too_big",
            params={"mb": limit // (1024 * 1024)},
        )
    if upload.size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    kind = sniff(head)
    names = " or ".join(k.upper() for k in kinds)
    if kind not in kinds:
        raise ValidationError(
            "The selected file must be a %(names)s", code="wrong_type", params={"names": names}
        )
    if kind == "pdf":
        upload.seek(max(0, (upload.size or 0) - 2048))
        tail = upload.read()
        upload.seek(0)
        if b"%%EOF" not in tail:
            raise ValidationError(
                "The selected PDF is damaged or incomplete. Save it again and upload it",
                code="corrupt",
            )
    return kind


# How a stored file is sent, decided by its content: the name it was uploaded with can lie (a PDF
# uploaded as "notes.html" must not reach the browser, or the person's disk, as HTML).
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SENT_AS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "xlsx": (XLSX, (".xlsx",)),  # only our own report workbooks; never accepted as an upload
}


def stored_kind(head: bytes) -> str | None:
    """The kind of a stored file by its leading bytes (the uploads' kinds, or our XLSX reports)."""
    return sniff(head) or ("xlsx" if head.startswith(b"PK\x03\x04") else None)


def attachment(field_file, *, download_name: str) -> FileResponse:
    """Send a stored file as a download that the browser must not render or sniff, typed and
    named by its content."""
    handle = field_file.open("rb")  # read once: its head decides the type, then it is sent
    kind = stored_kind(handle.read(16))
    handle.seek(0)
    if kind is None:
        content_type = "application/octet-stream"
    else:
        content_type, suffixes = SENT_AS[kind]
        stem, dot, extension = download_name.rpartition(".")
        if f".{extension.lower()}" not in suffixes:
            has_extension = bool(dot) and extension.isalnum() and len(extension) <= 5
            download_name = f"{stem if has_extension else download_name}{suffixes[0]}"
    return private_download(
        FileResponse(handle, as_attachment=True, filename=download_name, content_type=content_type)
    )


def inline_image(field_file: FieldFile, *, kind: str, name: str) -> FileResponse:
    """Show a stored image whose content was checked on upload (`kind`: png or jpeg) in the page:
    private, never sniffed, and unable to run anything (Content-Security-Policy: none)."""
    response = private_download(
        FileResponse(field_file.open("rb"), content_type=f"image/{kind}", filename=name)
    )
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def private_download(response: R) -> R:
    """Mark a download as private: never stored by a shared or browser cache, never sniffed into
    another type. Every file the service sends goes through here."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def bytes_download(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """Bytes made for this request (an export, an archive) as a private download named `filename`."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return private_download(response)


def delete_files_on_commit(files: Iterable[FieldFile]) -> int:
    """Delete these files from storage once the surrounding transaction commits; how many.

    (Deleted before, a rolled-back removal would leave records without their files.)"""
    return sum(delete_stored_on_commit(file.storage, [file.name]) for file in files if file)


def delete_stored_on_commit(storage: Storage, names: Iterable[str | None]) -> int:
    """Delete these stored names (a file a record no longer points at: replaced, removed) from
    `storage` once the surrounding transaction commits; how many. Blank names are skipped."""
    stored = [name for name in names if name]

    def delete() -> None:
        for name in stored:
            storage.delete(name)

    transaction.on_commit(delete)
    return len(stored)
