"""A supervisor proposes an AI project and submits it; a faculty reviewer asks for a revision on
one checklist item; the supervisor reads the feedback, revises and resubmits; the reviewer approves."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from fellowship.enums import Role
from fellowship.models import CurriculumTheme
from projects.enums import ChecklistGroup, ProposalStatus
from projects.models import ChecklistItem, ClinicalDomain, Project

from ..conftest import make_person
from ..factories import CohortFactory, OrganisationFactory, RegionFactory
from .helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme():
    """What the template chooses from. Transactional tests empty the tables that migrations
    seeded, so the checklist, domains and themes are made here if they are missing."""
    next_year = datetime.date.today().year + 1
    CohortFactory(
        number=12,
        start_date=datetime.date(next_year, 9, 1),
        end_date=datetime.date(next_year + 1, 8, 31),
    )
    OrganisationFactory(name="Leeds Teaching Hospitals NHS Trust")
    RegionFactory(name="North East and Yorkshire")
    ClinicalDomain.objects.get_or_create(name="Radiology")
    CurriculumTheme.objects.get_or_create(key="safety", defaults={"name": "Patient safety"})
    if not ChecklistItem.objects.filter(active=True).exists():
        for position, (group, text) in enumerate(
            [
                (ChecklistGroup.RISK, "A hazard log lists the clinical hazards"),
                (ChecklistGroup.ROLES, "A named clinical safety officer"),
                (ChecklistGroup.RESOURCES, "Protected time for supervision is agreed"),
                (ChecklistGroup.EDUCATION, "Educational aims are mapped to the curriculum"),
            ]
        ):
            ChecklistItem.objects.create(group=group, text=text, position=position)


def test_propose_review_revise_and_approve(live_server, browser, page, tmp_path, programme):
    base = live_server.url
    supervisor = make_person(Role.SUPERVISOR, full_name="Sam Okafor")
    reviewer = make_person(Role.FACULTY, full_name="Fran Reviewer")
    shot = iter(range(1, 100))

    def screenshot(where, name, readme=""):
        check_page(where, f"{next(shot):02d}-{name}", tmp_path, readme=readme)

    # The supervisor drafts a proposal on the standard template and saves it.
    sign_in(page, base, supervisor)
    page.goto(base + "/projects/proposals/")
    expect(page.get_by_text("You have not proposed a project yet")).to_be_visible()
    page.get_by_role("link", name="Propose a project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose an AI project")
    page.get_by_label("Cohort", exact=True).select_option(label="Cohort 12")
    page.get_by_label("Project title").fill("Chest X-ray triage in the emergency department")
    page.get_by_label("Host organisation").select_option(label="Leeds Teaching Hospitals NHS Trust")
    page.get_by_label("Region").select_option(label="North East and Yorkshire")
    page.get_by_label("Clinical domain").select_option(label="Radiology")
    page.get_by_label("AI modality").select_option(label="Imaging")
    page.get_by_label("Summary", exact=True).fill("Flag urgent chest X-rays for early reporting.")
    page.get_by_label("Clinical problem").fill("Reporting backlogs delay urgent findings.")
    page.get_by_label("AI product", exact=True).fill("ChestScan")
    page.get_by_label("Regulatory status").select_option(label="UKCA/CE class IIa")
    page.get_by_label("Deployment setting").fill("Emergency department, two sites.")
    page.get_by_label("Data", exact=True).fill("Chest X-rays from 2019 to 2024.")
    page.get_by_label("Clinical safety officer").fill("Dr Safety")
    page.get_by_label("Information governance lead").fill("Ms Governance")
    page.get_by_label("Technical lead").fill("Mr Technical")
    page.get_by_label("Data access", exact=True).fill("Trusted research environment, approved.")
    page.get_by_label("Protected time", exact=True).fill("One day a week for the fellow.")
    page.get_by_label("Hazard", exact=True).fill("Missed pneumothorax")
    page.get_by_label("Cause", exact=True).fill("Small apical pneumothorax")
    page.get_by_label("Effect", exact=True).fill("Delayed treatment")
    page.get_by_label("Severity", exact=True).select_option(label="Major")
    page.get_by_label("Likelihood", exact=True).select_option(label="Low")
    page.get_by_label("Mitigation", exact=True).fill("A radiologist reads every image.")
    page.get_by_label("Curriculum theme").select_option(label="Patient safety")
    page.get_by_label("What the fellow will learn").fill("Run a clinical safety case.")
    page.get_by_label("Milestone", exact=True).fill("Baseline audit")
    page.get_by_label("Target month").fill("3")
    screenshot(page, "proposal-form")
    page.get_by_role("button", name="Save draft").click()

    project = Project.objects.get(supervisor=supervisor)
    page.wait_for_url(f"{base}/projects/{project.ref}/")
    expect(page.get_by_text("Your draft has been saved")).to_be_visible()
    expect(page.get_by_text("Every required part of the template is complete")).to_be_visible()
    expect(page.get_by_text("3 of 5")).to_be_visible()  # major × low: clinical risk 3
    screenshot(page, "draft")
    page.get_by_role("button", name="Submit proposal").click()
    expect(page.get_by_text("Your proposal has been submitted")).to_be_visible()
    project.refresh_from_db()
    assert project.status == ProposalStatus.SUBMITTED
    assert [m.to for m in mail.outbox] == [[reviewer.email]]

    # The reviewer asks for a revision on one checklist item.
    items = list(ChecklistItem.objects.filter(active=True))
    officer = next((i for i in items if "clinical safety officer" in i.text), items[0])
    staff = browser.new_context()
    review_page = staff.new_page()
    sign_in(review_page, base, reviewer, mfa=True)
    review_page.goto(f"{base}/projects/{project.ref}/review/")
    expect(review_page.get_by_role("heading", level=1)).to_contain_text(project.title)
    for item in items:
        value = "not_met" if item == officer else "met"
        review_page.locator(f"input[name='item-{item.pk}-answer'][value='{value}']").check()
    review_page.locator(f"textarea[name='item-{officer.pk}-comment']").fill(
        "Name a clinical safety officer with DCB0160 training at the deploying trust."
    )
    review_page.locator("input[name='decision'][value='revise']").check()
    screenshot(review_page, "review-revise", readme="faculty-proposal-review")
    review_page.get_by_role("button", name="Record your review").click()
    review_page.wait_for_url(f"{base}/projects/vetting/queue/")
    project.refresh_from_db()
    assert project.status == ProposalStatus.REVISE

    # The supervisor reads the feedback item by item, revises and resubmits.
    page.goto(f"{base}/projects/{project.ref}/")
    expect(page.get_by_role("heading", name="Feedback on version 1")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=officer.text)
    expect(row).to_contain_text("Not met")
    expect(row).to_contain_text("DCB0160 training")
    screenshot(page, "feedback")
    page.get_by_role("link", name="Change your proposal").first.click()
    page.get_by_label("Clinical safety officer").fill("Dr Priya Shah, DCB0160 trained")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft has been saved")).to_be_visible()
    page.get_by_role("button", name="Resubmit proposal").click()
    expect(page.get_by_text("Version 2 of your proposal has been submitted")).to_be_visible()
    project.refresh_from_db()
    assert project.status == ProposalStatus.RESUBMITTED

    page.get_by_role("link", name="Compare with version 1").click()
    changed = page.get_by_role("row").filter(has_text="Clinical safety officer")
    expect(changed).to_contain_text("Dr Safety")
    expect(changed).to_contain_text("Dr Priya Shah, DCB0160 trained")
    screenshot(page, "compare")

    # The reviewer approves the resubmission.
    review_page.goto(f"{base}/projects/{project.ref}/review/")
    expect(review_page.get_by_text("Read the proposal as submitted (version 2)")).to_be_visible()
    for item in items:
        review_page.locator(f"input[name='item-{item.pk}-answer'][value='met']").check()
    review_page.locator("input[name='decision'][value='approved']").check()
    review_page.get_by_role("button", name="Record your review").click()
    review_page.wait_for_url(f"{base}/projects/vetting/queue/")
    screenshot(review_page, "approved")
    project.refresh_from_db()
    assert project.status == ProposalStatus.APPROVED

    page.goto(f"{base}/projects/proposals/")
    expect(page.get_by_role("row").filter(has_text=project.title)).to_contain_text("Approved")
    screenshot(page, "list")
    staff.close()
