"""Surveys' part of a person's data (see fellowship.personal_data): the surveys they were asked to
answer, and their answers to named surveys.

An anonymous survey's answers are linked to nobody (surveys.models), so they are not the person's
to export or erase: nobody, the service included, can tell which are theirs. The export says so
beside each anonymous survey they were asked to answer. On erasure a named response loses the
person and its free text; its ratings and choices stay, as the survey's results count them.
"""

from __future__ import annotations

from collections.abc import Iterator

from fellowship.personal_data import (
    DE_IDENTIFIED,
    REMOVED,
    Erasure,
    Part,
    Person,
    PlanLine,
    holder,
)

from .enums import QuestionKind
from .models import Answer, Invitation, Response

ANONYMOUS_NOTE = (
    "This survey was anonymous: your answers are not linked to you, so they are not in this export"
    " and nobody can pick them out."
)


@holder
class SurveysData:
    own = {
        "surveys.Invitation.person": "surveys the person was asked to answer",
        "surveys.Response.respondent": "responses to named surveys",
        "surveys.Answer.response": "answers in those responses",
    }
    acts = {
        "surveys.Survey.created_by": "who made a survey",
    }

    @staticmethod
    def _invitations(person: Person):
        if person.user is None:
            return Invitation.objects.none()
        return Invitation.objects.filter(person=person.user).select_related("survey")

    @staticmethod
    def _responses(person: Person):
        if person.user is None:
            return Response.objects.none()
        return Response.objects.filter(respondent=person.user)

    @staticmethod
    def _free_text(person: Person):
        return Answer.objects.filter(
            response__respondent=person.user, question__kind=QuestionKind.TEXT
        )

    # Right of access ---------------------------------------------------------------------------------

    def export(self, person: Person) -> Iterator[Part]:
        yield Part(
            "survey-invitations",
            [
                {
                    "survey": invitation.survey.title,
                    "anonymous": invitation.survey.anonymous,
                    "invited_at": invitation.invited_at,
                    "reminded_at": invitation.reminded_at,
                    "answered": invitation.completed,
                    "answered_at": invitation.completed_at,
                    **({"note": ANONYMOUS_NOTE} if invitation.survey.anonymous else {}),
                }
                for invitation in self._invitations(person)
            ],
        )
        responses = (
            self._responses(person).select_related("survey").prefetch_related("answers__question")
        )
        yield Part(
            "survey-answers",
            [
                {
                    "survey": response.survey.title,
                    "submitted_on": response.submitted_on,
                    "answers": [
                        {"question": answer.question.text, "answer": answer.value}
                        for answer in sorted(
                            response.answers.all(),
                            key=lambda a: (a.question.position, a.question.pk),
                        )
                    ],
                }
                for response in responses
            ],
        )

    # Erasure -----------------------------------------------------------------------------------------

    def blockers(self, person: Person) -> list[str]:
        return []

    def plan(self, person: Person) -> list[PlanLine]:
        if person.user is None:
            return []
        return [
            PlanLine("free-text survey answers", self._free_text(person).count(), REMOVED),
            PlanLine(
                "responses to named surveys",
                self._responses(person).count(),
                DE_IDENTIFIED,
                "ratings and choices stay, no longer linked to the person: survey results and the"
                " report count them",
            ),
            PlanLine(
                "survey invitations",
                self._invitations(person).count(),
                DE_IDENTIFIED,
                "how many were asked stays; when the person answered goes. Anonymous answers"
                " cannot be told apart, so they stay as they are",
            ),
        ]

    def erase(self, person: Person, erasure: Erasure) -> None:
        if person.user is None:
            return
        erasure.count("free-text survey answers removed", self._free_text(person).delete()[0])
        # The day stays (a named survey's export is ordered by it); no invitation keeps the time
        # the person answered, so the day does not lead back to them.
        erasure.count(
            "survey responses de-identified", self._responses(person).update(respondent=None)
        )
        erasure.count(
            "survey invitations de-identified",
            self._invitations(person).update(completed_at=None, reminded_at=None),
        )


__all__ = ["SurveysData"]
