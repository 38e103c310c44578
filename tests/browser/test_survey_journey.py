"""The exit survey: faculty send it to a cohort; a fellow answers it on a phone (375×812), from the
link on their home page; while it is open faculty see only how many have answered, in steps of
five; once it has closed with at least five answers, they read the results."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fellowship.enums import FellowStatus, Role
from surveys import distribution, services
from surveys.enums import Audience
from surveys.models import Invitation, PendingResponse, Response, Survey

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from .helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
THEMES = [
    "ai_fundamentals",
    "regulation_standards",
    "validation_evaluation",
    "integration_systems",
    "strategy_culture",
]


def other_answers() -> dict:
    """What the four fellows who answered first said (through the service)."""
    return {
        "recommend": "strongly_recommend",
        "achieved": dict.fromkeys(THEMES, "yes"),
        "apply": dict.fromkeys(THEMES, "yes"),
        "valuable": {"project_placement": "strongly_agree"},
        "archetypes": ["driver", "embedder"],
        "career_next_12_months": ["continue_fellowship_project"],
    }


@pytest.fixture
def exit_survey():
    """The exit survey of Cohort 9, copied from its template (seeded again if the transactional
    test emptied the table), sent to the cohort's five fellows; four have answered already."""
    next_year = datetime.date.today().year + 1
    cohort = CohortFactory(
        number=9,
        start_date=datetime.date(next_year - 2, 9, 1),
        end_date=datetime.date(next_year - 1, 8, 31),
    )
    faculty = make_person(Role.FACULTY, full_name="Fran Faculty")
    fellow = make_person(Role.FELLOW, full_name="Dr Nadia Phone")
    FellowFactory(cohort=cohort, user=fellow, full_name="Dr Nadia Phone")
    others = [make_person(Role.FELLOW) for _ in range(4)]
    for person in others:
        FellowFactory(cohort=cohort, user=person, status=FellowStatus.IN_POST)
    survey = services.create_from_template("exit_survey", by=faculty, title="Exit survey: Cohort 9")
    now = timezone.now()
    distribution.send(
        survey,
        distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=cohort),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=14),
        by=faculty,
    )
    assert Invitation.objects.filter(survey=survey).count() == 5
    for person in others:
        services.submit_response(survey, person=person, answers=other_answers())
    survey.refresh_from_db()
    return survey, fellow, faculty


def test_fellow_answers_the_exit_survey_on_a_phone_and_faculty_see_the_results(
    live_server, browser, tmp_path, exit_survey
):
    base = live_server.url
    survey, fellow, faculty = exit_survey
    shot = iter(range(1, 100))

    def screenshot(where, name, readme=""):
        check_page(where, f"{next(shot):02d}-{name}", tmp_path, readme=readme)

    def fits_the_screen(where):
        width = where.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide"

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, base, fellow)

    # The home page lists the survey with its closing date.
    expect(page.get_by_role("heading", name="Surveys for you to answer")).to_be_visible()
    expect(
        page.get_by_text(f"answer by {timezone.localtime(survey.closes_at):%-d %B %Y}")
    ).to_be_visible()
    page.get_by_role("link", name="Exit survey: Cohort 9").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exit survey: Cohort 9")
    expect(page.get_by_text("This survey is anonymous")).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "exit-survey-phone", readme="fellow-exit-survey-phone")

    # Sending with nothing answered shows the errors, and stores nothing.
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert services.answer_count(survey) == 4  # waiting in the pool
    fits_the_screen(page)
    screenshot(page, "exit-survey-errors")

    page.get_by_label("Strongly recommend").check()
    for theme in THEMES:
        page.locator(f"input[name='achieved__{theme}'][value='yes']").check()
        page.locator(
            f"input[name='apply__{theme}'][value='{'no' if theme == 'strategy_culture' else 'yes'}']"
        ).check()
    page.locator("input[name='valuable__project_placement'][value='strongly_agree']").check()
    page.locator("input[name='valuable__networking'][value='agree']").check()
    page.locator("input[name='archetypes'][value='embedder']").check()
    page.locator("input[name='career_next_12_months'][value='msc_phd_in_ai']").check()
    fits_the_screen(page)
    screenshot(page, "exit-survey-answered")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your answers")).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "exit-survey-thanks")

    # The fifth answer filled the pool, which was released by itself, in a random order.
    assert Response.objects.filter(survey=survey).count() == 5
    assert not PendingResponse.objects.filter(survey=survey).exists()
    assert not Response.objects.filter(respondent__isnull=False).exists()
    assert not Response.objects.filter(submitted_on__isnull=False).exists()
    invitation = Invitation.objects.get(survey=survey, person=fellow)
    assert invitation.completed and invitation.completed_at is None

    # Answering again shows that the survey is done; the home page no longer lists it.
    page.goto(f"{base}/surveys/{survey.pk}/")
    expect(page.get_by_text("You cannot answer it again")).to_be_visible()
    page.goto(base + "/")
    expect(page.get_by_role("link", name="Exit survey: Cohort 9")).to_have_count(0)
    phone.close()

    # While the survey is open, faculty see how many have answered in steps, and no results.
    staff = browser.new_context()
    results = staff.new_page()
    sign_in(results, base, faculty, mfa=True)
    results.goto(f"{base}/surveys/{survey.pk}/results/")
    expect(results.get_by_role("heading", level=1)).to_have_text("Exit survey: Cohort 9")
    expect(results.locator("#answered-count")).to_contain_text("At least 5")
    expect(
        results.get_by_text("Its results, including any written answers, are shown after it closes")
    ).to_be_visible()
    expect(results.get_by_text("Strongly recommend")).to_have_count(0)
    screenshot(results, "exit-survey-results-while-open")

    # It closes: the results show, with every answer.
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    results.goto(f"{base}/surveys/{survey.pk}/results/")
    expect(results.get_by_text("Strongly recommend").first).to_be_visible()
    expect(results.get_by_text("5 (100%)").first).to_be_visible()
    expect(results.get_by_text("Dr Nadia Phone")).to_have_count(0)
    screenshot(results, "exit-survey-results")

    # The send page says how many have answered, and names nobody.
    results.goto(f"{base}/surveys/manage/{survey.pk}/send/")
    expect(results.get_by_text("5 of 5 people have answered")).to_be_visible()
    expect(results.get_by_text("Dr Nadia Phone")).to_have_count(0)
    screenshot(results, "exit-survey-completion")
    staff.close()
