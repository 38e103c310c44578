"""The programme team's week: faculty see on their home page that the fellows of a cohort have no
account and invite them all at once (their addresses come from the programme's records); one fellow
accepts from the e-mail and answers the survey their home page lists; then the funder of that
cohort finds the new report on its home page and downloads it."""

from __future__ import annotations

import datetime
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from fellowship.enums import FellowStatus, Role
from fellowship.models import Fellow, User
from reports import services as reports
from reports.models import ReportDownload
from surveys import distribution
from surveys import services as surveys
from surveys.enums import Audience

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, FunderFactory
from ..reports.drafts import confirm_and_release
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THEMES = [
    "ai_fundamentals",
    "regulation_standards",
    "validation_evaluation",
    "integration_systems",
    "strategy_culture",
]


def test_faculty_invite_a_cohort_a_fellow_answers_a_survey_and_the_funder_downloads_the_report(
    live_server, page, tmp_path
):
    base = live_server.url
    shot = iter(range(1, 100))

    def screenshot(name):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path)

    year = datetime.date.today().year
    cohort = CohortFactory(
        number=3, start_date=datetime.date(year - 1, 9, 1), end_date=datetime.date(year, 8, 31)
    )
    health_board = FunderFactory(name="Northern Health Board")
    people = [
        ("C3-001", "Nia Okoro", "nia.okoro@example.org"),
        ("C3-002", "Tom Reyes", "tom.reyes@example.org"),
        ("C3-003", "Ama Boateng", ""),
    ]
    for ref, name, email in people:
        FellowFactory(
            ref=ref,
            full_name=name,
            email=email,
            cohort=cohort,
            funder=health_board,
            user=None,
            status=FellowStatus.IN_POST,
        )
    faculty = make_person(Role.FACULTY, full_name="Fay Faculty")
    contact = make_person(Role.FUNDER, funder=health_board, full_name="Gwen Funder")

    # Faculty: the home page says three fellows in post have no account, and leads to them.
    sign_in(page, base, faculty, mfa=True)
    expect(page.get_by_role("heading", name="Your next tasks")).to_be_visible()
    screenshot("faculty-home")
    page.get_by_role("link", name="3 fellows in post without an account").click()
    expect(page.get_by_text("3 fellows", exact=True)).to_be_visible()
    page.get_by_role("link", name="Invite fellows without an account").click()
    page.get_by_text("Invite the fellows of a cohort who have no account").click()
    page.get_by_role("link", name="Cohort 3").click()
    expect(
        page.get_by_role("heading", name="Fellows of Cohort 3 without an account")
    ).to_be_visible()
    # The two addresses on record are filled in with each fellow's reference; the third has none.
    expect(page.get_by_label("People to invite")).to_have_value(
        "C3-001, nia.okoro@example.org\nC3-002, tom.reyes@example.org"
    )
    expect(page.get_by_label("Fellow", exact=True)).to_be_checked()
    screenshot("invite-cohort")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations sent")
    expect(page.get_by_text("2 of 2 done")).to_be_visible()
    page.goto(base + "/")
    expect(page.get_by_role("link", name="2 invitations waiting for an answer")).to_be_visible()
    sign_out(page, base)

    # Nia accepts from her e-mail and lands on her home page, linked to her fellowship record.
    message = next(m for m in mail.outbox if m.to == ["nia.okoro@example.org"])
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    page.goto(base + "/" + link.split("://", 1)[1].split("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    page.get_by_label("Full name").fill("Nia Okoro")
    page.get_by_label("Create a password").fill("a-long-Passphrase-42")
    page.get_by_label("Type the password again").fill("a-long-Passphrase-42")
    page.get_by_role("button", name="Create account and accept").click()
    page.wait_for_url(base + "/")
    nia = User.objects.get(email="nia.okoro@example.org")
    assert Fellow.objects.get(ref="C3-001").user == nia and nia.roles == {Role.FELLOW}

    # Faculty send the cohort's exit survey (the survey journey drives that page); Nia's home lists it.
    survey = surveys.create_from_template("exit_survey", by=faculty, title="Exit survey: Cohort 3")
    now = timezone.now()
    distribution.send(
        survey,
        distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=cohort),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=14),
        by=faculty,
    )
    page.goto(base + "/")
    page.get_by_role("link", name="1 survey to answer").click()
    page.get_by_role("link", name="Exit survey: Cohort 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exit survey: Cohort 3")
    page.get_by_label("Strongly recommend").check()
    for theme in THEMES:
        page.locator(f"input[name='achieved__{theme}'][value='yes']").check()
        page.locator(f"input[name='apply__{theme}'][value='yes']").check()
    page.locator("input[name='valuable__project_placement'][value='strongly_agree']").check()
    page.locator("input[name='archetypes'][value='embedder']").check()
    page.locator("input[name='career_next_12_months'][value='msc_phd_in_ai']").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your answers")).to_be_visible()
    page.goto(base + "/")
    expect(page.get_by_role("link", name="1 survey to answer")).to_have_count(0)
    screenshot("fellow-home")
    sign_out(page, base)

    # The report covering cohort 3 is made (a worker runs it); its funder is told and downloads it.
    job, _ = reports.request_report(
        cohort, suppress_below=settings.EQUALITY_SUPPRESS_BELOW, by=faculty
    )
    reports.run_report(job.pk)
    # Faculty release it (the funder sees only released reports).
    confirm_and_release(job, by=faculty)
    sign_in(page, base, contact, mfa=True)
    expect(page.get_by_role("heading", name="Programmes you fund")).to_be_visible()
    screenshot("funder-home")
    page.get_by_role("link", name="1 new benefits report to read").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benefits reports")
    page.get_by_role("link", name="Cohorts 1 to 3", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (PDF)").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert ReportDownload.objects.filter(job=job, user=contact, fmt="pdf").exists()
    page.goto(base + "/")
    expect(page.get_by_role("link", name="1 new benefits report to read")).to_have_count(0)
