"""Two fellows rank projects with the rank selects (no drag and drop), the supervisor ranks them,
faculty run and publish the matching, and a fellow reads why they got their second choice."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from fellowship.enums import Role
from projects.enums import MatchingStatus
from projects.models import MatchingRound, Placement

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, OrganisationFactory, RegionFactory
from ..factories.projects import ApprovedProjectFactory, MatchingRoundFactory
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme():
    cohort = CohortFactory(number=14)
    london = RegionFactory(name="London")
    host = OrganisationFactory(name="Barts Health NHS Trust")
    supervisor = make_person(Role.SUPERVISOR, full_name="Dr Ada Quill")
    triage = ApprovedProjectFactory(
        cohort=cohort, region=london, supervisor=supervisor, host_organisation=host,
        title="Chest X-ray triage", capacity=1,
    )  # fmt: skip
    sepsis = ApprovedProjectFactory(
        cohort=cohort, region=london, supervisor=supervisor, host_organisation=host,
        title="Sepsis early warning", capacity=1,
    )  # fmt: skip
    fellows = [
        FellowFactory(
            cohort=cohort,
            region=london,
            ref=f"F-14-{n}",
            full_name=name,
            user=make_person(Role.FELLOW, full_name=name),
        )
        for n, name in enumerate(["Priya Raman", "Tomasz Wilkes"], start=1)
    ]
    MatchingRoundFactory(cohort=cohort)
    return {
        "cohort": cohort,
        "supervisor": supervisor,
        "triage": triage,
        "sepsis": sepsis,
        "fellows": fellows,
    }


def test_rank_run_publish_and_read_the_explanation(live_server, browser, page, tmp_path, programme):
    base = live_server.url
    priya, tomasz = programme["fellows"]
    shot = iter(range(1, 100))

    def screenshot(where, name, readme=""):
        check_page(where, f"{next(shot):02d}-{name}", tmp_path, readme=readme)

    # Priya ranks both projects; a repeated rank is refused first, with her choices kept.
    sign_in(page, base, priya.user)
    expect(page.get_by_role("link", name="Rank the projects").first).to_be_visible()
    page.goto(base + "/projects/choices/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rank the AI projects")
    page.get_by_label("Rank for Chest X-ray triage").select_option("1")
    page.get_by_label("Rank for Sepsis early warning").select_option("1")
    page.get_by_role("button", name="Save your ranking").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Rank for Sepsis early warning")).to_have_value("1")
    screenshot(page, "ranking-error")
    page.get_by_label("Rank for Sepsis early warning").select_option("2")
    page.get_by_role("button", name="Save your ranking").click()
    expect(page.get_by_text("Your ranking has been saved: 2 projects ranked.")).to_be_visible()
    screenshot(page, "ranking-saved")
    sign_out(page, base)

    # Tomasz ranks only the chest X-ray project.
    sign_in(page, base, tomasz.user)
    page.goto(base + "/projects/choices/")
    page.get_by_label("Rank for Chest X-ray triage").select_option("1")
    page.get_by_role("button", name="Save your ranking").click()
    expect(page.get_by_text("Your ranking has been saved: 1 project ranked.")).to_be_visible()
    sign_out(page, base)

    # The supervisor ranks Tomasz above Priya.
    supervisor = programme["supervisor"]
    sign_in(page, base, supervisor)
    page.get_by_role("link", name="Rank the fellows who chose your projects").click()
    page.get_by_label("Rank for Tomasz Wilkes").select_option("1")
    page.get_by_label("Rank for Priya Raman").select_option("2")
    screenshot(page, "supervisor-ranking")
    page.get_by_role("button", name="Save the ranking").click()
    expect(page.get_by_text("The ranking of fellows has been saved.")).to_be_visible()
    sign_out(page, base)

    # Faculty run the matching, review it and publish it.
    faculty = make_person(Role.FACULTY, full_name="Dr Nadia Farrow")
    staff = browser.new_context()
    staff_page = staff.new_page()
    sign_in(staff_page, base, faculty, mfa=True)
    staff_page.goto(base + "/projects/matching/")
    staff_page.get_by_role("link", name="Manage the matching for Cohort 14").click()
    expect(staff_page.get_by_text("Fellows who have ranked")).to_be_visible()
    staff_page.get_by_role("button", name="Run the matching").click()
    staff_page.wait_for_url(f"{base}/projects/matching/14/allocation/")
    expect(staff_page.get_by_text("The matching has run: 2 of 2 fellows matched")).to_be_visible()
    expect(
        staff_page.get_by_text("No fellow and project would both prefer each other")
    ).to_be_visible()
    expect(staff_page.get_by_role("row").filter(has_text="Priya Raman")).to_contain_text(
        "Sepsis early warning"
    )
    screenshot(staff_page, "allocation", readme="faculty-matching-allocation")
    # Faculty check what moving Priya to her first choice would break, and leave it.
    staff_page.get_by_role("link", name="Change the project of Priya Raman").click()
    staff_page.get_by_label("Project").select_option(label="Chest X-ray triage (London)")
    staff_page.get_by_role("button", name="Check this change").click()
    expect(staff_page.get_by_text("This change breaks the matching's guarantees")).to_be_visible()
    expect(
        staff_page.get_by_text("Over capacity: Chest X-ray triage would have 2 fellows for 1 place")
    ).to_be_visible()
    screenshot(staff_page, "override-preview")
    staff_page.get_by_role("link", name="Cancel").click()
    staff_page.wait_for_url(f"{base}/projects/matching/14/allocation/")
    staff_page.get_by_role("button", name="Publish the matching").click()
    expect(staff_page.get_by_text("The matching is published.")).to_be_visible()
    screenshot(staff_page, "published")
    assert MatchingRound.objects.get().status == MatchingStatus.PUBLISHED
    placements = {
        p.fellow.ref: p.project.title for p in Placement.objects.select_related("fellow", "project")
    }
    assert placements == {"F-14-1": "Sepsis early warning", "F-14-2": "Chest X-ray triage"}
    assert {m.to[0] for m in mail.outbox} >= {priya.user.email, tomasz.user.email, supervisor.email}
    staff.close()

    # Priya reads why she got her second choice.
    sign_in(page, base, priya.user)
    page.get_by_role("link", name="See your matching result").click()
    expect(page.get_by_text("This was your choice number 2.")).to_be_visible()
    expect(page.get_by_text("Your choice 1: Chest X-ray triage")).to_be_visible()
    expect(
        page.get_by_text("Its place went to a fellow its supervisor ranked higher than you.")
    ).to_be_visible()
    expect(page.get_by_text("Tomasz Wilkes")).to_have_count(0)
    screenshot(page, "result")
