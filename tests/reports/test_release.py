"""A finished report is a draft only faculty see; funders see it once faculty release it, never
before: not by the list, the detail page, the status poll or a download URL edited by hand. Only
faculty release, and a funder of other cohorts never sees it."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from reports import services
from reports.enums import ReportState
from reports.models import ReportJob, ReportSection

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, FunderFactory
from .drafts import drawn_with_todays_words

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a stored report\n%%EOF\n"


@pytest.fixture
def setting(login):
    """Cohorts 1-2; `ours` funds a fellow of cohort 2, `other` only of cohort 3; a finished draft
    as of cohort 2 whose figures bear out every claim."""
    _one, two, three = (CohortFactory(number=n) for n in (1, 2, 3))
    ours, other = FunderFactory(name="Ours"), FunderFactory(name="Other")
    FellowFactory(cohort=two, funder=ours)
    FellowFactory(cohort=three, funder=other)
    job = ReportJob.objects.create(
        cohort=two,
        suppress_below=5,
        state=ReportState.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    job.pdf.save("report.pdf", ContentFile(PDF))
    job.xlsx.save("report.xlsx", ContentFile(b"PK\x03\x04 workbook"))
    drawn_with_todays_words(job)
    faculty = make_person(Role.FACULTY, full_name="Fran Faculty")
    return {
        "job": job,
        "faculty": faculty,
        "faculty_client": login(faculty),
        "funder": login(make_person(Role.FUNDER, funder=ours)),
        "other_funder": login(make_person(Role.FUNDER, funder=other)),
    }


def urls(job) -> list[str]:
    return [
        reverse("report_detail", args=[job.pk]),
        reverse("report_status", args=[job.pk]),
        reverse("report_download", args=[job.pk, "pdf"]),
        reverse("report_download", args=[job.pk, "xlsx"]),
    ]


def assert_hidden(client, job):
    listing = client.get(reverse("report_list")).content.decode()
    assert reverse("report_detail", args=[job.pk]) not in listing
    for url in urls(job):
        assert client.get(url).status_code == 404, url


def test_funders_never_see_an_unreleased_report(setting):
    job = setting["job"]
    assert_hidden(setting["funder"], job)
    # Faculty see the draft and may download it.
    assert setting["faculty_client"].get(urls(job)[2]).status_code == 200


def test_funders_see_the_report_once_faculty_release_it_from_its_page(setting):
    job, client = setting["job"], setting["faculty_client"]
    page = client.get(reverse("report_detail", args=[job.pk])).content.decode()
    assert "Release the report" in page and "No: not released" in page
    response = client.post(reverse("report_release", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.released_by == setting["faculty"] and job.released_at is not None
    funder = setting["funder"]
    assert (
        reverse("report_detail", args=[job.pk])
        in funder.get(reverse("report_list")).content.decode()
    )
    for url in urls(job):
        assert funder.get(url).status_code == 200, url
    page = client.get(reverse("report_detail", args=[job.pk])).content.decode()
    assert "Yes: released by Fran Faculty" in page and "Release the report" not in page


def test_a_funder_of_other_cohorts_never_sees_a_released_report(setting):
    services.release_report(setting["job"], by=setting["faculty"])
    assert_hidden(setting["other_funder"], setting["job"])


@pytest.mark.parametrize(
    "role", [Role.FUNDER, Role.FELLOW, Role.SUPERVISOR, Role.PANELLIST, Role.APPLICANT, None]
)
def test_only_faculty_may_release(setting, login, role):
    job = setting["job"]
    person = make_person(role) if role else make_person()
    assert login(person).post(reverse("report_release", args=[job.pk])).status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.release_report(job, by=person)
    job.refresh_from_db()
    assert job.released_at is None and job.release_requested_at is None


def test_release_by_get_or_signed_out_changes_nothing(setting, client):
    job = setting["job"]
    assert (
        setting["faculty_client"].get(reverse("report_release", args=[job.pk])).status_code == 405
    )
    response = client.post(reverse("report_release", args=[job.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    job.refresh_from_db()
    assert job.released_at is None


def test_a_report_is_released_once(setting):
    job, faculty = setting["job"], setting["faculty"]
    services.release_report(job, by=faculty)
    other = make_person(Role.FACULTY)
    with pytest.raises(services.ReleaseRefused, match="already released"):
        services.release_report(job, by=other)
    response = setting["faculty_client"].post(reverse("report_release", args=[job.pk]), follow=True)
    assert "This report is already released" in response.content.decode()
    job.refresh_from_db()
    assert job.released_by == faculty


@pytest.mark.parametrize("state", [ReportState.QUEUED, ReportState.RENDERING, ReportState.FAILED])
def test_an_unfinished_report_cannot_be_released(setting, state):
    job = ReportJob.objects.create(cohort=setting["job"].cohort, suppress_below=0, state=state)
    with pytest.raises(services.ReleaseRefused, match="Only a finished report"):
        services.release_report(job, by=setting["faculty"])
    job.refresh_from_db()
    assert job.released_at is None


def test_changed_words_are_drawn_again_before_release_and_funders_get_them(setting):
    """The PDF a funder downloads carries the released words: a draft whose words changed is
    queued, drawn again, and only then released."""
    faculty = setting["faculty"]
    job, _ = services.request_report(setting["job"].cohort, suppress_below=5, by=faculty)
    services.run_report(job.pk)  # the draft, drawn for real
    job.refresh_from_db()
    for claim in services.unresolved_claims(job):
        services.resolve_claim(job, claim["key"], by=faculty)
    services.save_section(job, "lessons", text="- Fellows learn best on live projects.", by=faculty)
    draft_pdf = job.pdf.name
    job = services.release_report(job, by=faculty)
    assert (job.state, job.released_at, job.release_requested_by) == (
        ReportState.QUEUED,
        None,
        faculty,
    )
    assert_hidden(setting["funder"], job)  # not yet
    with pytest.raises(services.ReportNotEditable):
        services.save_section(job, "lessons", text="Changed while it renders", by=faculty)
    services.run_report(job.pk)
    job.refresh_from_db()
    assert job.state == ReportState.DONE and job.released_by == faculty
    assert job.built_from["sections"] == {"lessons": "- Fellows learn best on live projects."}
    assert job.pdf.name != draft_pdf and not job.pdf.storage.exists(draft_pdf)  # the draft is gone
    response = setting["funder"].get(reverse("report_download", args=[job.pk, "pdf"]))
    body = b"".join(response.streaming_content)
    with job.pdf.open("rb") as stored:
        assert body == stored.read() and body.startswith(b"%PDF")
    # Released: its words can no longer change.
    with pytest.raises(services.ReportNotEditable):
        services.save_section(job, "lessons", text="After release", by=faculty)
    assert ReportSection.objects.get(job=job).text == "- Fellows learn best on live projects."


def test_an_internal_report_is_never_shown_to_funders_even_released(setting):
    job = setting["job"]
    job.suppress_below = 0
    job.save(update_fields=["suppress_below"])
    services.release_report(job, by=setting["faculty"])
    assert_hidden(setting["funder"], job)


def test_funder_home_counts_only_released_reports(setting):
    page = setting["funder"].get("/").content.decode()
    assert "0 finished reports cover the cohorts you fund" in page
    services.release_report(setting["job"], by=setting["faculty"])
    page = setting["funder"].get("/").content.decode()
    assert "1 finished report" in page


def test_a_report_compares_its_key_figures_with_the_last_released_report(setting):
    """Stretch: "What changed since the last report" is drawn from the figures each report keeps."""
    from reports.services import _report_words
    from reports.wording import report_wording

    earlier = setting["job"]
    services.release_report(earlier, by=setting["faculty"])
    job = ReportJob.objects.create(cohort=earlier.cohort, suppress_below=5, state=ReportState.DONE)
    figures = {**earlier.built_from["figures"], "fellows": 14, "graduates": 5, "publications": 1}
    changes = _report_words(job, figures, report_wording())["changes"]
    assert changes["cohort"] == 2
    rows = {row["label"]: row for row in changes["rows"]}
    assert rows["Fellow places filled"] == {
        "label": "Fellow places filled",
        "before": 10,
        "now": 14,
        "change": "+4",
    }
    assert rows["Graduates"]["change"] == "No change"
    assert rows["Publications"]["change"] == "\u22121"
    from reports.evidence import compute_evidence
    from reports.render import render_html

    wording = report_wording()
    html = render_html(
        compute_evidence(2), wording=wording, words=_report_words(job, figures, wording)
    )
    assert html.count('href="#changes"') == 1
    page = html.split('id="changes"')[1].split("</section>")[0]
    assert "cohorts 1 to 2" in page and '<td class="num">+4</td>' in page
    # The first report released has nothing to compare with, nor does an internal one.
    assert _report_words(earlier, figures, report_wording())["changes"] is None
    job.suppress_below = 0
    assert _report_words(job, figures, report_wording())["changes"] is None
