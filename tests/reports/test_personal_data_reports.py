"""Reports' part of a person's data: what a faculty member asked for, released, downloaded and
wrote is exported and kept under the pseudonym; a stored job's record no longer names them."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command

from fellowship import privacy
from fellowship.enums import Role
from fellowship.models import User
from reports.enums import ReportState
from reports.models import ClaimDecision, ReportDownload, ReportJob

from ..conftest import make_person
from ..factories import CohortFactory

pytestmark = pytest.mark.django_db

NAME = "Barnaby Quintrell-Oakes"
EMAIL = "barnaby.qo@nhs.example"


def officer() -> User:
    user = make_person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def faculty():
    user = make_person(Role.FACULTY, email=EMAIL, full_name=NAME)
    job = ReportJob.objects.create(
        cohort=CohortFactory(number=1),
        suppress_below=settings.EQUALITY_SUPPRESS_BELOW,
        state=ReportState.DONE,
        requested_by=user,
        released_by=user,
        built_from={"claims": [{"key": "o1", "by": NAME}], "wording": {"1": {"updated_by": EMAIL}}},
    )
    ReportDownload.objects.create(job=job, user=user, fmt="pdf")
    ClaimDecision.objects.create(job=job, key="o1", text="Rewritten", decided_by=user)
    return user, job


def test_export_lists_reports_requested_downloaded_and_claims_resolved(faculty):
    privacy.write_export(privacy.find_person(EMAIL), buffer := io.BytesIO(), programme="P")
    with zipfile.ZipFile(buffer) as archive:
        jobs = json.loads(archive.read("reports-requested-or-released.json"))
        assert jobs[0]["requested_by_you"] and jobs[0]["released_by_you"]
        assert json.loads(archive.read("reports-downloaded.json"))[0]["fmt"] == "pdf"
        assert json.loads(archive.read("report-claims-resolved.json"))[0]["text"] == "Rewritten"


def test_erasure_keeps_the_records_under_the_pseudonym_and_no_job_names_them(faculty):
    user, job = faculty
    erasure = privacy.erase_person(
        privacy.find_person(EMAIL), by=officer(), requested_by="the person"
    )
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    for secret in (EMAIL, NAME):
        assert secret.lower() not in out.getvalue().lower(), secret
    job.refresh_from_db()
    assert job.requested_by == user and ReportDownload.objects.get().user == user
    assert job.built_from["claims"][0]["by"] == erasure.pseudonym
