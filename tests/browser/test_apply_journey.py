"""An applicant applies from start to finish in a real browser, leaving and coming back on the way,
and loses nothing typed when their session runs out."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from fellowship.enums import Role
from recruitment.enums import Stage
from recruitment.models import Application, EqualityRecord, Statement

from ..conftest import make_person
from ..factories import PASSWORD, CriterionFactory, EligibilityFactory, RegionFactory, RoundFactory
from .helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def open_round():
    rnd = RoundFactory(
        name="Cohort 9 national recruitment",
        closes_at=timezone.now() + datetime.timedelta(days=3, hours=4, minutes=30),
    )
    EligibilityFactory(round=rnd, region=RegionFactory(name="North East"))
    CriterionFactory(round=rnd, title="Leadership", word_limit=20, position=1)
    CriterionFactory(round=rnd, title="Digital skills", word_limit=20, position=2)
    return rnd


def test_applicant_journey(live_server, page, tmp_path, open_round):
    base = live_server.url
    user = make_person(Role.APPLICANT, full_name="Avery Applicant")
    shot = iter(range(1, 100))

    def screenshot(name, readme=""):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path, readme=readme)

    # Sign in; with no draft yet, home offers the open round.
    sign_in(page, base, user, lands="")
    page.wait_for_url(base + "/")
    expect(page.get_by_role("heading", name="Cohort 9 national recruitment")).to_be_visible()
    expect(page.get_by_text("3 days 4 hours left")).to_be_visible()
    screenshot("home")
    page.get_by_role("link", name=re.compile("Start your application")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Apply to Cohort 9 national recruitment"
    )
    page.get_by_role("button", name="Start now").click()

    # Eligibility, saved for later.
    page.wait_for_url(re.compile(r"/apply/APP-[0-9A-F]+/eligibility/$"))
    application = Application.objects.get(applicant=user)
    expect(page.get_by_text(re.compile(r"at \d\d:\d\d (GMT|BST)"))).to_be_visible()
    page.get_by_label("Profession", exact=True).select_option(label="Medicine")
    page.get_by_label("Professional registration body").select_option(
        label="General Medical Council (GMC)"
    )
    page.get_by_label("Registration number").fill("1234567")
    page.get_by_label("Grade or band").fill("ST5")
    page.get_by_label("Region you are applying in").select_option(label="North East")
    page.get_by_label("Specialty").fill("Radiology")
    page.get_by_label("Employing organisation").fill(
        "Northgate University Hospitals NHS Foundation Trust"
    )
    screenshot("eligibility")
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url(base + f"/apply/{application.ref}/")
    expect(page.get_by_text("Your application has been saved")).to_be_visible()
    expect(page.locator("#task-eligibility-status")).to_have_text("Completed")
    expect(page.locator("#task-statement-status")).to_have_text("Not started")
    screenshot("task-list", readme="applicant-task-list")

    # Sign out, sign in again: back to the draft, where it was left.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(base + "/")
    sign_in(page, base, user, lands="")
    page.wait_for_url(base + f"/apply/{application.ref}/eligibility/")
    expect(page.get_by_label("Grade or band")).to_have_value("ST5")
    screenshot("returned-to-draft")
    page.get_by_role("button", name="Save and continue").click()

    # Personal statement, with the live word count.
    page.wait_for_url(base + f"/apply/{application.ref}/statement/")
    leadership = page.get_by_label("Leadership")
    leadership.fill("I led the rollout of an AI triage tool in our emergency department.")
    expect(page.get_by_text("13 words of 20: 7 words remaining")).to_be_visible()
    leadership.fill(" ".join(["word"] * 23))
    over = page.get_by_text("23 words of 20: 3 words too many")
    expect(over).to_be_visible()
    expect(over).to_have_class(re.compile("nhsuk-error-message"))
    screenshot("word-count-over-limit")
    leadership.fill("I led the rollout of an AI triage tool in our emergency department.")
    page.get_by_label("Digital skills").fill(
        "I completed a course in Python and built a small audit dashboard."
    )
    page.get_by_role("button", name="Save and continue").click()

    # CV.
    page.wait_for_url(base + f"/apply/{application.ref}/documents/")
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(PDF)
    page.get_by_label("Your CV").set_input_files(cv)
    screenshot("documents")
    page.get_by_role("button", name="Save and continue").click()

    # The employer's approval: a link e-mailed to the manager.
    page.wait_for_url(base + f"/apply/{application.ref}/approval/")
    page.get_by_label("Email my manager a link to confirm").check()
    page.get_by_label("Your manager's full name").fill("Morgan Manager")
    page.get_by_label("Your manager's email address").fill("morgan.manager@example.nhs.uk")
    screenshot("approval")
    page.get_by_role("button", name="Save and continue").click()

    # Check and submit.
    page.wait_for_url(base + f"/apply/{application.ref}/review/")
    assert any(m.to == ["morgan.manager@example.nhs.uk"] for m in mail.outbox)
    expect(page.get_by_text("We have emailed Morgan Manager")).to_be_visible()
    expect(page.get_by_text("There is a problem")).to_have_count(0)
    expect(page.get_by_text("I led the rollout of an AI triage tool")).to_be_visible()
    page.get_by_label("I agree to the declaration").check()
    screenshot("review")
    page.get_by_role("button", name="Submit application").click()

    page.wait_for_url(base + f"/apply/{application.ref}/")
    expect(page.get_by_text("Application submitted", exact=True)).to_be_visible()
    expect(page.locator(".nhsuk-panel__body")).to_contain_text(application.ref)
    screenshot("submitted")
    application.refresh_from_db()
    assert application.stage == Stage.SUBMITTED
    confirmation = [m for m in mail.outbox if m.to == [user.email] and application.ref in m.body]
    assert len(confirmation) == 1

    # The optional equality questions; afterwards, only thanks.
    page.get_by_role("link", name="Answer the equality monitoring questions").click()
    page.get_by_role("group", name="What is your sex?").get_by_label("Female").check()
    page.get_by_role("group", name="What is your religion or belief?").get_by_label(
        "Prefer not to say"
    ).check()
    page.get_by_label("What is your ethnic group?").select_option(label="White: Irish")
    screenshot("equality")
    page.get_by_role("button", name="Send answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_text("White: Irish")).to_have_count(0)
    screenshot("equality-thanks")
    assert EqualityRecord.objects.get(application=application).sex == "female"


def test_text_typed_when_the_session_runs_out_comes_back_after_signing_in(
    live_server, page, context, tmp_path, open_round
):
    base = live_server.url
    user = make_person(Role.APPLICANT)
    application = Application.objects.create(round=open_round, applicant=user)
    page.clock.install()  # so the 30-second autosave can be hurried along
    sign_in(page, base, user, lands="")
    page.goto(base + f"/apply/{application.ref}/statement/")

    box = page.get_by_label("Leadership")
    box.fill("First thoughts")
    page.clock.run_for(31_000)
    expect(page.get_by_text(re.compile(r"Saved at \d\d:\d\d"))).to_be_visible()
    assert (
        Statement.objects.get(application=application, criterion__title="Leadership").text
        == "First thoughts"
    )

    # The session ends (cookies gone) while they keep typing.
    context.clear_cookies()
    box.fill("First thoughts, then a much longer paragraph that must not be lost")
    page.clock.run_for(31_000)
    expect(page.get_by_text("You have been signed out")).to_be_visible()
    page.screenshot(path=tmp_path / "signed-out-while-typing.png", full_page=True)
    assert (
        Statement.objects.get(application=application, criterion__title="Leadership").text
        == "First thoughts"
    )

    page.get_by_role("link", name="Sign in again to save them").click()
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + f"/apply/{application.ref}/statement/")
    expect(page.get_by_label("Leadership")).to_have_value(
        "First thoughts, then a much longer paragraph that must not be lost"
    )
    expect(page.get_by_text("We have put back what you typed")).to_be_visible()
    page.screenshot(path=tmp_path / "restored-after-signing-in.png", full_page=True)

    page.clock.run_for(31_000)
    expect(page.get_by_text(re.compile(r"Saved at \d\d:\d\d"))).to_be_visible()
    assert Statement.objects.get(
        application=application, criterion__title="Leadership"
    ).text.endswith("must not be lost")
    assert (
        page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('fellowship-autosave:')).length"
        )
        == 0
    )


WORD_COUNT_CASES = [
    "",
    "   ",
    "one",
    "one two\tthree\nfour\r\nfive",
    "well-being, e.g. A&E (24/7)",
    "no\u00a0break em\u2003space ideographic\u3000space",
    "file\u001cseparators\u001fand\u0085next-line",  # space to Python, not to JavaScript's \s
    "zero\ufeffwidth no-break",  # space to JavaScript's \s, not to Python
    "emoji 🙂 and combining é",
]


def test_word_count_in_the_browser_matches_the_server(live_server, page):
    from recruitment.models import count_words

    page.goto(live_server.url + "/accounts/login/")
    counts = page.evaluate(
        "async (texts) => { const m = await import('/static/js/word-count.js'); return texts.map(m.countWords) }",
        WORD_COUNT_CASES,
    )
    assert counts == [count_words(text) for text in WORD_COUNT_CASES]
