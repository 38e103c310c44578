"""What every objective's evidence reads: the shared shapes, the fellows and people counted once,
and the exit surveys of cohorts 1..N."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce

from fellowship.enums import NON_MEDICAL_PROFESSIONS, FellowStatus
from fellowship.figures import pct, share
from fellowship.models import Fellow
from surveys.builder import EXIT_SURVEY
from surveys.models import Survey
from surveys.services import QuestionResult, SurveyResults, results


class UnknownCohort(LookupError):
    """The report was asked for a cohort that does not exist."""


# Shared shapes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """A share of those who answered one question (or one row of a grid): `90%`."""

    label: str
    count: int
    answered: int

    @property
    def percent_text(self) -> str:
        return pct(self.count, self.answered)

    @property
    def text(self) -> str:
        """`90%`, with the numbers it came from for the appendix-minded: `90% (19/21)`."""
        return share(self.count, self.answered)


@dataclass(frozen=True)
class ExitSurveyUsed:
    """Which exit survey the survey figures come from."""

    cohort: int
    title: str
    responses: int
    hidden: bool  # too few responses to publish anything (anonymous survey)


# Counted once for every objective -----------------------------------------------------------------

# Fellows of cohorts 1..N by (cohort number, profession, status).
FellowCounts = dict[tuple[int, str, str], int]


def _person(prefix: str = "") -> Coalesce:
    """Who a fellowship record belongs to, the same in every cohort: their account if they have
    one (positive), else the record itself (negative, so never equal to an account's id)."""
    return Coalesce(
        F(f"{prefix}user_id"),
        ExpressionWrapper(Value(0) - F(f"{prefix}pk"), output_field=BigIntegerField()),
        output_field=BigIntegerField(),
    )


def _people(n: int, fellows: FellowCounts) -> dict[str, Any]:
    """Distinct people among the fellows of cohorts 1..n (one aggregate query): a person with a
    place in two cohorts (say, withdrawn and back again) counts once in a total across cohorts."""
    non_medic_cohorts = sorted(
        {
            number
            for (number, profession, _status) in fellows
            if profession in NON_MEDICAL_PROFESSIONS
        }
    )
    person = _person()
    in_scope = Q(cohort__number__in=non_medic_cohorts)
    non_medic = in_scope & Q(profession__in=list(NON_MEDICAL_PROFESSIONS))
    counts = Fellow.objects.filter(cohort__number__lte=n).aggregate(
        graduates=Count(
            person, distinct=True, filter=Q(status=FellowStatus.GRADUATED, cohort__number__lt=n)
        ),
        in_post=Count(person, distinct=True, filter=Q(status=FellowStatus.IN_POST)),
        non_medic_of=Count(person, distinct=True, filter=in_scope),
        non_medics=Count(person, distinct=True, filter=non_medic),
        **{
            f"profession_{value.value}": Count(person, distinct=True, filter=Q(profession=value))
            for value in NON_MEDICAL_PROFESSIONS
        },
    )
    counts["non_medic_cohorts"] = tuple(non_medic_cohorts)
    return counts


def _fellow_counts(n: int) -> FellowCounts:
    """Fellows of cohorts 1..n by (cohort, profession, status): one aggregate query."""
    rows = (
        Fellow.objects.filter(cohort__number__lte=n)
        .order_by()
        .values("cohort__number", "profession", "status")
        .annotate(n=Count("pk"))
    )
    return {(r["cohort__number"], r["profession"], r["status"]): r["n"] for r in rows}


def _exit_surveys(n: int) -> dict[int, tuple[ExitSurveyUsed, SurveyResults | None]]:
    """Each cohort's newest exit survey that anyone answered, with its results (None if hidden),
    by cohort number: one query, and 3 for each surveyed cohort's results."""
    found = (
        Survey.objects.sent()
        .filter(key=EXIT_SURVEY, cohort__number__lte=n)
        .annotate(answered=Count("responses"))
        .filter(answered__gt=0)
        .select_related("cohort")
        .order_by("-cohort__number", "-created_at")
    )
    newest: dict[int, Survey] = {}
    for survey in found:
        newest.setdefault(survey.cohort.number, survey)
    out = {}
    for number, survey in sorted(newest.items()):
        outcome = results(survey)
        used = ExitSurveyUsed(
            cohort=number,
            title=survey.title,
            responses=outcome.responses,
            hidden=outcome.hidden,
        )
        out[number] = (used, None if outcome.hidden else outcome)
    return out


def _question(outcome: SurveyResults | None, key: str) -> QuestionResult | None:
    if outcome is None:
        return None
    return next((q for q in outcome.questions if q.question.key == key), None)


def _option_shares(outcome: SurveyResults | None, key: str) -> tuple[Share, ...]:
    question = _question(outcome, key)
    if question is None:
        return ()
    return tuple(Share(o.label, o.count, o.answered) for o in question.options)
