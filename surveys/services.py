"""Survey operations, by what they do; this module keeps the one import path for all of them.

- `surveys.copying`: a survey from a template or from another survey.
- `surveys.invitations`: inviting people, panellist feedback, the surveys a person still has to answer.
- `surveys.answers`: checking answers against their questions, and storing a response.
- `surveys.release`: the pool of anonymous answers, its release in a random order, counting answers.
- `surveys.results`: the results, released for an anonymous survey only once it is safe to.

Anonymous surveys are described in docs/anonymity.md.
"""

from .answers import clean_answer, clean_answers, is_blank, number_bounds, submit_response
from .copying import actor_pk, copy_survey, create_from_template
from .invitations import (
    PANELLIST_FEEDBACK_DAYS,
    invite,
    open_invitations,
    round_panellists,
    send_panellist_feedback,
)
from .release import (
    answer_count,
    check_reschedule,
    count_of,
    has_closed,
    queue_release,
    release_answers,
    release_due_answers,
    replace_responses,
    response_counts,
)
from .results import (
    Answered,
    OptionCount,
    QuestionResult,
    RowResult,
    SurveyResults,
    answered,
    answered_as_shown,
    check_released,
    question_result,
    results,
    results_released,
)

__all__ = [
    "PANELLIST_FEEDBACK_DAYS",
    "Answered",
    "OptionCount",
    "QuestionResult",
    "RowResult",
    "SurveyResults",
    "actor_pk",
    "answer_count",
    "answered",
    "answered_as_shown",
    "check_released",
    "check_reschedule",
    "clean_answer",
    "clean_answers",
    "copy_survey",
    "count_of",
    "create_from_template",
    "has_closed",
    "invite",
    "is_blank",
    "number_bounds",
    "open_invitations",
    "question_result",
    "queue_release",
    "release_answers",
    "release_due_answers",
    "replace_responses",
    "response_counts",
    "results",
    "results_released",
    "round_panellists",
    "send_panellist_feedback",
    "submit_response",
]
