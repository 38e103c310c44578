"""Recruitment's rules of the retention policy (see fellowship.retention and settings.RETENTION).

* Interview notes: reviewers' and panellists' comments and notes about a candidate who did not get
  a post are blanked once the round closed `interview_notes` months ago; the scores stay.
* Unsuccessful applications (unsuccessful, withdrawn or ineligible, and drafts never submitted)
  lose what identifies the applicant, their written answers and their files, the same way as an
  erasure (recruitment.personal_data), so every figure that counts them stays (the report counts
  even drafts among its application records); a draft stays a draft.
* Equality answers are kept only as counts per round (recruitment.equality.summarise) once the
  round closed `equality_records` months ago and no application in it awaits a decision.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from fellowship.personal_data import Erasure, Person
from fellowship.privacy import scrub_history
from fellowship.retention import Rule, register
from fellowship.uploads import delete_files_on_commit

from . import equality
from .enums import Stage
from .models import (
    Application,
    ApplicationDocument,
    Conflict,
    ConsensusScore,
    EqualityRecord,
    InterviewScore,
    Moderation,
    RecruitmentRound,
    ShortlistScore,
    Statement,
)
from .personal_data import APPLICATION_IDENTITY, ROUND_BUSY, RecruitmentData, blank

# Applications that did not lead to a post, once their round is over.
UNSUCCESSFUL = (Stage.UNSUCCESSFUL, Stage.WITHDRAWN, Stage.INELIGIBLE)

# Free text about a candidate: (model, its link to the application, the field).
NOTES = (
    (ShortlistScore, "assignment__application", "comment"),
    (Moderation, "application", "reason"),
    (InterviewScore, "application", "comment"),
    (ConsensusScore, "application", "note"),
    (Conflict, "application", "note"),
)


def _retention_erasure() -> Erasure:
    """The erasure machinery's bookkeeping, for records removed under the policy (nobody asked)."""
    return Erasure(person=Person(email=""), pseudonym="", by=None)


def _old(applications: QuerySet[Application], cutoff: dt.datetime) -> QuerySet[Application]:
    return applications.filter(round__closes_at__lte=cutoff)


@register
class InterviewNotesRule(Rule):
    kind = "interview_notes"
    what = "applications with comments or notes about the candidate"

    def due(self, now: dt.datetime) -> QuerySet[Application]:
        noted = Q()
        for model, link, field in NOTES:
            noted |= Exists(model.objects.filter(**{link: OuterRef("pk")}).exclude(**{field: ""}))
        return _old(
            Application.objects.filter(stage__in=UNSUCCESSFUL), self.policy.cutoff(now)
        ).filter(noted)

    def remove(self, records: list[Application]) -> int:
        erasure = _retention_erasure()
        pks = [a.pk for a in records]
        for model, link, field in NOTES:
            blank(model, {f"{link}__in": pks}, field, "notes", erasure)
        scrub_history(erasure)
        return len(records)


@register
class UnsuccessfulApplicationsRule(Rule):
    kind = "unsuccessful_applications"
    what = "applications that did not lead to a post"

    def due(self, now: dt.datetime) -> QuerySet[Application]:
        identifying = (
            Q(applicant__isnull=False)
            | Exists(ApplicationDocument.objects.filter(application=OuterRef("pk")))
            | Exists(Statement.objects.filter(application=OuterRef("pk")).exclude(text=""))
        )
        for name in APPLICATION_IDENTITY:
            if name != "applicant":
                identifying |= ~Q(**{name: ""})
        cutoff = self.policy.cutoff(now)
        return _old(
            Application.objects.filter(stage__in=(*UNSUCCESSFUL, Stage.DRAFT)).filter(identifying),
            cutoff,
        )

    def remove(self, records: list[Application]) -> int:
        erasure = _retention_erasure()
        drafts = [a for a in records if a.stage == Stage.DRAFT]
        others = [a for a in records if a.stage != Stage.DRAFT]
        if others:
            RecruitmentData().erase_applications(others, erasure)
        if drafts:
            _de_identify_drafts(drafts, erasure)
        scrub_history(erasure)
        return len(records)


def _de_identify_drafts(drafts: list[Application], erasure: Erasure) -> None:
    """As erasure de-identifies an application, but a draft stays a draft: the report's count of
    application records includes drafts, and no stage changes after its round has closed."""
    pks = [a.pk for a in drafts]
    documents = ApplicationDocument.objects.filter(application__in=pks)
    delete_files_on_commit(
        [f for a in drafts for f in (a.cv, a.approval_form)] + [d.file for d in documents]
    )
    erasure.scrubbed(ApplicationDocument, list(documents.values_list("pk", flat=True)))
    documents.delete()
    for draft in drafts:
        for name in APPLICATION_IDENTITY:
            setattr(draft, name, None if name == "applicant" else "")
        draft.approval_token = ""
        draft.save()
    erasure.scrubbed(Application, pks, APPLICATION_IDENTITY)
    blank(Statement, {"application__in": pks}, "text", "answers", erasure)
    EqualityRecord.objects.filter(application__in=pks).delete()  # never submitted: never counted


@register
class EqualityRecordsRule(Rule):
    kind = "equality_records"
    what = "equality monitoring answers"

    def due(self, now: dt.datetime) -> QuerySet[EqualityRecord]:
        busy = Application.objects.filter(stage__in=ROUND_BUSY).values("round_id")
        rounds = RecruitmentRound.objects.filter(closes_at__lte=self.policy.cutoff(now)).exclude(
            pk__in=busy
        )
        return EqualityRecord.objects.filter(application__round__in=rounds.values("pk"))

    def remove(self, records: list[EqualityRecord]) -> int:
        return equality.summarise(EqualityRecord.objects.filter(pk__in=[r.pk for r in records]))
