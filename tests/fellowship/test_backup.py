"""Backup and restore: one archive holds every table and every uploaded file; restoring it into an
emptied instance brings back the same rows, byte-identical files and working passwords."""

from __future__ import annotations

import datetime
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from fellowship.management.commands.backup import row_counts
from fellowship.management.commands.restore import data_present
from fellowship.models import User
from portfolio.models import PortfolioEntry
from recruitment.models import Application, InterviewPanel
from reports.enums import ReportState
from reports.models import ReportJob

from ..conftest import make_person
from ..factories import PASSWORD, CohortFactory, FellowFactory, submitted
from ..factories.portfolio import PortfolioEntryFactory, PosterFactory, pdf_bytes

# Restore empties tables, which PostgreSQL will not do inside the test's own transaction while
# rows written in it wait for deferred constraint checks; the seeded rows are put back afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def build_programme():
    """Users in several roles, fellows, a submitted application with its CV, portfolio evidence,
    a poster and a finished report: rows in most apps, and files in every upload folder."""
    faculty = make_person("faculty")  # with a TOTP authenticator (allauth.mfa)
    applicant = make_person("applicant")
    application = submitted(applicant=applicant)  # CV and approval form uploaded
    panel = InterviewPanel.objects.create(
        round=application.round, name="Panel A", date=datetime.date(2026, 3, 2)
    )
    panel.members.add(faculty)  # many-to-many history (simple_history m2m_fields)
    cohort = CohortFactory()
    fellow = FellowFactory(cohort=cohort, user=make_person("fellow"))
    entry = PortfolioEntryFactory(fellow=fellow, title="Certificate")
    entry.evidence.save("certificate.pdf", ContentFile(pdf_bytes("certificate")))
    PosterFactory(fellow=fellow)
    job = ReportJob.objects.create(
        cohort=cohort,
        suppress_below=5,
        state=ReportState.DONE,
        progress=100,
        requested_by=faculty,
        finished_at=timezone.now(),
    )
    job.pdf.save("report.pdf", ContentFile(pdf_bytes("benefits report")))
    return applicant, application, entry, job


def media_snapshot() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def wipe_media() -> None:
    for path in sorted(Path(settings.MEDIA_ROOT).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def back_up(tmp_path) -> Path:
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups") + "/", stdout=out)
    assert "Backed up" in out.getvalue()
    (archive,) = (tmp_path / "backups").glob("fellowship-backup-*.tar.gz")
    return archive


def test_backup_then_restore_into_an_emptied_instance_gives_back_rows_files_and_passwords(
    tmp_path, client
):
    applicant, application, entry, job = build_programme()
    counts, files = row_counts(), media_snapshot()
    assert {"cvs", "approvals", "portfolio", "reports"} <= {name.split("/")[0] for name in files}
    archive = back_up(tmp_path)

    call_command("flush", interactive=False, verbosity=0)
    wipe_media()
    assert not User.objects.exists() and media_snapshot() == {}
    assert data_present() == []  # a freshly emptied instance takes a restore without --force

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "every checksum matched" in out.getvalue()

    assert row_counts() == counts  # every model, history tables and allauth's included
    assert media_snapshot() == files  # byte-identical, at the same paths
    restored = Application.objects.get(pk=application.pk)
    assert restored.cv.read() == files[application.cv.name]
    assert PortfolioEntry.objects.get(pk=entry.pk).evidence.name == entry.evidence.name
    assert ReportJob.objects.get(pk=job.pk).pdf.name == job.pdf.name
    # Password hashes and verified e-mail addresses came back: the applicant signs in as before.
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_manifest_records_time_migrations_counts_and_checksums(tmp_path):
    build_programme()
    archive = back_up(tmp_path)
    with tarfile.open(archive) as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["created_at"] and ["fellowship", "0001_initial"] in manifest["migrations"]
    assert manifest["counts"]["fellowship.user"] == User.objects.count() == 3
    assert set(manifest["files"]) == names - {"manifest.json"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())
    assert "sessions.session" not in manifest["counts"]  # sign-ins are not kept


def test_restore_refuses_an_instance_that_holds_data_unless_forced(tmp_path):
    build_programme()
    archive = back_up(tmp_path)
    counts = row_counts()
    make_person("applicant")  # one more person since the backup
    with pytest.raises(CommandError, match=r"not empty.*fellowship\.user"):
        call_command("restore", str(archive))
    assert User.objects.count() == 4  # nothing was touched

    call_command("restore", str(archive), force=True, stdout=io.StringIO())
    assert row_counts() == counts


def test_restore_refuses_a_damaged_archive_before_touching_the_database(tmp_path):
    build_programme()
    archive = back_up(tmp_path)
    # Rebuild the archive with one uploaded file changed but the manifest left as it was.
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("media/cvs/"):
                data = data.replace(b"%%EOF", b"<script>alert(1)</script>\n%%EOF")
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    call_command("flush", interactive=False, verbosity=0)
    wipe_media()
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(tampered))
    assert not User.objects.exists() and media_snapshot() == {}


def test_restore_refuses_files_outside_the_media_folder(tmp_path):
    archive = back_up(tmp_path)
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(evil, "w:gz") as target:
        for member in source:
            target.addfile(member, source.extractfile(member))
        body = b"owned"
        info = tarfile.TarInfo("media/../../escape.txt")
        info.size = len(body)
        target.addfile(info, io.BytesIO(body))
    with pytest.raises(CommandError, match="does not list"):
        call_command("restore", str(evil), force=True)
    assert not (Path(settings.MEDIA_ROOT).parent / "escape.txt").exists()


def test_backup_and_restore_work_the_same_with_files_in_a_bucket(tmp_path, bucket):
    build_programme()
    files = {key: bucket.read(key) for key in bucket.object_names()}
    assert {"cvs", "approvals", "portfolio", "reports"} <= {name.split("/")[0] for name in files}
    assert media_snapshot() == {}  # nothing on the node's disk
    archive = back_up(tmp_path)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {f"media/{name}" for name in files} <= set(manifest["files"])

    call_command("flush", interactive=False, verbosity=0)
    for key in bucket.object_names():
        bucket.client.delete_object(Bucket=bucket.name, Key=key)
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "every checksum matched" in out.getvalue()
    assert {key: bucket.read(key) for key in bucket.object_names()} == files
