"""Results: counts and percentages over those who answered, grids per row, numbers, free text,
the anonymity threshold, and the results page's accessible bar charts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fellowship.enums import Role
from surveys import services
from surveys.enums import ANONYMITY_THRESHOLD, GridScale, QuestionKind
from surveys.models import Answer, Question, Response, Survey
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

THEMES = [["ai_fundamentals", "AI Fundamentals"], ["strategy_culture", "Strategy & Culture"]]


def build(*, anonymous=False) -> Survey:
    survey = Survey.objects.create(key="results_test", title="Results test", anonymous=anonymous)
    specs = [
        (
            "recommend",
            QuestionKind.SINGLE_CHOICE,
            {"options": [["yes", "Yes"], ["no", "No"], ["unsure", "Unsure"]]},
        ),
        (
            "tools",
            QuestionKind.MULTIPLE_CHOICE,
            {"options": [["py", "Python"], ["r", "R"], ["xl", "Excel"]]},
        ),
        ("useful", QuestionKind.AGREEMENT, {}),
        ("hours", QuestionKind.NUMBER, {}),
        ("achieved", QuestionKind.GRID, {"scale": GridScale.YES_NO, "rows": THEMES}),
        ("valuable", QuestionKind.GRID, {"scale": GridScale.AGREEMENT, "rows": THEMES}),
        ("comments", QuestionKind.TEXT, {}),
    ]
    for position, (key, kind, extra) in enumerate(specs):
        Question.objects.create(
            survey=survey,
            key=key,
            kind=kind,
            text=key.title(),
            position=position,
            required=False,
            **extra,
        )
    return survey


def respond(survey: Survey, answers: dict) -> None:
    """Store a response as the service would, without the invitation machinery."""
    cleaned = services.clean_answers(survey, answers)
    response = Response.objects.create(survey=survey, submitted_on=timezone.localdate())
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=v) for q, v in cleaned.items()
    )


# Hand-counted: six responses.
ANSWERS = [
    {
        "recommend": "yes",
        "tools": ["py", "r"],
        "useful": "agree",
        "hours": "10",
        "achieved": {"ai_fundamentals": "yes", "strategy_culture": "no"},
        "valuable": {"ai_fundamentals": "strongly_agree"},
        "comments": "banana",
    },
    {
        "recommend": "yes",
        "tools": ["py"],
        "useful": "agree",
        "hours": "2",
        "achieved": {"ai_fundamentals": "yes", "strategy_culture": "yes"},
        "valuable": {"ai_fundamentals": "agree", "strategy_culture": "agree"},
    },
    {
        "recommend": "no",
        "tools": ["xl"],
        "hours": "4",
        "achieved": {"ai_fundamentals": "no"},
        "comments": "Apple",
    },
    {
        "recommend": "yes",
        "useful": "strongly_disagree",
        "hours": "3.5",
        "achieved": {"ai_fundamentals": "yes", "strategy_culture": "yes"},
    },
    {"tools": ["py", "xl"], "useful": "agree"},
    {},
]


@pytest.fixture
def outcome():
    survey = build()
    for answers in ANSWERS:
        respond(survey, answers)
    return {q.question.key: q for q in services.results(survey).questions}


def test_single_choice_counts_over_those_who_answered(outcome):
    recommend = outcome["recommend"]
    assert recommend.answered == 4
    assert [(o.value, o.count, o.percent, o.display) for o in recommend.options] == [
        ("yes", 3, 75, "3 (75%)"),
        ("no", 1, 25, "1 (25%)"),
        ("unsure", 0, 0, "0 (0%)"),
    ]


def test_multiple_choice_percentages_are_of_respondents_and_may_pass_100(outcome):
    tools = outcome["tools"]
    assert tools.answered == 4
    assert [(o.count, o.percent) for o in tools.options] == [(3, 75), (1, 25), (2, 50)]
    assert sum(o.percent for o in tools.options) > 100


def test_agreement_scale_in_scale_order(outcome):
    useful = outcome["useful"]
    assert useful.answered == 4
    assert [o.count for o in useful.options] == [0, 3, 0, 0, 1]
    assert [o.percent for o in useful.options] == [0, 75, 0, 0, 25]


def test_numbers_give_n_mean_median_lowest_highest(outcome):
    hours = outcome["hours"]
    assert hours.answered == 4
    assert hours.numbers == [2, 3.5, 4, 10]
    assert hours.mean == pytest.approx(4.875)
    assert hours.median == pytest.approx(3.75)
    assert (hours.lowest, hours.highest) == (2, 10)


def test_grids_are_counted_row_by_row_over_those_who_answered_the_row(outcome):
    achieved = {r.key: r for r in outcome["achieved"].rows}
    assert outcome["achieved"].answered == 4
    ai = achieved["ai_fundamentals"]
    assert ai.label == "AI Fundamentals"
    assert (ai.answered, [(o.value, o.count, o.percent) for o in ai.options]) == (
        4,
        [("yes", 3, 75), ("no", 1, 25)],
    )
    strategy = achieved["strategy_culture"]
    assert (strategy.answered, [o.percent for o in strategy.options]) == (3, [67, 33])
    assert strategy.segments == [(0.0, 66.67, 0), (66.67, 33.33, 1)]

    valuable = {r.key: r for r in outcome["valuable"].rows}
    assert [o.count for o in valuable["ai_fundamentals"].options] == [1, 1, 0, 0, 0]
    assert valuable["strategy_culture"].answered == 1
    assert valuable["strategy_culture"].options[1].display == "1 (100%)"


def test_free_text_is_listed_alphabetically(outcome):
    assert outcome["comments"].answered == 2
    assert outcome["comments"].texts == ["Apple", "banana"]


def test_a_question_nobody_answered_has_no_percentages():
    survey = build()
    respond(survey, {"hours": "1"})
    recommend = {q.question.key: q for q in services.results(survey).questions}["recommend"]
    assert recommend.answered == 0
    assert [o.percent for o in recommend.options] == [None, None, None]
    assert [o.display for o in recommend.options] == ["0", "0", "0"]


def closed(survey: Survey) -> Survey:
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=now - timedelta(days=10), closes_at=now - timedelta(seconds=1)
    )
    survey.refresh_from_db()
    return survey


def test_anonymous_results_and_free_text_are_hidden_below_the_threshold():
    survey = closed(build(anonymous=True))
    for i in range(ANONYMITY_THRESHOLD - 1):
        respond(survey, {"recommend": "yes", "comments": f"Secret {i}"})
    hidden = services.results(survey)
    assert hidden.hidden and hidden.questions == [] and hidden.responses == 4

    respond(survey, {"recommend": "no"})
    shown = services.results(survey)
    assert not shown.hidden
    assert {q.question.key: q for q in shown.questions}["comments"].texts[0] == "Secret 0"


def test_anonymous_results_wait_for_the_survey_to_close_however_many_answered():
    survey = build(anonymous=True)  # no closing time: it never closes
    for i in range(ANONYMITY_THRESHOLD * 2 + 3):
        respond(survey, {"recommend": "yes", "comments": f"Secret {i}"})
    waiting = services.results(survey)
    assert waiting.hidden and waiting.waiting_for_close and waiting.questions == []
    # How many answered, only in steps: 13 reads "at least 10".
    assert waiting.responses == 10
    assert waiting.answered == services.Answered(exact=None, at_least=10)
    shown = services.results(closed(survey))
    assert not shown.hidden and shown.responses == 13


def test_named_results_show_while_open():
    survey = build()
    respond(survey, {"recommend": "yes", "comments": "Mine"})
    outcome = services.results(survey)
    assert not outcome.hidden and outcome.responses == 1
    assert outcome.answered == services.Answered(exact=1, at_least=1)


@pytest.mark.parametrize(
    ("n", "anonymous", "is_closed", "shown"),
    [
        (0, True, False, (None, 0)),
        (4, True, False, (None, 0)),
        (5, True, False, (None, 5)),
        (9, True, False, (None, 5)),
        (10, True, False, (None, 10)),
        (4, True, True, (4, 4)),
        (7, False, False, (7, 7)),
    ],
)
def test_counts_are_shown_in_steps_only_while_an_anonymous_survey_is_open(
    n, anonymous, is_closed, shown
):
    got = services.answered_as_shown(n, anonymous=anonymous, closed=is_closed)
    assert (got.exact, got.at_least) == shown


@given(st.integers(min_value=0, max_value=10_000))
def test_one_more_answer_moves_an_open_count_only_at_a_step(n):
    before = services.answered_as_shown(n, anonymous=True, closed=False)
    after = services.answered_as_shown(n + 1, anonymous=True, closed=False)
    assert before.at_least % ANONYMITY_THRESHOLD == 0 and before.at_least <= n
    assert after.at_least == before.at_least or (n + 1) % ANONYMITY_THRESHOLD == 0


def test_the_results_page_draws_a_table_and_bars_for_each_chart(login):
    survey = build()
    for answers in ANSWERS:
        respond(survey, answers)
    page = login(make_person(Role.FACULTY)).get(reverse("survey_results", args=[survey.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "css/charts.css" in html
    assert 'style="' not in html.split("<main", 1)[1]  # the CSP allows no inline styles
    assert "3 (75%)" in html
    # One bar per option of each choice question, widths as SVG attributes.
    assert '<rect class="app-chart__fill" x="0" y="0" width="75.00"' in html
    assert html.count('class="app-chart__fill"') == 3 + 3 + 5
    # A stacked bar per grid row, with the numbers in the table.
    assert 'width="66.67"' in html and "2 (67%)" in html
    assert "Middle value (median)" in html and "3.75" in html
    assert "Apple" in html


def test_the_results_page_of_a_small_anonymous_survey_shows_no_answers(login):
    survey = build(anonymous=True)
    respond(survey, {"comments": "Only me"})
    html = (
        login(make_person(Role.FACULTY))
        .get(reverse("survey_results", args=[survey.pk]))
        .content.decode()
    )
    assert "Only me" not in html
    assert f"at least {ANONYMITY_THRESHOLD} people" in html
