"""Recruitment's part of a person's data (see fellowship.personal_data).

As an applicant, a person owns their applications and everything hung on them: written answers,
uploaded documents and files, stage changes, equality-monitoring answers, the reviewers and panel
given to them, the scores, conflicts, moderation, interview time and offers. Erasure keeps each
application as a row that no longer says whose it is, with what the report and the equality pages
count (round and so cohort, the stage reached, profession, region, the dates, the offers and the
posts' funders, the scores and the equality answers of a submitted application), and removes the
rest: names, registration number, grade, specialty, employer, the manager's details, free text
(answers, reasons, comments about the person) and the files. An application still in selection is
withdrawn.

As a reviewer, panellist or member of faculty, a person acts on others' applications: those
records stay, linked to the account that erasure turns into a pseudonym; the comments and notes
they wrote are removed, they leave the panels still interviewing and lose the reviews they had not
started. The only member of a panel still interviewing blocks the erasure, and so does an offer
waiting for the applicant's reply.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from fellowship.personal_data import (
    DE_IDENTIFIED,
    KEPT,
    REMOVED,
    Erasure,
    Part,
    Person,
    PlanLine,
    holder,
    record,
)

from .enums import FUNNEL, OfferState, Stage
from .models import (
    Application,
    ApplicationDocument,
    Conflict,
    ConsensusScore,
    EqualityRecord,
    InterviewPanel,
    InterviewScore,
    InterviewSlot,
    Moderation,
    Offer,
    RecruitmentRound,
    ReviewerAssignment,
    ShortlistScore,
    StageChange,
    Statement,
)
from .services import _change_stage
from .shortlisting import SHORTLISTABLE

if TYPE_CHECKING:
    from django.db import models

    from fellowship.models import User

# An application at one of these stages is still in selection: erasure withdraws it.
IN_SELECTION = (
    Stage.DRAFT,
    Stage.SUBMITTED,
    Stage.LONGLISTED,
    Stage.SHORTLISTED,
    Stage.INTERVIEWED,
)
# A round is in selection while an application of it is at one of these stages (an interviewed
# candidate waits for an offer or for the outcomes).
ROUND_BUSY = (
    Stage.SUBMITTED,
    Stage.LONGLISTED,
    Stage.SHORTLISTED,
    Stage.INTERVIEWED,
    Stage.OFFERED,
)
ERASED_REASON = "Withdrawn when the applicant's data was erased"

# What an application loses: identity, free text and files. Every field here is also in the
# application's history, which the core gives the same blank values.
APPLICATION_IDENTITY = (
    "applicant",
    "registration_number",
    "grade",
    "specialty",
    "employer",
    "manager_name",
    "manager_email",
    "approval_decline_reason",
    "ineligible_reason",
    "cv",
    "approval_form",
)


def closed_rounds(round_ids: Iterable[int]) -> set[int]:
    """The rounds among these whose selection is over: the deadline has passed and no application
    is waiting for a decision (so the scores given in them can be shown to the applicants)."""
    round_ids = list(round_ids)
    busy = Application.objects.filter(round_id__in=round_ids, stage__in=ROUND_BUSY).values(
        "round_id"
    )
    return set(
        RecruitmentRound.objects.filter(pk__in=round_ids, closes_at__lte=timezone.now())
        .exclude(pk__in=busy)
        .values_list("pk", flat=True)
    )


def active_panels() -> QuerySet[InterviewPanel]:
    """Panels still interviewing: their day has not passed, or a candidate in one of their slots
    is still waiting for the panel's agreed scores (consensus moves a candidate on to interviewed)."""
    waiting = InterviewSlot.objects.filter(application__stage=Stage.SHORTLISTED).values("panel_id")
    return InterviewPanel.objects.filter(Q(date__gte=timezone.localdate()) | Q(pk__in=waiting))


def _in_zip(ref: str, file: FieldFile, label: str) -> str:
    return f"files/applications/{ref}/{label}-{posixpath.basename(file.name)}"


@holder
class RecruitmentData:
    own = {
        "recruitment.Application.applicant": "applications",
        "recruitment.Statement.application": "answers written to the round's criteria",
        "recruitment.ApplicationDocument.application": "documents uploaded with an application",
        "recruitment.StageChange.application": "an application's changes of stage",
        "recruitment.EqualityRecord.application": "equality monitoring answers",
        "recruitment.ReviewerAssignment.application": "reviewers given an application to score",
        "recruitment.ShortlistScore.assignment": "shortlisting scores given to an application",
        "recruitment.Conflict.application": "conflicts of interest recorded with an applicant",
        "recruitment.Moderation.application": "shortlisting scores settled by faculty",
        "recruitment.InterviewSlot.application": "interview times",
        "recruitment.InterviewScore.application": "interview scores given to a candidate",
        "recruitment.ConsensusScore.application": "interview scores a panel agreed",
        "recruitment.Offer.application": "offers of a post",
    }
    acts = {
        "recruitment.ReviewerAssignment.reviewer": "the candidates' scores depend on the reviews given; the comments are removed",
        "recruitment.ReviewerAssignment.assigned_by": "who gave a reviewer an application to score",
        "recruitment.Conflict.person": "a reviewer or panellist stays kept apart from the candidate; the note is removed",
        "recruitment.Conflict.recorded_by": "who recorded a conflict of interest",
        "recruitment.StageChange.by": "who moved an application on: the selection's record",
        "recruitment.Moderation.by": "who settled a shortlisting score: the selection's record",
        "recruitment.InterviewPanel.members": "who sat on a panel that has interviewed: the selection's record",
        "recruitment.InterviewScore.panellist": "the candidates' agreed scores rest on the panellists' own; the comments are removed",
        "recruitment.ConsensusScore.by": "who recorded a panel's agreed scores: the selection's record",
        "recruitment.Offer.made_by": "who offered a post: the selection's record",
    }

    # Querysets of the person's records -----------------------------------------------------------

    @staticmethod
    def _applications(person: Person) -> QuerySet[Application]:
        if person.user is None:  # applications need an account; imported ones belong to nobody
            return Application.objects.none()
        return Application.objects.filter(applicant=person.user)

    @staticmethod
    def _sole_member_panels(person: Person) -> list[InterviewPanel]:
        if person.user is None:
            return []
        panels = active_panels().filter(members=person.user).distinct()
        return [panel for panel in panels if panel.members.count() == 1]

    # Right of access ---------------------------------------------------------------------------------

    def references(self, person: Person) -> list[str]:
        """The references by which the audit log names the person's applications."""
        return [application.ref for application in self._applications(person)]

    def export(self, person: Person) -> Iterator[Part]:
        applications = list(self._applications(person).select_related("round__cohort", "region"))
        if applications:
            yield from self._export_applications(applications)
        if person.user is not None:
            yield from self._export_acts(person.user)

    def _export_applications(self, applications: list[Application]) -> Iterator[Part]:
        refs = {a.pk: a.ref for a in applications}
        files = []
        rows = []
        for application in applications:
            row = record(
                application,
                exclude=["applicant", "approval_token", "cv", "approval_form"],
                extra={"cohort": application.round.cohort.number},
            )
            for name, label in (("cv", "cv"), ("approval_form", "employer-approval")):
                file = getattr(application, name)
                row[name] = _in_zip(application.ref, file, label) if file else None
                if file:
                    files.append((row[name], file))
            rows.append(row)
        yield Part("applications", rows, files)

        yield Part(
            "application-answers",
            [
                {
                    "application": refs[s.application_id],
                    "criterion": s.criterion.title,
                    "text": s.text,
                }
                for s in Statement.objects.filter(application__in=applications).select_related(
                    "criterion"
                )
            ],
        )
        documents = list(
            ApplicationDocument.objects.filter(application__in=applications).select_related(
                "requirement"
            )
        )
        yield Part(
            "application-documents",
            [
                {
                    "application": refs[d.application_id],
                    "document": d.requirement.name,
                    "file": _in_zip(refs[d.application_id], d.file, "document"),
                    "uploaded_at": d.uploaded_at,
                }
                for d in documents
            ],
            [(_in_zip(refs[d.application_id], d.file, "document"), d.file) for d in documents],
        )
        yield Part(
            "application-stages",
            [
                {
                    "application": refs[c.application_id],
                    "from": c.get_from_stage_display(),
                    "to": c.get_to_stage_display(),
                    "at": c.at,
                    "reason": c.reason,
                }
                for c in StageChange.objects.filter(application__in=applications)
            ],
        )
        yield Part(
            "equality-monitoring",
            [
                record(e, exclude=["application"], extra={"application": refs[e.application_id]})
                for e in EqualityRecord.objects.filter(application__in=applications)
            ],
        )
        yield Part(
            "interviews",
            [
                {
                    "application": refs[s.application_id],
                    "panel": s.panel.name,
                    "starts_at": s.starts_at,
                    "ends_at": s.ends_at,
                    "location": s.panel.location,
                    "video_link": s.panel.video_link,
                    "chosen_by_you": s.chosen_by_candidate,
                }
                for s in InterviewSlot.objects.filter(application__in=applications).select_related(
                    "panel"
                )
            ],
        )
        yield Part(
            "offers",
            [
                {
                    "application": refs[o.application_id],
                    "post": str(o.post),
                    "rank": o.rank,
                    "state": o.get_state_display(),
                    "made_at": o.made_at,
                    "respond_by": o.respond_by,
                    "responded_at": o.responded_at,
                }
                for o in Offer.objects.filter(application__in=applications).select_related(
                    "post__region", "post__funder", "post__cohort"
                )
            ],
        )
        closed = closed_rounds({a.round_id for a in applications})
        scored = [a for a in applications if a.round_id in closed]
        yield Part("scores", list(_scores_given_to(scored, refs)))

    def _export_acts(self, user: User) -> Iterator[Part]:
        """What the person did on others' applications: by reference only, never the applicant, and
        without the comments and notes, which are about the applicant as much as by the person."""
        yield Part(
            "interview-panels",
            [
                {"panel": p.name, "round": p.round.name, "date": p.date, "location": p.location}
                for p in InterviewPanel.objects.filter(members=user).select_related("round")
            ],
        )
        yield Part(
            "shortlisting-reviews",
            [
                {
                    "application": a.application.ref,
                    "assigned_at": a.assigned_at,
                    "completed_at": a.completed_at,
                    "scores": [
                        {"criterion": s.criterion.title, "score": s.score, "scored_at": s.scored_at}
                        for s in a.scores.all()
                    ],
                }
                for a in ReviewerAssignment.objects.filter(reviewer=user)
                .select_related("application")
                .prefetch_related("scores__criterion")
            ],
        )
        yield Part(
            "interview-scores-given",
            [
                {
                    "application": s.application.ref,
                    "criterion": s.criterion.title,
                    "score": s.score,
                    "scored_at": s.scored_at,
                }
                for s in InterviewScore.objects.filter(panellist=user).select_related(
                    "application", "criterion"
                )
            ],
        )
        yield Part(
            "conflicts-of-interest",
            [
                {
                    "application": c.application.ref,
                    "reason": c.get_reason_display(),
                    "recorded_at": c.recorded_at,
                }
                for c in Conflict.objects.filter(person=user).select_related("application")
            ],
        )

    # Erasure -----------------------------------------------------------------------------------------

    def blockers(self, person: Person) -> list[str]:
        reasons = [
            f"Add another panel member to {panel} first"
            for panel in self._sole_member_panels(person)
        ]
        pending = Offer.objects.filter(
            application__in=self._applications(person), state=OfferState.PENDING
        )
        for offer in pending.select_related("application"):
            due = timezone.localtime(offer.respond_by)
            reasons.append(
                f"Application {offer.application.ref} has an offer waiting for a reply: wait until it is "
                f"declined, or lapses on {due:%-d %B %Y}, first"
            )
        return reasons

    def plan(self, person: Person) -> list[PlanLine]:
        applications = self._applications(person)
        lines = [
            PlanLine(
                "applications",
                applications.count(),
                DE_IDENTIFIED,
                "round, stage reached, profession, region, dates and offers stay: the report and the "
                "equality pages count applications by them; names, registration number, employer, "
                "manager and written answers go, and one still in selection is withdrawn",
            ),
            PlanLine(
                "uploaded documents, CVs and employer approval forms",
                ApplicationDocument.objects.filter(application__in=applications).count()
                + sum(
                    bool(cv) + bool(form)
                    for cv, form in applications.values_list("cv", "approval_form")
                ),
                REMOVED,
            ),
            PlanLine(
                "equality monitoring answers of submitted applications",
                EqualityRecord.objects.filter(
                    application__in=applications, application__furthest_stage__in=FUNNEL
                ).count(),
                KEPT,
                "the equality monitoring figures count them, and they do not say whose they are",
            ),
            PlanLine(
                "equality monitoring answers of applications never submitted",
                EqualityRecord.objects.filter(application__in=applications)
                .exclude(application__furthest_stage__in=FUNNEL)
                .count(),
                REMOVED,
            ),
            PlanLine(
                "scores given to the person's applications",
                ShortlistScore.objects.filter(assignment__application__in=applications).count()
                + InterviewScore.objects.filter(application__in=applications).count()
                + ConsensusScore.objects.filter(application__in=applications).count()
                + Moderation.objects.filter(application__in=applications).count(),
                DE_IDENTIFIED,
                "the scores stay for the round's selection record; comments and notes about the person go",
            ),
        ]
        user = person.user
        if user is None:
            return lines
        lines += [
            PlanLine(
                "places on panels still interviewing",
                active_panels().filter(members=user).count(),
                REMOVED,
                "the panel carries on without the person",
            ),
            PlanLine(
                "places on panels that have interviewed",
                InterviewPanel.objects.filter(members=user).exclude(pk__in=active_panels()).count(),
                KEPT,
                self.acts["recruitment.InterviewPanel.members"],
            ),
            PlanLine(
                "shortlisting reviews not started",
                self._unstarted_reviews(user).count(),
                REMOVED,
                "faculty can give the applications to another reviewer",
            ),
            PlanLine(
                "scores given as a reviewer or panellist",
                ShortlistScore.objects.filter(assignment__reviewer=user).count()
                + InterviewScore.objects.filter(panellist=user).count(),
                DE_IDENTIFIED,
                "the candidates' totals rest on them; the comments go",
            ),
            PlanLine(
                "conflicts of interest declared",
                Conflict.objects.filter(person=user).count(),
                DE_IDENTIFIED,
                self.acts["recruitment.Conflict.person"],
            ),
        ]
        return lines

    @staticmethod
    def _unstarted_reviews(user: User) -> QuerySet[ReviewerAssignment]:
        return ReviewerAssignment.objects.filter(
            reviewer=user, scores__isnull=True, application__stage__in=SHORTLISTABLE
        )

    def erase(self, person: Person, erasure: Erasure) -> None:
        applications = list(self._applications(person))
        if applications:
            self.erase_applications(applications, erasure)
        if person.user is not None:
            self._erase_acts(person.user, erasure)

    def erase_applications(self, applications: list[Application], erasure: Erasure) -> None:
        withdrawn = 0
        for application in applications:
            if application.stage in IN_SELECTION:
                _change_stage(application, Stage.WITHDRAWN, by=erasure.by, reason=ERASED_REASON)
                withdrawn += 1
            erasure.delete_files(application.cv, application.approval_form)
            for name in APPLICATION_IDENTITY:
                setattr(application, name, None if name == "applicant" else "")
            application.approval_token = ""
            application.save()
        pks = [a.pk for a in applications]
        erasure.scrubbed(Application, pks, APPLICATION_IDENTITY)
        erasure.count("applications de-identified", len(pks))
        erasure.count("applications withdrawn", withdrawn)

        documents = ApplicationDocument.objects.filter(application__in=pks)
        erasure.delete_files(*(d.file for d in documents))
        erasure.scrubbed(ApplicationDocument, list(documents.values_list("pk", flat=True)))
        erasure.count("uploaded documents removed", documents.delete()[0])

        unsubmitted = EqualityRecord.objects.filter(application__in=pks).exclude(
            application__furthest_stage__in=FUNNEL
        )
        erasure.scrubbed(EqualityRecord, list(unsubmitted.values_list("pk", flat=True)))
        erasure.count("equality answers removed", unsubmitted.delete()[0])

        # Free text written by or about the person; the rows and the scores stay.
        for model, filter_, field, what in (
            (Statement, {"application__in": pks}, "text", "answers de-identified"),
            (StageChange, {"application__in": pks}, "reason", "stage changes de-identified"),
            (
                ShortlistScore,
                {"assignment__application__in": pks},
                "comment",
                "scores de-identified",
            ),
            (Moderation, {"application__in": pks}, "reason", "scores de-identified"),
            (InterviewScore, {"application__in": pks}, "comment", "scores de-identified"),
            (ConsensusScore, {"application__in": pks}, "note", "scores de-identified"),
            (Conflict, {"application__in": pks}, "note", "conflicts of interest de-identified"),
        ):
            blank(model, filter_, field, what, erasure)

    def _erase_acts(self, user: User, erasure: Erasure) -> None:
        left = 0
        for panel in active_panels().filter(members=user).distinct():
            panel.members.remove(user)
            left += 1
        erasure.count("places on panels still interviewing removed", left)

        unstarted = self._unstarted_reviews(user)
        erasure.scrubbed(ReviewerAssignment, list(unstarted.values_list("pk", flat=True)))
        erasure.count("shortlisting reviews not started removed", unstarted.delete()[0])

        blank(
            ShortlistScore,
            {"assignment__reviewer": user},
            "comment",
            "scores given de-identified",
            erasure,
        )
        blank(InterviewScore, {"panellist": user}, "comment", "scores given de-identified", erasure)
        blank(Conflict, {"person": user}, "note", "conflicts of interest de-identified", erasure)


def blank(
    model: type[models.Model], filter_: dict, field: str, what: str, erasure: Erasure
) -> None:
    """Blank one free-text field of the matching rows (and, through the core, of their history)."""
    rows = model.objects.filter(**filter_).exclude(**{field: ""})
    pks = list(rows.values_list("pk", flat=True))
    erasure.scrubbed(model, pks, [field])
    erasure.count(what, model.objects.filter(pk__in=pks).update(**{field: ""}))


def _scores_given_to(applications: list[Application], refs: dict[int, str]) -> Iterator[dict]:
    """The scores given to these applications: the values and criteria, never who gave them (each
    criterion's individual scores in order of value, so that their order says nothing either)."""
    if not applications:
        return
    shortlisting = ShortlistScore.objects.filter(
        assignment__application__in=applications
    ).select_related("criterion", "assignment")
    for s in sorted(
        shortlisting,
        key=lambda s: (s.assignment.application_id, s.criterion.position, s.criterion_id, s.score),
    ):
        yield {
            "application": refs[s.assignment.application_id],
            "stage": "shortlisting",
            "criterion": s.criterion.title,
            "score": s.score,
        }
    for m in Moderation.objects.filter(application__in=applications).select_related("criterion"):
        yield {
            "application": refs[m.application_id],
            "stage": "shortlisting, settled by faculty",
            "criterion": m.criterion.title,
            "score": m.score,
        }
    interview = InterviewScore.objects.filter(application__in=applications).select_related(
        "criterion"
    )
    for s in sorted(
        interview, key=lambda s: (s.application_id, s.criterion.position, s.criterion_id, s.score)
    ):
        yield {
            "application": refs[s.application_id],
            "stage": "interview",
            "criterion": s.criterion.title,
            "score": s.score,
        }
    for c in ConsensusScore.objects.filter(application__in=applications).select_related(
        "criterion"
    ):
        yield {
            "application": refs[c.application_id],
            "stage": "interview, agreed by the panel",
            "criterion": c.criterion.title,
            "score": c.score,
            "note": c.note,
        }
