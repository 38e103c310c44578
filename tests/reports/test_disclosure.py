"""The benefits report under the disclosure-control policy, attacked by an insider.

A faculty member without the equality permission edits the preview's URL and the request form to
lower (or raise) the equality threshold; a funder edits report URLs to reach a report made for
the equality team alone; anyone reads a count hidden as [c] from the workbook or the chart; and
two reports a little apart, while a round is open, would differ by the latest applicant.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fellowship.enums import Role
from fellowship.models import Cohort
from reports import services
from reports.enums import ReportState
from reports.evidence import compute_evidence
from reports.models import ReportJob
from reports.render import render_html, report_charts
from reports.xlsx import render_xlsx

from ..factories import FundedPostFactory, RoundFactory
from .drafts import release
from .history import SMALL_GENDER, load_small_history

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def cohort2():
    load_small_history()
    return Cohort.objects.get(number=2)


@pytest.fixture
def equality_faculty(login, person):
    user = person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    return user


def preview(client, **params):
    return client.get(reverse("report_preview", args=[2]), params)


# Lowering (or raising) the threshold --------------------------------------------------------


@pytest.mark.parametrize("asked", ["0", "3", "6"])
def test_faculty_without_the_equality_permission_cannot_preview_another_threshold(
    faculty_client, cohort2, asked
):
    response = preview(faculty_client, suppress_below=asked)
    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot choose another threshold for equality counts" in page
    assert "permission to see equality monitoring" in page
    assert "3 (9%)" not in page  # the small count stays hidden


def test_the_policy_threshold_and_no_threshold_preview_for_any_faculty(faculty_client, cohort2):
    for params in ({}, {"suppress_below": "5"}):
        response = preview(faculty_client, **params)
        assert response.status_code == 200
        assert "3 (9%)" not in response.content.decode()


def test_faculty_with_the_equality_permission_may_preview_below_the_policy(
    login, equality_faculty, cohort2
):
    response = preview(login(equality_faculty), suppress_below="0")
    assert response.status_code == 200
    assert "3 (9%)" in response.content.decode()


@pytest.mark.parametrize("asked", ["0", "7"])
def test_faculty_without_the_equality_permission_cannot_request_another_threshold(
    faculty_client, cohort2, asked
):
    form = faculty_client.get(reverse("report_request")).content.decode()
    assert 'name="suppress_below"' not in form  # only the policy's threshold is offered
    response = faculty_client.post(
        reverse("report_request"), {"cohort": cohort2.pk, "suppress_below": asked}
    )
    assert response.status_code == 403
    assert "You cannot choose another threshold" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_faculty_without_the_permission_get_the_policy_threshold(
    faculty_client, cohort2, settings, django_capture_on_commit_callbacks
):
    settings.EQUALITY_SUPPRESS_BELOW = 6
    with django_capture_on_commit_callbacks(execute=False):
        response = faculty_client.post(reverse("report_request"), {"cohort": cohort2.pk})
    assert response.status_code == 302
    assert ReportJob.objects.get().suppress_below == 6


def test_the_service_refuses_another_threshold_to_anyone_without_the_permission(
    cohort2, person, equality_faculty, django_capture_on_commit_callbacks
):
    for by in (person(Role.FACULTY), None):
        with pytest.raises(PermissionDenied):
            services.request_report(cohort2, suppress_below=0, by=by)
    assert not ReportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        job, created = services.request_report(cohort2, suppress_below=0, by=equality_faculty)
    assert created and job.suppress_below == 0


# Who sees an internal report ------------------------------------------------------------------


def finished(cohort, suppress_below: int) -> ReportJob:
    job = ReportJob.objects.create(
        cohort=cohort,
        suppress_below=suppress_below,
        state=ReportState.DONE,
        progress=100,
        finished_at=timezone.now(),
        built_from={"suppress_below": suppress_below, "counts": []},
    )
    job.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    job.xlsx.save("report.xlsx", ContentFile(b"PK\x03\x04"))
    return job


def job_urls(job) -> list[str]:
    return [
        reverse("report_detail", args=[job.pk]),
        reverse("report_status", args=[job.pk]),
        reverse("report_download", args=[job.pk, "pdf"]),
        reverse("report_download", args=[job.pk, "xlsx"]),
    ]


def test_a_funder_never_reaches_a_report_at_another_threshold_by_editing_urls(
    funder_client, role_users, cohort2
):
    funder = role_users["funder"].role_grants.get(role=Role.FUNDER).funder
    FundedPostFactory(funder=funder, cohort=cohort2)
    policy_job, below, above = finished(cohort2, 5), finished(cohort2, 0), finished(cohort2, 10)
    for job in (policy_job, below, above):  # released, as funders see only released reports
        release(job, by=role_users["faculty"])
    listing = funder_client.get(reverse("report_list")).content.decode()
    assert reverse("report_detail", args=[policy_job.pk]) in listing
    for job in (below, above):
        assert reverse("report_detail", args=[job.pk]) not in listing
        for url in job_urls(job):
            assert funder_client.get(url).status_code == 404, url
    for url in job_urls(policy_job):
        assert funder_client.get(url).status_code == 200, url


def test_faculty_without_the_permission_do_not_reach_an_internal_report_either(
    faculty_client, login, equality_faculty, cohort2
):
    internal = finished(cohort2, 0)
    for url in job_urls(internal):
        assert faculty_client.get(url).status_code == 404, url
        assert login(equality_faculty).get(url).status_code == 200, url
    assert (
        reverse("report_detail", args=[internal.pk])
        not in faculty_client.get(reverse("report_list")).content.decode()
    )


# What a report shows ------------------------------------------------------------------------


def test_a_count_hidden_to_protect_another_is_c_everywhere_and_has_no_number(cohort2):
    """Cohort 2: not stated (3) is small; non-binary (6) is hidden to protect it."""
    evidence = compute_evidence(2)
    rows = {row.label: row for row in evidence.objective4.gender}
    assert rows["Non-binary"].applicants.text == "[c]"
    assert rows["Not stated"].applicants.text == "<5"
    html = render_html(evidence)
    assert "[c] means a count hidden" in html and "&lt;5 means fewer than 5 people" in html
    # The workbook: the symbol, never the number or a percentage.
    book = load_workbook(io.BytesIO(render_xlsx(evidence)))
    sheet = list(book["Objective 4"].iter_rows(values_only=True))
    (row,) = [r for r in sheet if r[0] == "Gender of applicants, cohort 2" and r[1] == "Non-binary"]
    assert row[2:] == (None, sum(SMALL_GENDER.values()), None, "[c]")
    notes = [r[1] for r in sheet if r[0] == "Gender, cohort 2: notes"]
    assert any(n.startswith("[c] means") for n in notes) and any(
        n.startswith("<5 means") for n in notes
    )
    # The chart: no bar for a hidden count, only its symbol.
    chart = ET.fromstring(report_charts(evidence)["gender"])  # noqa: S314  (our own output)
    texts = [t.text for t in chart.iter(f"{SVG}text")]
    assert "[c]" in texts and "6 (18%)" not in texts
    bars = [r for r in chart.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 3  # male, female, other applicants: nothing hidden is drawn


def test_rounding_rounds_the_reports_counts_and_says_so(cohort2, settings):
    settings.EQUALITY_ROUND_TO = 5
    evidence = compute_evidence(2)
    rows = {row.label: row for row in evidence.objective4.gender}
    total = sum(SMALL_GENDER.values())  # 34, not rounded: it is not equality data
    # Male 10, female 8 and other 7 are shown as 10, 10 and 5, with their percentages of 34.
    assert [rows[x].applicants.text for x in ("Male", "Female", "Other")] == [
        "10 (29%)",
        "10 (29%)",
        "5 (15%)",
    ]
    assert evidence.objective4.applicants == total
    assert any("rounded to the nearest 5" in note for note in evidence.objective4.footnotes)
    assert "rounded to the nearest 5" in render_html(evidence)


def test_a_cohort_still_recruiting_has_no_equality_figures(cohort2):
    """Two reports a little apart would otherwise differ by the latest applicant."""
    RoundFactory(cohort=cohort2)  # a second round for cohort 2, open now
    evidence = compute_evidence(2)
    o4 = evidence.objective4
    assert o4.recruiting and o4.gender == () and not o4.applicants
    assert "gender" not in report_charts(evidence)
    html = render_html(evidence)
    assert "appears once its recruitment has closed" in html and "10 (29%)" not in html
    book = load_workbook(io.BytesIO(render_xlsx(evidence)))
    sheet = list(book["Objective 4"].iter_rows(values_only=True))
    assert not [r for r in sheet if r[0].startswith("Gender of")]
    assert any("recruitment has closed" in str(r[1]) for r in sheet)
