"""Answer validation for every kind of question: good input is cleaned, bad input refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from surveys.enums import TEXT_MAX_LENGTH, GridScale, QuestionKind
from surveys.models import Question
from surveys.services import clean_answer

THEMES = [["ai_fundamentals", "AI Fundamentals"], ["strategy_culture", "Strategy & Culture"]]


def q(kind, *, required=True, **fields) -> Question:
    """An unsaved question: validation needs no database."""
    return Question(key="q", kind=kind, text="Question", required=required, **fields)


SINGLE = q(QuestionKind.SINGLE_CHOICE, options=[["red", "Red"], ["blue", "Blue"]])
MULTIPLE = q(QuestionKind.MULTIPLE_CHOICE, options=[["py", "Python"], ["r", "R"], ["xl", "Excel"]])
AGREEMENT = q(QuestionKind.AGREEMENT)
NUMBER = q(QuestionKind.NUMBER)
BOUNDED = q(QuestionKind.NUMBER, options={"min": 0, "max": 37.5})
TEXT = q(QuestionKind.TEXT)
YES_NO_GRID = q(QuestionKind.GRID, scale=GridScale.YES_NO, rows=THEMES)
AGREEMENT_GRID = q(QuestionKind.GRID, scale=GridScale.AGREEMENT, rows=THEMES, required=False)


@pytest.mark.parametrize(
    ("question", "raw", "stored"),
    [
        (SINGLE, "blue", "blue"),
        (MULTIPLE, ["xl", "py"], ["py", "xl"]),
        (MULTIPLE, "r", ["r"]),
        (AGREEMENT, "neutral", "neutral"),
        (NUMBER, "12", 12),
        (NUMBER, " -2.50 ", -2.5),
        (NUMBER, 7, 7),
        (BOUNDED, "0", 0),
        (BOUNDED, "37.5", 37.5),
        (TEXT, "  Very good.  ", "Very good."),
        (TEXT, "x" * TEXT_MAX_LENGTH, "x" * TEXT_MAX_LENGTH),
        (
            YES_NO_GRID,
            {"strategy_culture": "no", "ai_fundamentals": "yes"},
            {"ai_fundamentals": "yes", "strategy_culture": "no"},
        ),
        (
            AGREEMENT_GRID,
            {"ai_fundamentals": "agree", "strategy_culture": ""},
            {"ai_fundamentals": "agree"},
        ),
        (AGREEMENT_GRID, {}, None),
        (AGREEMENT_GRID, {"ai_fundamentals": None}, None),
    ],
)
def test_good_answers_are_cleaned(question, raw, stored):
    assert clean_answer(question, raw) == stored


def test_grid_answers_keep_the_order_of_the_rows():
    cleaned = clean_answer(YES_NO_GRID, {"strategy_culture": "no", "ai_fundamentals": "yes"})
    assert list(cleaned) == ["ai_fundamentals", "strategy_culture"]


@pytest.mark.parametrize(
    ("question", "raw", "message"),
    [
        (SINGLE, "green", "Select one of the answers given"),
        (SINGLE, ["red"], "Select one of the answers given"),
        (MULTIPLE, ["py", "py"], "Select from the answers given"),
        (MULTIPLE, ["cobol"], "Select from the answers given"),
        (MULTIPLE, [1], "Select from the answers given"),
        (AGREEMENT, "agree strongly", "Select one of the answers given"),
        (AGREEMENT, 5, "Select one of the answers given"),
        (NUMBER, "lots", "Enter a number"),
        (NUMBER, "NaN", "Enter a number"),
        (NUMBER, "-Infinity", "Enter a number"),
        (NUMBER, True, "Enter a number"),
        (NUMBER, ["1"], "Enter a number"),
        (BOUNDED, "-1", "Enter a number of 0 or more"),
        (BOUNDED, "37.6", "Enter a number of 37.5 or less"),
        (TEXT, ["a list"], "Enter your answer as text"),
        (
            TEXT,
            "x" * (TEXT_MAX_LENGTH + 1),
            f"Answer must be {TEXT_MAX_LENGTH} characters or fewer",
        ),
        (YES_NO_GRID, {"ai_fundamentals": "yes"}, "Answer every row"),
        (YES_NO_GRID, {"ai_fundamentals": "yes", "strategy_culture": "maybe"}, "Answer each row"),
        (
            YES_NO_GRID,
            {"ai_fundamentals": "yes", "strategy_culture": "no", "knitting": "yes"},
            "Answer only the rows given",
        ),
        (YES_NO_GRID, "yes", "Answer each row from the choices given"),
        (YES_NO_GRID, ["yes", "no"], "Answer each row from the choices given"),
        (AGREEMENT_GRID, {"ai_fundamentals": "yes"}, "Answer each row from the choices given"),
        (AGREEMENT_GRID, {"ai_fundamentals": ["agree"]}, "Answer each row from the choices given"),
    ],
)
def test_bad_answers_are_refused_with_a_message(question, raw, message):
    with pytest.raises(ValidationError) as exc:
        clean_answer(question, raw)
    assert exc.value.messages[0].startswith(message)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (SINGLE, "Select an answer"),
        (MULTIPLE, "Select at least one answer"),
        (AGREEMENT, "Select how much you agree"),
        (NUMBER, "Answer this question"),
        (TEXT, "Answer this question"),
        (YES_NO_GRID, "Answer every row"),
    ],
)
def test_required_questions_left_blank_are_refused(question, message):
    for blank in (None, "", "  ", [], {}):
        if question.kind == QuestionKind.GRID and isinstance(blank, str):
            continue
        with pytest.raises(ValidationError) as exc:
            clean_answer(question, blank)
        assert exc.value.messages == [message]


@pytest.mark.parametrize("kind", list(QuestionKind))
def test_optional_questions_left_blank_store_nothing(kind):
    question = q(kind, required=False, options=[["a", "A"]], rows=THEMES, scale=GridScale.YES_NO)
    assert clean_answer(question, None) is None
    assert clean_answer(question, "") is None
