"""The applicant's own changes to a draft: saving each step, asking the manager, and agreeing the
declaration and submitting.

Each verb locks the application's own row for its whole transaction and refuses an application
that is no longer a draft (`NotADraft`): a save racing a submission from another tab then finds
the application submitted instead of quietly turning it back into a draft. Only the row of the
application is locked, never its round, so applicants of one round do not queue behind one
another at the deadline. The building blocks (`save_draft`, `save_statements`, `save_documents`,
`request_manager_approval`, `submit_application`) live in `recruitment.services`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction

from fellowship.models import User

from . import services
from .enums import ApprovalMethod
from .models import Application, RequiredDocument

SUBMITTED_MESSAGE = "This application has been submitted and can no longer be changed"


class NotADraft(ValidationError):
    """The application has been submitted (perhaps from another tab) and can no longer change."""


def lock(application: Application) -> Application:
    """The application's current row, locked until the surrounding transaction ends.

    Only the application's own row (`of=("self",)`): locking the round too would queue every
    applicant of the round behind one another at the deadline.
    """
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("round", "applicant", "region")
        .get(pk=application.pk)
    )


def _lock_draft(application: Application, *, by: User) -> Application:
    """The application locked (inside a transaction), if it is `by`'s own draft."""
    locked = lock(application)
    if locked.applicant_id != by.pk:
        raise PermissionDenied("Only the applicant can change their application")
    if not locked.is_draft:
        raise NotADraft(SUBMITTED_MESSAGE)
    return locked


def save_answers(
    application: Application,
    answers: Mapping[str, Any],
    *,
    step: str,
    by: User,
    uploads: Iterable[tuple[RequiredDocument, File[Any]]] = (),
    now: datetime | None = None,
) -> Application:
    """Save the answers the applicant gave on one step of their draft (the eligibility, documents
    or approval step), and any newly uploaded required documents.

    `answers` are the step's valid values by field name; an answer missing from it keeps what is
    stored. Drafts save without completeness checks. Raises NotADraft once submitted and
    DeadlinePassed after the deadline, saving nothing. Returns the saved application.
    Side effects: writes the applicant's answers and notes the step; creates or replaces the
    uploaded ApplicationDocument rows. Nothing is e-mailed or audited (the applicant's own draft).
    """
    with transaction.atomic():
        locked = _lock_draft(application, by=by)
        for name, value in answers.items():
            setattr(locked, name, value)
        services.save_draft(locked, step=step, now=now)
        services.save_documents(locked, uploads, now=now)
    return locked


def save_statement(
    application: Application, texts: dict[int, str], *, by: User, now: datetime | None = None
) -> Application:
    """Save the personal statement per criterion id (over-long text is kept, and flagged at
    submission). Raises NotADraft once submitted and DeadlinePassed after the deadline.
    Side effects: creates or updates Statement rows; notes the step."""
    with transaction.atomic():
        locked = _lock_draft(application, by=by)
        services.save_statements(locked, texts, now=now)
    return locked


@dataclass(frozen=True)
class ApprovalSaved:
    """What saving the approval step did."""

    application: Application
    requested: bool = False  # a request went to the manager
    missing: dict[str, str] = field(default_factory=dict)  # what a request needs, by field


def save_approval(
    application: Application,
    answers: Mapping[str, Any],
    *,
    by: User,
    send: bool = False,
    again: bool = False,
    now: datetime | None = None,
) -> ApprovalSaved:
    """Save the employer's-approval step and, when asked to (`send`), e-mail the manager a link.

    The request goes the first time, whenever the manager's name or e-mail address changes, and
    every time with `again` ("Send the request again"); never for an approval by signed form.
    Without the manager's name or address nothing is sent and `missing` says what to enter (the
    answers are saved all the same). Raises NotADraft once submitted and DeadlinePassed after the
    deadline. Side effects: writes the answers and notes the step; a request sets a fresh token and
    e-mails `manager_approval_request` (`services.request_manager_approval`).
    """
    with transaction.atomic():
        locked = _lock_draft(application, by=by)
        before = (locked.manager_name or "", locked.manager_email or "")
        for name, value in answers.items():
            setattr(locked, name, value)
        services.save_draft(locked, step="approval", now=now)
        if not send or locked.approval_method != ApprovalMethod.MANAGER_LINK:
            return ApprovalSaved(locked)
        missing = {}
        if not locked.manager_name:
            missing["manager_name"] = "Enter your manager's full name"
        if not locked.manager_email:
            missing["manager_email"] = "Enter your manager's email address"
        if missing:
            return ApprovalSaved(locked, missing=missing)
        changed = before != (locked.manager_name, locked.manager_email)
        if not (again or locked.approval_requested_at is None or changed):
            return ApprovalSaved(locked)
        services.request_manager_approval(locked, by=by, now=now)
    return ApprovalSaved(locked, requested=True)


def agree_and_submit(
    application: Application, *, by: User, now: datetime | None = None
) -> Application:
    """Agree the declaration and submit the application, in one transaction.

    Raises NotADraft when it has been submitted already (a second click, or another tab),
    DeadlinePassed after the deadline, and ValidationError listing what is missing; when the
    submission is refused the declaration stays agreed, so the box stays ticked.
    Side effects: sets the declaration and notes the step; then those of
    `services.submit_application` (stage → submitted, a StageChange, the confirmation e-mail).
    """
    with transaction.atomic():
        locked = _lock_draft(application, by=by)
        locked.declaration_agreed = True
        services.save_draft(locked, step="review", now=now)
        try:
            # Its own savepoint: a refusal undoes the submission, not the declaration.
            return services.submit_application(locked, by=by, now=now)
        except ValidationError as exc:
            refused = exc
    raise refused
