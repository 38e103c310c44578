"""The survey builder: seeded templates, faculty-only pages, creating, copying (keys kept),
questions with validation, and refusing changes that would break answers already given."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from surveys import builder, services
from surveys.enums import GridScale, QuestionKind
from surveys.models import Answer, Invitation, Question, Response, Survey
from tests.conftest import make_person
from tests.factories import CohortFactory, UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

THEMES = [
    "ai_fundamentals",
    "regulation_standards",
    "validation_evaluation",
    "integration_systems",
    "strategy_culture",
]
COMPONENTS = [
    "project_placement",
    "masterclass_workshops",
    "networking",
    "datacamp",
    "kcl_innovation_scholars",
]


@pytest.fixture
def faculty(login):
    return login(make_person(Role.FACULTY))


def answered(survey: Survey, answers: dict) -> None:
    questions = {q.key: q for q in survey.questions.all()}
    response = Response.objects.create(survey=survey, submitted_on=timezone.localdate())
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[k], value=v) for k, v in answers.items()
    )


# Seeded templates ------------------------------------------------------------------------------


def test_the_exit_survey_template_has_the_import_tables_keys_and_vocabularies():
    template = Survey.objects.templates().get(key="exit_survey")
    assert template.anonymous
    questions = {q.key: q for q in template.questions.all()}
    assert set(questions) == {
        "recommend",
        "archetypes",
        "career_next_12_months",
        "achieved",
        "apply",
        "valuable",
    }
    values = lambda pairs: [v for v, _ in pairs]  # noqa: E731
    assert questions["recommend"].kind == QuestionKind.SINGLE_CHOICE
    assert values(questions["recommend"].options) == [
        "strongly_recommend",
        "recommend",
        "neutral",
        "not_recommend",
        "strongly_not_recommend",
    ]
    assert questions["archetypes"].kind == QuestionKind.MULTIPLE_CHOICE
    assert values(questions["archetypes"].options) == [
        "shaper",
        "driver",
        "creator",
        "embedder",
        "user",
    ]
    assert values(questions["career_next_12_months"].options) == [
        "continue_fellowship_project",
        "another_clinical_ai_project",
        "msc_phd_in_ai",
        "private_sector",
        "full_time_clinical",
        "other",
    ]
    for key in ("achieved", "apply"):
        assert (questions[key].kind, questions[key].scale) == (QuestionKind.GRID, GridScale.YES_NO)
        assert values(questions[key].rows) == THEMES
    assert (questions["valuable"].kind, questions["valuable"].scale) == (
        QuestionKind.GRID,
        GridScale.AGREEMENT,
    )
    assert values(questions["valuable"].rows) == COMPONENTS


def test_the_workshop_feedback_and_alumni_templates_are_seeded():
    workshop = Survey.objects.templates().get(key="workshop_feedback")
    assert list(workshop.questions.values_list("key", "kind")) == [
        *[
            (k, QuestionKind.AGREEMENT)
            for k in ("relevance", "engagement", "clarity", "interactivity", "depth")
        ],
        ("comments", QuestionKind.TEXT),
    ]
    alumni = Survey.objects.templates().get(key="alumni")
    kinds = dict(alumni.questions.values_list("key", "kind"))
    assert kinds["current_role"] == QuestionKind.SINGLE_CHOICE
    assert kinds["achievements"] == kinds["challenges"] == QuestionKind.TEXT


def test_a_missing_seeded_template_is_seeded_again():
    Survey.objects.templates().filter(key="exit_survey").delete()
    survey = services.create_from_template("exit_survey", by=None)
    assert survey.questions.count() == 6
    assert Survey.objects.templates().filter(key="exit_survey").count() == 1


# Access -----------------------------------------------------------------------------------------


def test_only_faculty_may_build(login):
    survey = services.create_from_template("workshop_feedback", by=None)
    question = survey.questions.first()
    urls = [
        reverse("survey_list"),
        reverse("survey_create"),
        reverse("survey_edit", args=[survey.pk]),
        reverse("survey_copy", args=[survey.pk]),
        reverse("question_create", args=[survey.pk]),
        reverse("question_edit", args=[survey.pk, question.pk]),
    ]
    for person in (make_person(Role.FELLOW), make_person(Role.SUPERVISOR), make_person()):
        c = login(person)
        for url in urls:
            assert c.get(url).status_code == 403
            assert c.post(url, {"title": "Hacked", "delete": "1"}).status_code == 403
    assert Survey.objects.filter(title="Hacked").count() == 0
    assert Question.objects.filter(pk=question.pk).exists()


# The list --------------------------------------------------------------------------------------


def test_the_survey_list_shows_status_and_counts_in_a_fixed_number_of_queries(faculty):
    def page():
        with CaptureQueriesContext(connection) as queries:
            got = faculty.get(reverse("survey_list"))
        assert got.status_code == 200
        return got.content.decode(), len(queries)

    survey = services.create_from_template(
        "exit_survey",
        by=None,
        title="Exit survey cohort 5",
        opens_at=timezone.now() - timedelta(days=1),
    )
    Invitation.objects.bulk_create(
        Invitation(survey=survey, person=UserFactory()) for _ in range(3)
    )
    answered(survey, {"recommend": "recommend"})
    html, few = page()
    # An open anonymous survey's count is shown only in steps.
    assert "Exit survey cohort 5" in html and "Fewer than 5 of 3" in html and "Open" in html
    for i in range(5):
        services.create_from_template("workshop_feedback", by=None, title=f"Feedback {i}")
    html, many = page()
    assert "Feedback 4" in html and "Not scheduled" in html
    assert many == few


# Creating and copying --------------------------------------------------------------------------


def test_faculty_create_a_survey_from_a_template(faculty):
    template = Survey.objects.templates().get(key="workshop_feedback")
    workshop = WorkshopFactory()
    got = faculty.post(
        reverse("survey_create"),
        {"start": "template", "template": template.pk, "workshop": workshop.pk},
    )
    survey = Survey.objects.sent().get(key="workshop_feedback")
    assert got.status_code == 302 and got["Location"] == reverse("survey_edit", args=[survey.pk])
    assert survey.workshop == workshop and survey.cohort == workshop.cohort  # the workshop's cohort
    assert survey.copied_from == template and survey.anonymous
    assert list(survey.questions.values_list("key", flat=True)) == list(
        template.questions.values_list("key", flat=True)
    )


def test_a_blank_survey_needs_a_title_and_gets_a_key_from_it(faculty):
    got = faculty.post(reverse("survey_create"), {"start": "blank"})
    assert got.status_code == 400 and "Enter a title for the survey" in got.content.decode()
    assert not Survey.objects.sent().exists()
    faculty.post(reverse("survey_create"), {"start": "blank", "title": "Mid-year check-in"})
    survey = Survey.objects.sent().get()
    assert (survey.key, survey.questions.count()) == ("mid_year_check_in", 0)


def test_create_refuses_a_template_choice_without_a_template(faculty):
    got = faculty.post(reverse("survey_create"), {"start": "template"})
    assert got.status_code == 400 and "Choose a template" in got.content.decode()
    assert not Survey.objects.sent().exists()


def test_copying_keeps_the_keys_and_clears_the_dates(faculty):
    now = timezone.now()
    source = services.create_from_template(
        "exit_survey",
        by=None,
        cohort=CohortFactory(),
        opens_at=now,
        closes_at=now + timedelta(days=9),
    )
    Invitation.objects.create(survey=source, person=UserFactory())
    answered(source, {"recommend": "neutral"})
    cohort = CohortFactory()
    assert faculty.get(reverse("survey_copy", args=[source.pk])).status_code == 200
    got = faculty.post(
        reverse("survey_copy", args=[source.pk]),
        {"title": "Exit survey next year", "cohort": cohort.pk},
    )
    copy = Survey.objects.get(title="Exit survey next year")
    assert got["Location"] == reverse("survey_edit", args=[copy.pk])
    assert copy.copied_from == source and copy.cohort == cohort and copy.key == source.key
    assert copy.opens_at is None and copy.closes_at is None and copy.anonymous
    fields = ("key", "kind", "text", "position", "section", "scale", "options", "rows", "required")
    assert list(copy.questions.values_list(*fields)) == list(source.questions.values_list(*fields))
    assert not copy.invitations.exists() and not copy.responses.exists()


def test_copy_needs_a_title(faculty):
    source = services.create_from_template("alumni", by=None)
    got = faculty.post(reverse("survey_copy", args=[source.pk]), {"title": ""})
    assert got.status_code == 400
    assert Survey.objects.sent().count() == 1


# Settings --------------------------------------------------------------------------------------


def test_settings_refuse_closing_before_opening(faculty):
    survey = services.create_from_template("alumni", by=None)
    got = faculty.post(
        reverse("survey_edit", args=[survey.pk]),
        {
            "title": "Alumni 2027",
            "reminder_every_days": 4,
            "opens_at": "2027-03-10T09:00",
            "closes_at": "2027-03-01T09:00",
        },
    )
    assert (
        got.status_code == 400
        and "The closing time must be after the opening time" in got.content.decode()
    )
    survey.refresh_from_db()
    assert survey.title == "Alumni survey" and survey.opens_at is None

    got = faculty.post(
        reverse("survey_edit", args=[survey.pk]),
        {
            "title": "Alumni 2027",
            "reminder_every_days": 7,
            "opens_at": "2027-03-01T09:00",
            "closes_at": "2027-03-10T09:00",
        },
    )
    assert got.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Alumni 2027" and survey.reminder_every_days == 7
    assert timezone.localtime(survey.opens_at).hour == 9


def test_the_edit_page_lists_questions_by_section(faculty):
    survey = services.create_from_template("exit_survey", by=None)
    html = faculty.get(reverse("survey_edit", args=[survey.pk])).content.decode()
    assert html.index("Your fellowship") < html.index("The curriculum") < html.index("What next")
    for question in survey.questions.all():
        assert reverse("question_edit", args=[survey.pk, question.pk]) in html


# Questions -------------------------------------------------------------------------------------


def test_add_a_choice_question_with_options_one_per_line(faculty):
    survey = services.create_from_template("alumni", by=None)
    got = faculty.post(
        reverse("question_create", args=[survey.pk]),
        {
            "kind": "single_choice",
            "text": "Where do you work?",
            "required": "on",
            "options": "nhs|In the NHS\nUniversity or college\n\n",
        },
    )
    assert got.status_code == 302
    question = survey.questions.get(key="where_do_you_work")
    assert question.options == [
        ["nhs", "In the NHS"],
        ["university_or_college", "University or college"],
    ]
    assert question.position == survey.questions.count()  # at the end
    assert question.required


def test_add_a_grid_and_a_bounded_number(faculty):
    survey = services.create_from_template("alumni", by=None)
    faculty.post(
        reverse("question_create", args=[survey.pk]),
        {
            "kind": "grid",
            "key": "confidence",
            "text": "Confident in?",
            "rows": "Deploying AI\nEvaluating AI",
            "scale": "yes_no",
        },
    )
    grid = survey.questions.get(key="confidence")
    assert (grid.rows, grid.scale, grid.required) == (
        [["deploying_ai", "Deploying AI"], ["evaluating_ai", "Evaluating AI"]],
        "yes_no",
        False,
    )
    faculty.post(
        reverse("question_create", args=[survey.pk]),
        {
            "kind": "number",
            "key": "hours",
            "text": "Hours a week on AI?",
            "minimum": "0",
            "maximum": "37.5",
        },
    )
    number = survey.questions.get(key="hours")
    assert number.options == {"min": 0, "max": 37.5}
    assert services.clean_answer(number, "12") == 12


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        (
            {"kind": "single_choice", "text": "One?", "options": "Only one"},
            "Give at least 2 answers",
        ),
        ({"kind": "single_choice", "text": "Dup?", "options": "a|A\na|Again"}, "appears twice"),
        (
            {"kind": "single_choice", "text": "Bad?", "options": "Bad Key|A\nb|B"},
            "must use only lower-case",
        ),
        ({"kind": "grid", "text": "Grid?", "rows": "A row"}, "Choose what each row is answered on"),
        ({"kind": "grid", "text": "Grid?", "scale": "yes_no"}, "Give at least 1 row"),
        (
            {"kind": "number", "text": "N?", "minimum": "10", "maximum": "1"},
            "The highest number must be at least the lowest",
        ),
        (
            {"kind": "text", "text": "Dup key?", "key": "current_role"},
            "already has the key current_role",
        ),
        ({"kind": "text", "text": "Bad key?", "key": "Bad Key"}, "Use only lower-case letters"),
        ({"kind": "text", "text": ""}, "Enter the question"),
        ({"kind": "", "text": "Kind?"}, "Choose the kind of question"),
    ],
)
def test_bad_questions_are_refused_and_nothing_changes(faculty, data, field_error):
    survey = services.create_from_template("alumni", by=None)
    before = list(survey.questions.values_list("key", "text", "options"))
    got = faculty.post(reverse("question_create", args=[survey.pk]), data)
    assert got.status_code == 400
    assert field_error in got.content.decode()
    assert list(survey.questions.values_list("key", "text", "options")) == before


def test_question_edit_changes_wording_and_delete_removes_it(faculty):
    survey = services.create_from_template("alumni", by=None)
    question = survey.questions.get(key="challenges")
    page = faculty.get(reverse("question_edit", args=[survey.pk, question.pk]))
    assert page.status_code == 200 and "challenges" in page.content.decode()
    got = faculty.post(
        reverse("question_edit", args=[survey.pk, question.pk]),
        {
            "kind": "text",
            "key": "challenges",
            "text": "What got in the way?",
            "section": "Barriers",
        },
    )
    assert got.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.section) == ("What got in the way?", "Barriers")
    faculty.post(reverse("question_edit", args=[survey.pk, question.pk]), {"delete": "1"})
    assert not survey.questions.filter(key="challenges").exists()


def test_once_answered_questions_cannot_change_in_ways_that_break_answers(faculty):
    survey = services.create_from_template("exit_survey", by=None)
    answered(survey, {"recommend": "neutral", "achieved": {"ai_fundamentals": "yes"}})
    recommend = survey.questions.get(key="recommend")
    url = reverse("question_edit", args=[survey.pk, recommend.pk])
    options = builder.lines_of(recommend.options)
    base = {
        "kind": "single_choice",
        "key": "recommend",
        "text": "Recommend?",
        "required": "on",
        "options": options,
    }

    for change, message in [
        ({"key": "recommend_us"}, "the key cannot change"),
        ({"kind": "multiple_choice"}, "the kind of question cannot change"),
        (
            {"options": options.replace("neutral|", "meh|")},
            "answers cannot be removed or have their key changed: neutral",
        ),
    ]:
        got = faculty.post(url, {**base, **change})
        assert got.status_code == 400 and message in got.content.decode()
    recommend.refresh_from_db()
    assert recommend.key == "recommend" and recommend.text != "Recommend?"

    # Wording, labels and new answers are fine.
    relabelled = options.replace("|Neutral", "|Not sure") + "\nunsure|I do not know"
    assert faculty.post(url, {**base, "options": relabelled}).status_code == 302
    recommend.refresh_from_db()
    assert ["neutral", "Not sure"] in recommend.options and recommend.text == "Recommend?"

    achieved = survey.questions.get(key="achieved")
    got = faculty.post(
        reverse("question_edit", args=[survey.pk, achieved.pk]),
        {
            "kind": "grid",
            "key": "achieved",
            "text": "Achieved?",
            "rows": "ai_fundamentals|AI",
            "scale": "agreement",
        },
    )
    assert got.status_code == 400
    html = got.content.decode()
    assert "the scale cannot change" in html and "rows cannot be removed" in html

    got = faculty.post(url, {"delete": "1"}, follow=True)
    assert "cannot be deleted" in got.content.decode()
    assert survey.questions.filter(pk=recommend.pk).exists()


def test_move_questions_up_and_down(faculty):
    survey = services.create_from_template("workshop_feedback", by=None)
    keys = lambda: list(survey.questions.values_list("key", flat=True))  # noqa: E731
    depth = survey.questions.get(key="depth")
    url = reverse("survey_edit", args=[survey.pk])
    assert faculty.post(url, {"move": depth.pk, "direction": "up"}).status_code == 302
    assert keys() == ["relevance", "engagement", "clarity", "depth", "interactivity", "comments"]
    first = survey.questions.get(key="relevance")
    faculty.post(url, {"move": first.pk, "direction": "up"})  # already first: nothing moves
    faculty.post(url, {"move": first.pk, "direction": "down"})
    assert keys() == ["engagement", "relevance", "clarity", "depth", "interactivity", "comments"]
    assert list(survey.questions.values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("move", ["abc", "1\x00", "", str(10**30)])
def test_moving_a_question_that_is_not_a_number_says_so_instead_of_failing(faculty, move):
    survey = services.create_from_template("workshop_feedback", by=None)
    url = reverse("survey_edit", args=[survey.pk])
    response = faculty.post(url, {"move": move, "direction": "up"}, follow=True)
    assert response.status_code == 200
    assert "That question could not be moved" in response.content.decode()


def test_a_round_has_at_most_one_survey_of_a_kind(faculty):
    from tests.factories import RoundFactory

    rnd = RoundFactory()
    first = services.create_from_template("panellist_feedback", by=None, round=rnd)
    got = faculty.post(reverse("survey_copy", args=[first.pk]), {"title": "Again", "round": rnd.pk})
    assert got.status_code == 400 and "already has a survey of this kind" in got.content.decode()
    assert Survey.objects.filter(round=rnd).count() == 1
