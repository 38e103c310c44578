"""Accessibility beyond the journeys (WCAG 2.2 AA): forms filled in and sent with the keyboard alone,
the focus visible at every stop; and every page of each role's menu checked like the journeys' pages
(axe-core, no sideways scrolling at 320 px or at 200% zoom)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from fellowship.enums import OrganisationKind, Profession, Role
from fellowship.models import Organisation
from recruitment.models import Application
from surveys.enums import QuestionKind
from surveys.models import Invitation, Question, Survey

from ..conftest import current_code, make_person
from ..factories import (
    PASSWORD,
    CohortFactory,
    CriterionFactory,
    EligibilityFactory,
    FellowFactory,
    FundedPostFactory,
    OrganisationFactory,
    RegionFactory,
    RoundFactory,
    WorkshopFactory,
)
from ..factories.projects import ApprovedProjectFactory, MatchingRoundFactory
from .helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focus changes on the element (or, for NHS radios and checkboxes, whose inputs are
# hidden, on the circle or box drawn by their label): a style that differs from the unfocused one.
FOCUS_STYLE_JS = """el => {
    const drawn = el.matches('.nhsuk-radios__input, .nhsuk-checkboxes__input') && el.labels.length;
    const style = drawn ? getComputedStyle(el.labels[0], '::before') : getComputedStyle(el);
    return ['outlineStyle', 'outlineWidth', 'outlineColor', 'boxShadow', 'backgroundColor',
            'color', 'borderColor', 'textDecorationLine'].map(p => p + ': ' + style[p]).join('; ');
}"""
DESCRIBE_JS = """el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '"'"""


class Keyboard:
    """A person with a keyboard only: Tab, Shift+Tab, typing, Space and Enter. At every stop it
    checks that the focused element looks different from how it looks without the focus."""

    def __init__(self, page):
        self.page = page
        self.stops: list[str] = []  # every element the focus reached, in order
        self.focused = None  # (handle, style with the focus, description)

    def tab(self, key: str = "Tab", *, may_leave: bool = False) -> None:
        self.page.keyboard.press(key)
        self._left_previous()
        handle = self.page.evaluate_handle("document.activeElement")
        description = handle.evaluate(DESCRIBE_JS)
        if description.startswith("body"):
            assert may_leave, f"{key} left the page after {self.stops[-3:]}"
            self.focused = None
            return
        self.stops.append(description)
        self.focused = (handle, handle.evaluate(FOCUS_STYLE_JS), description)

    def tab_to(self, target, *, limit: int = 40) -> None:
        """Press Tab until `target` (a locator) has the focus."""
        for _ in range(limit):
            self.tab()
            if target.evaluate("el => el === document.activeElement"):
                return
        pytest.fail(f"{limit} presses of Tab did not reach {target}; stops: {self.stops}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, key: str, *, navigates: bool = False) -> None:
        """Space, Enter or an arrow key on the focused element; with `navigates`, wait for the next
        page. Before Enter, step back and forth once, so that this last stop is checked too."""
        if key == "Enter" and self.focused:
            here = self.focused[0]
            self.tab("Shift+Tab", may_leave=True)
            self.tab("Tab")
            assert here.evaluate("el => el === document.activeElement"), "Tab did not come back"
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            self.page.keyboard.press(key)
        if key.startswith("Arrow"):  # arrows move the focus between radios
            self._left_previous()
            handle = self.page.evaluate_handle("document.activeElement")
            self.focused = (handle, handle.evaluate(FOCUS_STYLE_JS), handle.evaluate(DESCRIBE_JS))
        elif key == "Enter":
            self.focused = None

    def _left_previous(self) -> None:
        if self.focused is None:
            return
        handle, style, description = self.focused
        if handle.evaluate("el => el.isConnected && el !== document.activeElement"):
            assert handle.evaluate(FOCUS_STYLE_JS) != style, (
                f"the focus on {description} is not visible: it looks the same without it ({style})"
            )


def keyboard_sign_in(page, keys: Keyboard, base: str, user, *, mfa: bool = False) -> None:
    page.goto(base + "/accounts/login/")
    keys.tab_to(page.get_by_label("Email address"))
    keys.type(user.email)
    keys.tab_to(page.get_by_label("Password"))
    keys.type(PASSWORD)
    keys.tab_to(page.get_by_role("button", name="Sign in"))
    keys.press("Enter", navigates=True)
    if mfa:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
        keys.tab_to(page.locator("input[name=code]"))
        keys.type(current_code())
        keys.tab_to(page.get_by_role("button", name="Sign in"))
        keys.press("Enter", navigates=True)


@pytest.fixture
def open_round():
    rnd = RoundFactory(
        name="Cohort 9 national recruitment",
        closes_at=timezone.now() + datetime.timedelta(days=20),
    )
    EligibilityFactory(round=rnd, region=RegionFactory(name="North East"))
    CriterionFactory(round=rnd, title="Leadership", word_limit=50, position=1)
    return rnd


def test_applicant_starts_an_application_and_answers_with_the_keyboard_alone(
    live_server, page, tmp_path, open_round
):
    base = live_server.url
    user = make_person(Role.APPLICANT, full_name="Kai Keyboard")
    keys = Keyboard(page)
    keyboard_sign_in(page, keys, base, user)
    page.wait_for_url(base + "/")

    # The skip link comes first and takes the focus past the header.
    keys.tab()
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    keys.press("Enter")  # a link within the page
    assert page.evaluate("document.activeElement.id") == "maincontent"
    keys.tab_to(page.get_by_role("link", name=re.compile("Start your application")))
    keys.press("Enter", navigates=True)
    keys.tab_to(page.get_by_role("button", name="Start now"))
    keys.press("Enter", navigates=True)

    # The eligibility questions: lists answered by typing the start of an option.
    page.wait_for_url(re.compile(r"/apply/APP-[0-9A-F]+/eligibility/$"))
    application = Application.objects.get(applicant=user)
    answers = [
        ("Profession", "Medicine"),
        ("Professional registration body", "General Medical Council"),
        ("Registration number", "1234567"),
        ("Grade or band", "ST5"),
        ("Region you are applying in", "North East"),
        ("Specialty", "Radiology"),
        ("Employing organisation", "Northgate University Hospitals NHS Foundation Trust"),
    ]
    for label, answer in answers:
        keys.tab_to(page.get_by_label(label, exact=True))
        keys.type(answer)
    check_page(page, "01-eligibility-by-keyboard", tmp_path)
    keys.tab_to(page.get_by_role("button", name="Save and continue"))
    keys.press("Enter", navigates=True)
    page.wait_for_url(base + f"/apply/{application.ref}/statement/")

    # The employer's approval: a radio chosen with Space reveals two more questions.
    page.goto(base + f"/apply/{application.ref}/approval/")
    keys.tab_to(page.get_by_label("Upload a form signed by my manager"))
    keys.press("ArrowDown")
    expect(page.get_by_label("Email my manager a link to confirm")).to_be_checked()
    keys.tab_to(page.get_by_label("Your manager's full name"))
    keys.type("Morgan Manager")
    keys.tab_to(page.get_by_label("Your manager's email address"))
    keys.type("morgan.manager@example.nhs.uk")
    check_page(page, "02-approval-by-keyboard", tmp_path)
    keys.tab_to(page.get_by_role("button", name="Save and continue"))
    keys.press("Enter", navigates=True)
    page.wait_for_url(base + f"/apply/{application.ref}/review/")

    application.refresh_from_db()
    assert (application.profession, application.registration_number, application.grade) == (
        Profession.MEDICINE,
        "1234567",
        "ST5",
    )
    assert application.region.name == "North East"
    assert application.employer == "Northgate University Hospitals NHS Foundation Trust"
    assert application.approval_method == "manager_link"
    assert application.manager_email == "morgan.manager@example.nhs.uk"
    assert len(keys.stops) > 20


def test_faculty_sign_in_with_their_code_and_add_an_organisation_with_the_keyboard_alone(
    live_server, page, tmp_path
):
    base = live_server.url
    faculty = make_person(Role.FACULTY, full_name="Fay Faculty")
    RegionFactory(name="London")
    keys = Keyboard(page)
    keyboard_sign_in(page, keys, base, faculty, mfa=True)
    page.wait_for_url(base + "/")

    page.goto(base + "/programme/organisations/new/")
    keys.tab_to(page.get_by_label("Name"))
    keys.type("Barts Health NHS Trust")
    kind = page.get_by_label("Kind")
    keys.tab_to(kind)
    keys.type("University")
    expect(kind).to_have_value(OrganisationKind.ACADEMIA)
    keys.tab_to(page.get_by_label("Region"))
    keys.type("London")
    check_page(page, "01-organisation-by-keyboard", tmp_path)
    keys.tab_to(page.get_by_role("button", name="Save"))
    keys.press("Enter", navigates=True)

    page.wait_for_url(base + "/programme/organisations/")
    expect(page.get_by_text("Barts Health NHS Trust added")).to_be_visible()
    organisation = Organisation.objects.get(name="Barts Health NHS Trust")
    assert (organisation.kind, organisation.region.name) == (OrganisationKind.ACADEMIA, "London")


# Every page of each role's menu --------------------------------------------------------------


@pytest.fixture
def programme():
    """A little of everything, so that the lists have rows."""
    now = timezone.now()
    cohort = CohortFactory(number=7)
    london = RegionFactory(name="London")
    host = OrganisationFactory(name="Barts Health NHS Trust", region=london)
    rnd = RoundFactory(
        name="Cohort 8 national recruitment", closes_at=now + datetime.timedelta(days=9)
    )
    EligibilityFactory(round=rnd, region=london)
    funder_user = make_person(Role.FUNDER, full_name="Fola Funder")
    FundedPostFactory(cohort=cohort, region=london, funder=funder_user.role_grants.get().funder)
    supervisor = make_person(Role.SUPERVISOR, full_name="Dr Ada Quill")
    ApprovedProjectFactory(
        cohort=cohort, region=london, supervisor=supervisor, host_organisation=host,
        title="Chest X-ray triage",
    )  # fmt: skip
    MatchingRoundFactory(cohort=cohort)
    fellow = make_person(Role.FELLOW, full_name="Priya Raman")
    FellowFactory(user=fellow, cohort=cohort, region=london, full_name="Priya Raman")
    alumnus = make_person(Role.ALUMNUS, full_name="Harriet Voss")
    FellowFactory(
        user=alumnus, cohort=CohortFactory(number=6), region=london, full_name="Harriet Voss"
    )
    WorkshopFactory(cohort=cohort)
    survey = Survey.objects.create(
        key="pulse",
        title="Mid-point survey",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
    )
    Question.objects.create(
        survey=survey, key="useful", kind=QuestionKind.AGREEMENT, text="Useful?"
    )
    Invitation.objects.create(survey=survey, person=fellow)
    return {
        Role.APPLICANT: make_person(Role.APPLICANT, full_name="Avery Applicant"),
        Role.FELLOW: fellow,
        Role.ALUMNUS: alumnus,
        Role.SUPERVISOR: supervisor,
        Role.PANELLIST: make_person(Role.PANELLIST, full_name="Pat Panellist"),
        Role.FUNDER: funder_user,
        Role.FACULTY: make_person(Role.FACULTY, full_name="Fay Faculty"),
    }


# Beyond the menus: faculty's forms for adding to the programme, and one with its errors shown.
FACULTY_FORMS = [
    "cohort_create",
    "region_create",
    "organisation_create",
    "funder_create",
    "fellow_create",
    "workshop_create",
    "round_create",
]


def test_every_page_of_each_roles_menu_is_accessible_at_320_px_and_200_percent_zoom(
    live_server, browser, tmp_path, programme
):
    """Each role signs in and opens every link of their menu (faculty also their forms): axe-core
    finds no serious or critical problem, and no page scrolls sideways at 320 px or at 200% zoom."""
    base = live_server.url
    checked = []
    for role, user in programme.items():
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, base, user, mfa=role in (Role.FACULTY, Role.PANELLIST, Role.FUNDER))
        menu = page.get_by_role("navigation", name="Menu").locator("a[href]")
        links = menu.evaluate_all("links => links.map(a => [a.innerText.trim(), a.pathname])")
        assert links, f"{role} has no menu"
        if role == Role.FACULTY:
            links += [(name.replace("_", " "), reverse(name)) for name in FACULTY_FORMS]
        if role == Role.FELLOW:  # reached from their home page
            survey = Survey.objects.get(key="pulse")
            links += [("surveys", reverse("my_surveys")), ("survey", f"/surveys/{survey.pk}/")]
        for label, path in links:
            page.goto(base + path)
            slug = re.sub(r"[^a-z]+", "-", label.lower()).strip("-")
            check_page(page, f"{role}-{len(checked) + 1:02d}-{slug}", tmp_path)
            checked.append(path)
        if role == Role.FACULTY:  # the error summary and the messages by each field
            page.goto(base + reverse("organisation_create"))
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
            check_page(page, f"{role}-{len(checked) + 1:02d}-form-errors", tmp_path)
        context.close()
    assert len(checked) >= 40


def test_the_focus_check_notices_a_focus_that_cannot_be_seen(live_server, page):
    """The keyboard tests' check is not vacuous: with the NHS focus style overridden on the email
    box, moving the focus past it fails."""
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").evaluate(
        """el => ['outline', 'box-shadow', 'border-color', 'background-color', 'color']
                   .forEach(p => el.style.setProperty(p, p === 'outline' || p === 'box-shadow'
                                                          ? 'none' : 'rgb(1, 2, 3)', 'important'))"""
    )
    keys = Keyboard(page)
    keys.tab_to(page.get_by_label("Email address"))
    with pytest.raises(AssertionError, match="is not visible"):
        keys.tab()
