"""Files in an S3-compatible bucket: with AWS_STORAGE_BUCKET_NAME set, every upload and every
generated file is kept in the bucket (here moto's server on 127.0.0.1), nothing on the node's
disk, and still only sent through the permission-checked views, streamed, never as a link to the
store. Files a record stops pointing at leave the bucket once the change commits; moving between
stores copies every file under its own name and checks it by SHA-256."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.urls import reverse

from fellowship import privacy, stored_files
from fellowship.enums import Role
from fellowship.services import update_programme
from projects.enums import ProposalStatus
from projects.models import CatalogueFile

from .conftest import make_person
from .factories import ApplicationFactory, CohortFactory, ProjectFactory, RoundFactory, submitted

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def local_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_the_settings_keep_files_in_the_bucket_only_when_one_is_named():
    code = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"

    def backend(**extra) -> str:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fellowship.settings", "DEBUG": "true"}
        env.pop("AWS_STORAGE_BUCKET_NAME", None)
        env.update(extra)
        run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
        return subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout

    assert backend().strip() == "django.core.files.storage.FileSystemStorage"
    assert backend(AWS_STORAGE_BUCKET_NAME="programme-files").strip() == (
        "storages.backends.s3.S3Storage"
    )


def test_an_uploaded_cv_is_kept_in_the_bucket_and_sent_only_through_the_checked_view(
    bucket, settings, applicant_client, faculty_client, outsider_client, role_users
):
    draft = ApplicationFactory(round=RoundFactory(), applicant=role_users["applicant"])
    cv = ContentFile(PDF + b"% the applicant's own CV\n", name="cv.pdf")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = applicant_client.post(
        reverse("application_documents", args=[draft.ref]),
        {"cv": SimpleUploadedFile("cv.pdf", cv.read(), "application/pdf"), "action": "continue"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert bucket.object_names() == [draft.cv.name]
    assert bucket.read(draft.cv.name).endswith(b"the applicant's own CV\n")
    assert local_files(settings) == []  # nothing on this node's disk

    submitted(draft)
    for client in (applicant_client, faculty_client):
        download = client.get(reverse("application_cv", args=[draft.ref]))
        assert download.status_code == 200
        assert download["Cache-Control"] == "private, no-store"
        body = b"".join(download.streaming_content)
        assert body == bucket.read(draft.cv.name)
        # Streamed by the view: no address of the store or signed link reaches the browser.
        assert bucket.endpoint not in str(download.headers)
    assert outsider_client.get(reverse("application_cv", args=[draft.ref])).status_code == 404


def test_a_pdf_made_in_the_background_is_kept_in_the_bucket(
    bucket, settings, supervisor_client, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(number=3)
    ProjectFactory(cohort=cohort, status=ProposalStatus.APPROVED, title="Chest X-ray triage")
    with django_capture_on_commit_callbacks(execute=True):
        supervisor_client.post(reverse("catalogue_pdf", args=[3]))
    job = CatalogueFile.objects.get()
    assert bucket.object_names() == [job.file.name]
    download = supervisor_client.get(reverse("catalogue_file_download", args=[3, job.pk]))
    assert b"".join(download.streaming_content) == bucket.read(job.file.name)
    assert local_files(settings) == []


def test_a_replaced_file_leaves_the_bucket_once_the_change_commits(
    bucket, django_capture_on_commit_callbacks
):
    from PIL import Image

    def png(colour: str) -> ContentFile:
        out = io.BytesIO()
        Image.new("RGB", (40, 20), colour).save(out, "PNG")
        return ContentFile(out.getvalue(), name="logo.png")

    faculty = make_person(Role.FACULTY)
    with django_capture_on_commit_callbacks(execute=True):
        first = update_programme(by=faculty, name="The Fellowship", logo=png("red")).logo.name
    assert bucket.object_names() == [first]
    with django_capture_on_commit_callbacks(execute=True):
        second = update_programme(by=faculty, name="The Fellowship", logo=png("blue")).logo.name
    assert bucket.object_names() == [second] and second != first


def test_erasure_removes_the_persons_files_from_the_bucket(
    bucket, role_users, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Permission

    applicant = role_users["applicant"]
    mine = ApplicationFactory(round=RoundFactory(), applicant=applicant)
    mine.cv.save("cv.pdf", ContentFile(PDF), save=True)
    theirs = ApplicationFactory(round=RoundFactory(), applicant=make_person(Role.APPLICANT))
    theirs.cv.save("cv.pdf", ContentFile(PDF), save=True)
    assert bucket.object_names() == sorted([mine.cv.name, theirs.cv.name])

    officer = make_person(Role.FACULTY)
    officer.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    officer = type(officer).objects.get(pk=officer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_person(
            privacy.find_person(applicant.email), by=officer, requested_by="the person"
        )
    assert bucket.object_names() == [theirs.cv.name]


def keep(storage, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        assert storage.save(name, ContentFile(content)) == name


FILES = {
    "cvs/a1b2/cv.pdf": PDF,
    "evidence/2026/certificate.pdf": PDF + b"% certificate\n",
    "reports/cohort-3.xlsx": b"PK\x03\x04 workbook",
}


def test_moving_files_to_the_bucket_copies_and_checks_every_one(bucket, settings):
    keep(storages["local"], FILES)
    out = io.StringIO()
    call_command("migrate_storage", "--from", "local", "--to", "objects", stdout=out)
    assert "3 files copied from local to objects and checked by SHA-256, 0 already there" in (
        out.getvalue()
    )
    assert bucket.object_names() == sorted(FILES)
    for name, content in FILES.items():
        assert bucket.read(name) == content
    assert local_files(settings) == sorted(FILES)  # the source is kept unless asked

    # Run again (an interrupted move, say): nothing copied twice.
    out = io.StringIO()
    call_command("migrate_storage", "--from", "local", "--to", "objects", stdout=out)
    assert "0 files copied from local to objects and checked by SHA-256, 3 already there" in (
        out.getvalue()
    )


def test_a_move_never_overwrites_other_content_and_deletes_nothing_when_one_fails(bucket, settings):
    keep(storages["local"], FILES)
    keep(storages["objects"], {"reports/cohort-3.xlsx": b"PK\x03\x04 another workbook"})
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 3 files could not be copied; nothing was deleted"):
        call_command(
            "migrate_storage", "--from", "local", "--to", "objects", "--delete-source", stderr=err
        )
    assert "reports/cohort-3.xlsx is already in the target store with other content" in (
        err.getvalue()
    )
    assert bucket.read("reports/cohort-3.xlsx") == b"PK\x03\x04 another workbook"
    assert local_files(settings) == sorted(FILES)


def test_a_move_back_to_local_disk_with_delete_source_empties_the_bucket(bucket, settings):
    keep(storages["objects"], FILES)
    call_command(
        "migrate_storage",
        "--from",
        "objects",
        "--to",
        "local",
        "--delete-source",
        stdout=io.StringIO(),
    )
    assert bucket.object_names() == []
    assert local_files(settings) == sorted(FILES)
    for name, content in FILES.items():
        digest = stored_files.stored_sha256(storages["local"], name)
        assert digest == hashlib.sha256(content).hexdigest()


def test_a_dry_run_lists_and_copies_nothing(bucket):
    keep(storages["local"], FILES)
    out = io.StringIO()
    call_command("migrate_storage", "--from", "local", "--to", "objects", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        *sorted(FILES),
        "3 files would be copied from local to objects",
    ]
    assert bucket.object_names() == []


def test_the_same_store_twice_is_refused(bucket):
    with pytest.raises(CommandError, match="the same store"):
        call_command("migrate_storage", "--from", "objects", "--to", "objects")
