"""Domain operations for AI project proposals: drafting, submitting, vetting and milestones.

State changes: draft → submitted → (approved | revise | declined); revise → resubmitted → ...
Every submission freezes a ProposalVersion, so reviewers and supervisors can compare versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst

from fellowship.models import User
from fellowship.notifications import notify

from .enums import AWAITING_REVIEW, EDITABLE, Answer, Decision, ProposalStatus
from .models import ChecklistAnswer, ChecklistItem, Milestone, Project, ProposalVersion, Review

# The template's fields in the order the proposal form and the comparison show them.
TEMPLATE_FIELDS = [
    "title", "host_organisation", "region", "clinical_domain", "ai_modality", "summary", "clinical_problem",
    "ai_product", "ai_supplier", "regulatory_status", "evidence", "deployment_setting", "data_description",
    "supervisor_name", "clinical_safety_officer", "ig_lead", "technical_lead", "other_roles",
    "data_access", "compute", "funding", "protected_time", "capacity", "funder_theme",
]  # fmt: skip
REQUIRED_TO_SUBMIT = [
    "title", "host_organisation", "region", "clinical_domain", "ai_modality", "summary", "clinical_problem",
    "ai_product", "regulatory_status", "deployment_setting", "data_description", "clinical_safety_officer",
    "ig_lead", "technical_lead", "data_access", "protected_time",
]  # fmt: skip


def _display(project: Project, name: str) -> str:
    value = getattr(project, name)
    if value is None:
        return ""
    display = getattr(project, f"get_{name}_display", None)
    return str(display() if display and value != "" else value)


def snapshot(project: Project) -> dict[str, Any]:
    """The proposal as plain text, for a frozen version and for comparing versions."""
    return {
        "fields": {name: _display(project, name) for name in TEMPLATE_FIELDS},
        "hazards": [
            {
                "hazard": h.hazard,
                "cause": h.cause,
                "effect": h.effect,
                "severity": h.get_severity_display(),
                "likelihood": h.get_likelihood_display(),
                "risk": h.risk,
                "mitigation": h.mitigation,
            }
            for h in project.hazards.all()
        ],
        "educational_aims": [
            {"theme": a.theme.name, "aim": a.aim}
            for a in project.educational_aims.select_related("theme")
        ],
        "milestones": [
            {"title": m.title, "target_month": m.target_month, "deliverable": m.deliverable}
            for m in project.milestones.all()
        ],
    }


def label(name: str) -> str:
    field = Project._meta.get_field(name)
    assert isinstance(field, Field)  # a column of the proposal, not a reverse relation
    return capfirst(str(field.verbose_name))


@dataclass(frozen=True)
class Change:
    item: str
    before: str
    after: str


def compare(older: dict[str, Any], newer: dict[str, Any]) -> list[Change]:
    """What changed between two snapshots, field by field and list by list."""
    changes = [
        Change(label(name), older["fields"].get(name, ""), newer["fields"].get(name, ""))
        for name in TEMPLATE_FIELDS
        if older["fields"].get(name, "") != newer["fields"].get(name, "")
    ]
    for key, title in (
        ("hazards", "Hazard log"),
        ("educational_aims", "Educational aims"),
        ("milestones", "Milestones"),
    ):
        rows_before = [_row_text(row) for row in older.get(key, [])]
        rows_after = [_row_text(row) for row in newer.get(key, [])]
        if rows_before != rows_after:
            changes.append(Change(title, "\n".join(rows_before), "\n".join(rows_after)))
    return changes


def _row_text(row: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in row.items())


def missing_for_submission(project: Project) -> list[str]:
    """What the standard template still needs before the proposal can be submitted."""
    missing = [
        f"{label(name)} is missing"
        for name in REQUIRED_TO_SUBMIT
        if getattr(project, name) in ("", None)
    ]
    if not project.hazards.exists():
        missing.append("Add at least one hazard to the hazard log")
    if not project.educational_aims.exists():
        missing.append("Add at least one educational aim mapped to a curriculum theme")
    if not project.milestones.exists():
        missing.append("Add at least one milestone with its target month")
    return missing


@dataclass
class DraftSaved:
    """What `save_proposal_draft` saved: the proposal, and the lists whose rows did not validate."""

    project: Project
    unsaved: dict[str, Any]


def save_proposal_draft(
    project: Project, form: Any, formsets: dict[str, Any], *, by: User
) -> DraftSaved:
    """Save a draft of `project` (new or existing): every field of `form` that validated, and
    each list (hazard log, educational aims, milestones) of `formsets` whose rows all validate.

    `form` is a bound, validated ProposalForm and `formsets` the proposal's bound formsets; the
    lists that did not validate are returned unsaved, with their errors, so that no text is lost.
    `by` is the supervisor saving (the view has checked the rules). Side effects, in one
    transaction: locks an existing proposal and saves its fields (or creates the new proposal);
    saves the valid lists. Raises ValidationError, saving nothing, if the proposal was submitted
    meanwhile (from another tab).
    """
    with transaction.atomic():
        if project.pk:
            project = Project.objects.select_for_update().get(pk=project.pk)
            if not project.is_editable:
                raise ValidationError("This proposal has been submitted and cannot be changed.")
        form.copy_valid_to(project).save()
        unsaved = {}
        for prefix, formset in formsets.items():
            formset.instance = project
            if formset.is_valid():
                formset.save()
            else:
                unsaved[prefix] = formset
    return DraftSaved(project=project, unsaved=unsaved)


class ProposalsClosed(ValidationError):
    """A first submission after the cohort's deadline for project proposals."""


def proposals_closed(project: Project, now: datetime | None = None) -> str:
    """Why a first submission of `project` is no longer accepted ("" while it is): its cohort's
    proposals closed. A proposal the programme team sent back for revision may still be
    resubmitted after the deadline."""
    closes = project.cohort.proposals_close_at
    if project.status != ProposalStatus.DRAFT or closes is None:
        return ""
    if (now or timezone.now()) <= closes:
        return ""
    when = date_format(timezone.localtime(closes), "j F Y \\a\\t H:i T")
    return f"Proposals for {project.cohort} closed on {when}"


def submit_proposal(project: Project, *, by: User, now: datetime | None = None) -> ProposalVersion:
    """Submit (or resubmit) the proposal for vetting.

    Side effects: status → submitted or resubmitted; a new ProposalVersion snapshot; e-mails faculty
    `proposal_submitted`. Raises ValidationError listing what the template still needs, or
    ProposalsClosed for a first submission after the cohort's deadline.
    """
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("cohort").get(pk=project.pk)
        if project.status not in EDITABLE:
            raise ValidationError("This proposal is not waiting for you to change it")
        if closed := proposals_closed(project, now):
            raise ProposalsClosed(closed)
        missing = missing_for_submission(project)
        if missing:
            raise ValidationError(missing)
        number = project.versions.count() + 1
        version = ProposalVersion.objects.create(
            project=project,
            number=number,
            submitted_by=by,
            submitted_at=now or timezone.now(),
            snapshot=snapshot(project),
        )
        project.status = ProposalStatus.SUBMITTED if number == 1 else ProposalStatus.RESUBMITTED
        project.submitted_at = version.submitted_at
        project.save()
        faculty = User.objects.filter(role_grants__role="faculty").values_list("email", flat=True)
        notify(
            "proposal_submitted", to=list(faculty), context={"project": project, "version": version}
        )
    return version


def review_problems(answers: dict[int, tuple[str, str]], decision: str) -> list[str]:
    """Why a review cannot be recorded: every active item needs an answer; no approval with any 'not met'."""
    problems = []
    items = list(ChecklistItem.objects.filter(active=True))
    unanswered = [item.text for item in items if item.pk not in answers or not answers[item.pk][0]]
    if unanswered:
        problems.append(f"Answer every checklist item ({len(unanswered)} unanswered)")
    not_met = [item.text for item in items if answers.get(item.pk, ("", ""))[0] == Answer.NOT_MET]
    if decision == Decision.APPROVED and not_met:
        problems.append("A proposal cannot be approved while any checklist item is not met")
    if decision in (Decision.REVISE, Decision.DECLINED) and not any(
        comment.strip() for _, comment in answers.values()
    ):
        problems.append("Say what needs to change: comment on at least one checklist item")
    return problems


def record_review(
    project: Project,
    *,
    by: User,
    answers: dict[int, tuple[str, str]],
    decision: str,
    comments: str = "",
) -> Review:
    """Record a reviewer's checklist answers and decision on the latest submitted version.

    Approval takes effect once settings.PROJECT_APPROVALS_REQUIRED reviewers have approved this
    version; asking for revision or declining takes effect at once. Side effects: Review and
    ChecklistAnswers saved; project status and decided_at; e-mails the supervisor the outcome.
    """
    problems = review_problems(answers, decision)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.status not in AWAITING_REVIEW:
            raise ValidationError("This proposal is not waiting for a review")
        version = project.versions.latest("number")
        review, _ = Review.objects.update_or_create(
            version=version, reviewer=by,
            defaults={"project": project, "decision": decision, "comments": comments, "decided_at": timezone.now()},
        )  # fmt: skip
        review.answers.all().delete()
        ChecklistAnswer.objects.bulk_create(
            ChecklistAnswer(review=review, item_id=item_id, answer=answer, comment=comment)
            for item_id, (answer, comment) in answers.items()
        )
        approvals = version.reviews.filter(decision=Decision.APPROVED).count()
        new_status = None
        if decision == Decision.APPROVED and approvals >= settings.PROJECT_APPROVALS_REQUIRED:
            new_status = ProposalStatus.APPROVED
        elif decision == Decision.REVISE:
            new_status = ProposalStatus.REVISE
        elif decision == Decision.DECLINED:
            new_status = ProposalStatus.DECLINED
        if new_status:
            project.status = new_status
            project.decided_at = timezone.now()
            project.save()
            if project.supervisor:
                notify(
                    "proposal_decided",
                    to=project.supervisor.email,
                    context={"project": project, "review": review},
                )
    return review


def set_checklist_item_active(item: ChecklistItem, *, active: bool, by: User) -> bool:
    """Retire a checklist item (reviewers no longer answer it; reviews that did keep their answers)
    or reinstate it. Returns whether anything changed. Side effects: saves the item's `active`
    flag; nothing is e-mailed (the item is the faculty's own quality checklist)."""
    if item.active == active:
        return False
    item.active = active
    item.save(update_fields=["active"])
    return True


def update_milestone(milestone: Milestone, *, by: User, status: str, note: str) -> Milestone:
    """Fellow or supervisor report progress on a milestone. Side effects: saves status, note, who and when."""
    milestone.status = status
    milestone.note = note
    milestone.updated_by = by
    milestone.updated_at = timezone.now()
    milestone.save()
    return milestone
