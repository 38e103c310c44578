"""Report job pages: faculty request and watch reports; funders see and download the finished
reports of the cohorts they fund; every download is recorded; everyone else is turned away."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.models import AuditEvent
from reports.enums import ReportState
from reports.models import ReportDownload, ReportJob

from ..conftest import make_person
from ..factories import CohortFactory, FundedPostFactory
from .drafts import release

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a stored report\n%%EOF\n"


@pytest.fixture
def cohorts():
    return {n: CohortFactory(number=n) for n in (1, 2, 3)}


def finished(cohort, *, suppress_below=5, by=None, xlsx=False) -> ReportJob:
    job = ReportJob.objects.create(
        cohort=cohort,
        suppress_below=suppress_below,
        state=ReportState.DONE,
        progress=100,
        step="Finished",
        attempts=1,
        requested_by=by,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        built_from={
            "cohorts": list(range(1, cohort.number + 1)),
            "counts": [{"table": "Fellows", "rows": 42}, {"table": "Projects", "rows": 17}],
            "generated_at": timezone.now().isoformat(),
            "suppress_below": suppress_below,
        },
    )
    job.pdf.save("report.pdf", ContentFile(PDF))
    if xlsx:
        job.xlsx.save("report.xlsx", ContentFile(b"PK\x03\x04 workbook"))
    return job


@pytest.fixture
def funder_funds_cohort_2(role_users, cohorts):
    """The funder user's funder pays for posts in cohort 2 (so reports as of cohort 2 or later)."""
    funder = role_users["funder"].role_grants.get(role=Role.FUNDER).funder
    FundedPostFactory(funder=funder, cohort=cohorts[2])
    return funder


@pytest.fixture
def equality_team(role_users):
    """The faculty user may see equality monitoring, so may make reports at another threshold."""
    from django.contrib.auth.models import Permission

    role_users["faculty"].user_permissions.add(
        Permission.objects.get(codename="view_equality_monitoring")
    )


def urls(job, fmt="pdf") -> dict[str, str]:
    return {
        "detail": reverse("report_detail", args=[job.pk]),
        "status": reverse("report_status", args=[job.pk]),
        "download": reverse("report_download", args=[job.pk, fmt]),
    }


# Faculty ----------------------------------------------------------------------------------------


def test_faculty_request_a_report_and_find_it_done_with_its_data(
    faculty_client, role_users, cohorts, django_capture_on_commit_callbacks, equality_team
):
    # The task runs when the request's transaction commits (eagerly here, as in `make run`).
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(
            reverse("report_request"), {"cohort": cohorts[2].pk, "suppress_below": "3"}
        )

    job = ReportJob.objects.get()
    assert response["Location"] == reverse("report_detail", args=[job.pk])
    page = faculty_client.get(response["Location"]).content.decode()
    assert "You requested the report" in page
    assert "Your report is ready." in page
    assert "being prepared" not in page  # the job is done: nothing says otherwise
    assert (job.state, job.cohort, job.suppress_below, job.requested_by) == (
        ReportState.DONE,
        cohorts[2],
        3,
        role_users["faculty"],
    )
    assert "Data the report was built from" in page
    assert "Rows used" in page and "Fellows" in page
    assert reverse("report_download", args=[job.pk, "pdf"]) in page
    assert 'aria-live="polite"' in page
    assert "report-status.js" not in page  # nothing left to poll

    download = faculty_client.get(reverse("report_download", args=[job.pk, "pdf"]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "Benefits report cohorts 1 to 2" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert list(ReportDownload.objects.values_list("job", "user", "fmt")) == [
        (job.pk, role_users["faculty"].pk, "pdf")
    ]


def test_an_identical_request_while_one_is_active_shares_it(
    faculty_client, cohorts, django_capture_on_commit_callbacks
):
    active = ReportJob.objects.create(
        cohort=cohorts[2], suppress_below=5, state=ReportState.RENDERING
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = faculty_client.post(
            reverse("report_request"), {"cohort": cohorts[2].pk, "suppress_below": "5"}, follow=True
        )
    assert response.redirect_chain == [(reverse("report_detail", args=[active.pk]), 302)]
    assert "Someone already requested an identical report" in response.content.decode()
    assert ReportJob.objects.count() == 1 and queued == []


def test_request_form_offers_the_cohorts_and_the_default_threshold(
    faculty_client, cohorts, settings, equality_team
):
    settings.EQUALITY_SUPPRESS_BELOW = 7
    page = faculty_client.get(reverse("report_request")).content.decode()
    for cohort in cohorts.values():
        assert f'<option value="{cohort.pk}"' in page and f"Cohort {cohort.number}" in page
    assert 'name="suppress_below" value="7"' in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"cohort": "999999", "suppress_below": "5"}, "Select a cohort from the list"),
        ({"cohort": "", "suppress_below": "5"}, "Select the latest cohort to cover"),
        ({"suppress_below": "-1"}, "The smallest count must be 0 or more"),
        ({"suppress_below": "1000"}, "The smallest count must be 100 or less"),
        ({"suppress_below": "five"}, "The smallest count must be a whole number"),
        ({"suppress_below": ""}, "Enter the smallest count to show"),
    ],
)
def test_bad_requests_show_errors_and_create_nothing(
    faculty_client, cohorts, data, error, django_capture_on_commit_callbacks, equality_team
):
    data = {"cohort": cohorts[1].pk, **data}
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = faculty_client.post(reverse("report_request"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and error in page
    assert not ReportJob.objects.exists() and queued == []


def test_faculty_list_every_job_with_who_asked_when_and_downloads(
    faculty_client, role_users, cohorts, equality_team
):
    done = finished(cohorts[1], by=role_users["faculty"])
    ReportDownload.objects.create(job=done, user=role_users["faculty"], fmt="pdf")
    ReportDownload.objects.create(job=done, user=role_users["funder"], fmt="pdf")
    ReportJob.objects.create(cohort=cohorts[3], suppress_below=0, state=ReportState.QUEUED)
    ReportJob.objects.create(
        cohort=cohorts[2], suppress_below=5, state=ReportState.FAILED, failure_reason="Broken"
    )

    response = faculty_client.get(reverse("report_list"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('href="/reports/') >= 4
    for text in ("Queued", "Failed", "Done", str(role_users["faculty"]), "Request a report"):
        assert text in page
    assert '<td class="nhsuk-table__cell--numeric">2</td>' in page  # downloads of the done job
    assert reverse("report_download", args=[done.pk, "pdf"]) in page


def test_report_list_queries_do_not_grow_with_the_number_of_jobs(
    faculty_client, role_users, cohorts
):
    finished(cohorts[1], by=role_users["faculty"])
    faculty_client.get(reverse("report_list"))  # warm caches (sessions, roles)
    with CaptureQueriesContext(connection) as one:
        faculty_client.get(reverse("report_list"))
    for n, cohort in enumerate(cohorts.values()):
        finished(cohort, suppress_below=10 + n, by=make_person(Role.FACULTY))
    with CaptureQueriesContext(connection) as four:
        faculty_client.get(reverse("report_list"))
    assert len(four) == len(one)


def test_status_json_while_rendering_and_when_done(faculty_client, cohorts):
    job = ReportJob.objects.create(
        cohort=cohorts[2],
        suppress_below=5,
        state=ReportState.RENDERING,
        progress=30,
        step="Drawing the PDF",
        attempts=1,
    )
    response = faculty_client.get(reverse("report_status", args=[job.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json() == {
        "id": job.pk,
        "state": "rendering",
        "state_label": "Rendering",
        "active": True,
        "progress": 30,
        "step": "Drawing the PDF",
        "failure_reason": "",
        "downloads": {"pdf": None, "xlsx": None},
    }
    done = finished(cohorts[3], xlsx=True)
    status = faculty_client.get(reverse("report_status", args=[done.pk])).json()
    assert (status["state"], status["active"], status["progress"]) == ("done", False, 100)
    assert status["downloads"] == {
        "pdf": reverse("report_download", args=[done.pk, "pdf"]),
        "xlsx": reverse("report_download", args=[done.pk, "xlsx"]),
    }


def test_detail_of_an_active_job_polls_and_offers_a_refresh_link(faculty_client, cohorts):
    job = ReportJob.objects.create(
        cohort=cohorts[2],
        suppress_below=5,
        state=ReportState.RENDERING,
        progress=30,
        step="Drawing the PDF",
    )
    page = faculty_client.get(reverse("report_detail", args=[job.pk])).content.decode()
    assert '<script type="module" src="/static/js/report-status.js"></script>' in page
    assert f'data-report-status-url="{reverse("report_status", args=[job.pk])}"' in page
    assert '<progress id="report-progress" max="100" value="30"' in page
    assert "Drawing the PDF" in page and 'aria-live="polite"' in page
    assert f'href="{reverse("report_detail", args=[job.pk])}" data-report-refresh>Refresh' in page
    assert "<script>" not in page  # no inline script under the CSP


def test_detail_of_a_failed_job_says_why(faculty_client, cohorts):
    job = ReportJob.objects.create(
        cohort=cohorts[2],
        suppress_below=5,
        state=ReportState.FAILED,
        failure_reason="The disk is full.",
    )
    page = faculty_client.get(reverse("report_detail", args=[job.pk])).content.decode()
    assert "The report could not be prepared" in page and "The disk is full." in page
    assert "Request the report again" in page


def test_unknown_format_or_missing_file_is_not_found(faculty_client, cohorts):
    job = finished(cohorts[1])
    assert faculty_client.get(urls(job, "exe")["download"]).status_code == 404
    assert faculty_client.get(urls(job, "xlsx")["download"]).status_code == 404  # no workbook
    queued = ReportJob.objects.create(cohort=cohorts[2], suppress_below=5)
    assert faculty_client.get(urls(queued)["download"]).status_code == 404
    assert not ReportDownload.objects.exists()


def test_reports_are_in_the_menu_of_faculty_and_funders(
    faculty_client, funder_client, fellow_client
):
    link = f'href="{reverse("report_list")}"'
    assert link in faculty_client.get("/").content.decode()
    assert link in funder_client.get("/").content.decode()
    assert link not in fellow_client.get("/").content.decode()


# Funders ----------------------------------------------------------------------------------------


def test_funder_sees_and_downloads_only_finished_reports_covering_cohorts_they_fund(
    funder_client, role_users, cohorts, funder_funds_cohort_2
):
    before = finished(cohorts[1])  # covers 1 only: they funded nothing in it
    covering = finished(cohorts[2], by=role_users["faculty"])
    later = finished(cohorts[3], xlsx=True)  # "as of cohort 3" covers their cohort 2
    rendering = ReportJob.objects.create(
        cohort=cohorts[3], suppress_below=0, state=ReportState.RENDERING
    )
    failed = ReportJob.objects.create(cohort=cohorts[2], suppress_below=0, state=ReportState.FAILED)
    for job in (before, covering, later):  # funders see only released reports
        release(job, by=role_users["faculty"])

    page = funder_client.get(reverse("report_list")).content.decode()
    for job in (covering, later):
        assert urls(job)["detail"] in page and urls(job)["download"] in page
    for job in (before, rendering, failed):
        assert urls(job)["detail"] not in page
    assert "Request a report" not in page

    for job in (covering, later):
        assert funder_client.get(urls(job)["detail"]).status_code == 200
        assert funder_client.get(urls(job)["status"]).status_code == 200
        response = funder_client.get(urls(job)["download"])
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF
    assert funder_client.get(urls(later, "xlsx")["download"]).status_code == 200
    for job in (before, rendering, failed):
        for url in urls(job).values():
            assert funder_client.get(url).status_code == 404, url

    recorded = list(ReportDownload.objects.order_by("pk").values_list("job", "user", "fmt"))
    funder = role_users["funder"].pk
    assert recorded == [
        (covering.pk, funder, "pdf"),
        (later.pk, funder, "pdf"),
        (later.pk, funder, "xlsx"),
    ]
    downloads = AuditEvent.objects.filter(
        action=AuditAction.DOWNLOADED, subject=AuditSubject.REPORT
    )
    assert sorted((e.actor_id, e.reference) for e in downloads) == [
        (funder, f"job {covering.pk}"),
        (funder, f"job {later.pk}"),
        (funder, f"job {later.pk}"),
    ]


def test_funder_of_nothing_sees_no_reports(funder_client, cohorts):
    job = finished(cohorts[2])
    response = funder_client.get(reverse("report_list"))
    assert response.status_code == 200 and urls(job)["detail"] not in response.content.decode()
    assert (
        "There are no finished reports for the cohorts you fund yet." in response.content.decode()
    )
    assert funder_client.get(urls(job)["download"]).status_code == 404


def test_funders_cannot_request_reports(funder_client, cohorts, django_capture_on_commit_callbacks):
    assert funder_client.get(reverse("report_request")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = funder_client.post(
            reverse("report_request"), {"cohort": cohorts[1].pk, "suppress_below": "5"}
        )
    assert response.status_code == 403 and not ReportJob.objects.exists()


# Everyone else ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["outsider", "fellow", "alumnus", "applicant", "supervisor", "panellist"]
)
def test_other_people_are_turned_away(role, role_users, login, cohorts):
    job = finished(cohorts[1])
    c = login(role_users[role])
    assert c.get(reverse("report_list")).status_code == 403
    assert c.get(reverse("report_request")).status_code == 403
    assert (
        c.post(
            reverse("report_request"), {"cohort": cohorts[1].pk, "suppress_below": "5"}
        ).status_code
        == 403
    )
    for url in urls(job).values():
        assert c.get(url).status_code == 403
    assert ReportJob.objects.count() == 1 and not ReportDownload.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, cohorts):
    job = finished(cohorts[1])
    for url in [reverse("report_list"), reverse("report_request"), *urls(job).values()]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ReportDownload.objects.exists()
