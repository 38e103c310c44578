"""Domain operations of recruitment, up to a submitted application.

Each function validates, changes state inside a transaction, records the stage change and queues
its e-mails for after the commit. Times are compared in UTC on the server; the applicant's page
only shows them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import User
from fellowship.notifications import notify

from .deadlines import deadline_passed_message
from .enums import FUNNEL, ApprovalMethod, RegistrationBody, Stage
from .models import (
    Application,
    ApplicationDocument,
    Eligibility,
    EqualityRecord,
    RecruitmentRound,
    RequiredDocument,
    StageChange,
    Statement,
    count_words,
)

# Shapes of registration numbers, by regulator; "other" accepts anything reasonable.
REGISTRATION_PATTERNS: dict[str, tuple[str, str]] = {
    RegistrationBody.GMC: (r"\d{7}", "a GMC number is 7 digits, like 1234567"),
    RegistrationBody.GPHC: (r"\d{7}", "a GPhC number is 7 digits, like 2071234"),
    RegistrationBody.NMC: (r"\d{2}[A-Z]\d{4}[A-Z]", "an NMC PIN is like 12A3456E"),
    RegistrationBody.HCPC: (
        r"[A-Z]{2}\d{5,6}",
        "an HCPC number is 2 letters then 5 or 6 digits, like PH123456",
    ),
    RegistrationBody.GDC: (r"\d{1,6}", "a GDC number is up to 6 digits"),
    RegistrationBody.GOC: (r"(01|D)-?\d{4,6}", "a GOC number is like 01-12345 or D-12345"),
    RegistrationBody.OTHER: (
        r"[A-Z0-9/ -]{3,30}",
        "use letters, numbers, spaces, dashes or slashes",
    ),
}


class DeadlinePassed(ValidationError):
    """The round closed before this request arrived; the draft is kept as it was."""


def registration_problem(body: str, number: str) -> str | None:
    pattern, hint = REGISTRATION_PATTERNS.get(body, (r".+", ""))
    if not re.fullmatch(pattern, number.strip().upper()):
        return f"Enter a valid registration number: {hint}"
    return None


def _change_stage(
    application: Application,
    to: str,
    *,
    by: User | None,
    reason: str = "",
    at: datetime | None = None,
) -> None:
    StageChange.objects.create(
        application=application,
        from_stage=application.stage,
        to_stage=to,
        by=by,
        reason=reason,
        at=at or timezone.now(),
    )
    application.stage = to
    if to in FUNNEL and (
        not application.furthest_stage
        or FUNNEL.index(to) > FUNNEL.index(application.furthest_stage)
    ):
        application.furthest_stage = to


def ensure_open(round: RecruitmentRound, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if now < round.opens_at:
        raise ValidationError("This round is not open for applications yet")
    if now >= round.closes_at:
        raise DeadlinePassed(deadline_passed_message(round))


def start_application(
    round: RecruitmentRound, *, by: User, now: datetime | None = None
) -> Application:
    """The person's application to the round: the existing one, or a new draft.

    Side effects: may create a draft Application. One application per person per round.
    """
    existing = Application.objects.filter(round=round, applicant=by).first()
    if existing:
        return existing
    ensure_open(round, now=now)
    try:
        with transaction.atomic():
            return Application.objects.create(round=round, applicant=by)
    except IntegrityError:  # a second tab started one at the same moment
        return Application.objects.get(round=round, applicant=by)


# Fields only the services change: a save of the applicant's answers never writes them.
PROTECTED_FIELDS = {
    "id", "ref", "round", "applicant", "stage", "furthest_stage", "submitted_at", "ineligible_reason",
    "approval_token", "approval_requested_at", "approval_confirmed_at", "reminded_48h_at", "reminded_24h_at", "created_at",
}  # fmt: skip
ANSWER_FIELDS = [
    f.name for f in Application._meta.concrete_fields if f.name not in PROTECTED_FIELDS
]


def save_draft(application: Application, *, step: str, now: datetime | None = None) -> None:
    """Save what the applicant has typed so far (the form has already set the fields).

    Drafts save without checking completeness, so nothing typed is lost; they cannot change after
    the deadline or once submitted. Only the applicant's answers are written, under a row lock, so
    a stale copy (an autosave from another tab) can never undo a submission.
    Side effects: saves the answers and notes the step.
    """
    ensure_open(application.round, now=now)
    with transaction.atomic():
        if (
            not Application.objects.select_for_update(of=("self",))
            .filter(pk=application.pk, stage=Stage.DRAFT)
            .exists()
        ):
            raise ValidationError(
                "This application has been submitted and can no longer be changed"
            )
        application.last_step = step
        application.save(update_fields=ANSWER_FIELDS)


def save_documents(
    application: Application,
    uploads: Iterable[tuple[RequiredDocument, File[Any]]],
    *,
    now: datetime | None = None,
) -> None:
    """Store each newly uploaded required document of a draft, replacing an earlier upload of the
    same requirement. Call it inside the transaction that saves the draft (the documents step's
    `save_draft`). Side effects: creates or updates ApplicationDocument rows (the files are stored
    under private random names); nothing is e-mailed or audited (the applicant's own draft)."""
    now = now or timezone.now()
    for requirement, upload in uploads:
        ApplicationDocument.objects.update_or_create(
            application=application,
            requirement=requirement,
            defaults={"file": upload, "uploaded_at": now},
        )


def save_statements(
    application: Application, texts: dict[int, str], *, now: datetime | None = None
) -> None:
    """Save the personal statement per criterion id (over-long text is kept, and flagged at submission)."""
    if not application.is_draft:
        raise ValidationError("This application has been submitted and can no longer be changed")
    ensure_open(application.round, now=now)
    with transaction.atomic():
        for criterion in application.round.criteria.all():
            if criterion.pk in texts:
                Statement.objects.update_or_create(
                    application=application,
                    criterion=criterion,
                    defaults={"text": texts[criterion.pk]},
                )
        application.last_step = "statement"
        application.save(update_fields=["last_step", "updated_at"])


@dataclass(frozen=True)
class Problem:
    step: str
    field: str
    message: str


def problems(application: Application) -> list[Problem]:
    """Everything that stops the application being submitted, step by step, in plain words."""
    found: list[Problem] = []

    def add(step: str, field: str, message: str) -> None:
        found.append(Problem(step, field, message))

    a = application
    if not a.profession:
        add("eligibility", "profession", "Select your profession")
    if not a.registration_body:
        add("eligibility", "registration_body", "Select your professional registration body")
    if not a.registration_number:
        add("eligibility", "registration_number", "Enter your registration number")
    elif a.registration_body and (
        message := registration_problem(a.registration_body, a.registration_number)
    ):
        add("eligibility", "registration_number", message)
    if not a.grade:
        add("eligibility", "grade", "Enter your grade")
    if not a.region_id:
        add("eligibility", "region", "Select the region you are applying in")
    elif (
        a.profession
        and not Eligibility.objects.filter(
            round=a.round, region=a.region_id, profession=a.profession
        ).exists()
    ):
        add(
            "eligibility",
            "region",
            f"{a.get_profession_display()} is not eligible in {a.region} in this round",
        )
    if not a.employer:
        add("eligibility", "employer", "Enter your employing organisation")
    if not a.approval_method:
        add(
            "approval",
            "approval_method",
            "Choose how your employer will give approval for your release",
        )
    elif a.approval_method == ApprovalMethod.UPLOAD and not a.approval_form:
        add("approval", "approval_form", "Upload the approval form signed by your manager")
    elif a.approval_method == ApprovalMethod.MANAGER_LINK and not a.approval_requested_at:
        add("approval", "manager_email", "Send the approval request to your manager")
    elif a.approval_method == ApprovalMethod.MANAGER_LINK and a.approval_declined_at:
        add(
            "approval",
            "approval_method",
            f"{a.manager_name or 'Your manager'} did not approve your release. Talk to them, then send the request again or upload a signed form",
        )
    statements = {s.criterion_id: s for s in a.statements.all()}
    for criterion in a.round.criteria.all():
        statement = statements.get(criterion.pk)
        text = statement.text if statement is not None else ""
        words = count_words(text)
        if words == 0:
            add(
                "statement",
                f"criterion_{criterion.pk}",
                f"Write your statement for {criterion.title}",
            )
        elif words > criterion.word_limit:
            add(
                "statement",
                f"criterion_{criterion.pk}",
                f"{criterion.title} must be {criterion.word_limit} words or fewer; it has {words}",
            )
    if not a.cv:
        add("documents", "cv", "Upload your CV as a PDF")
    uploaded = set(a.documents.values_list("requirement_id", flat=True))
    for requirement in a.round.required_documents.all():
        if requirement.pk not in uploaded:
            add("documents", f"document_{requirement.pk}", f"Upload your {requirement.name}")
    return found


def request_manager_approval(
    application: Application, *, by: User, now: datetime | None = None
) -> None:
    """E-mail the named manager a link to confirm release at 0.4 FTE.

    Side effects: sets a fresh token and the request time; e-mails `manager_approval_request`
    to the manager.
    """
    if not application.manager_name or not application.manager_email:
        raise ValidationError("Enter your manager's name and e-mail address")
    ensure_open(application.round, now=now)
    with transaction.atomic():
        application.approval_method = ApprovalMethod.MANAGER_LINK
        application.approval_token = secrets.token_urlsafe(32)
        application.approval_requested_at = now or timezone.now()
        application.approval_confirmed_at = None
        application.approval_declined_at = None  # a new request asks afresh
        application.approval_decline_reason = ""
        application.save(
            update_fields=[
                "approval_method",
                "approval_token",
                "approval_requested_at",
                "approval_confirmed_at",
                "approval_declined_at",
                "approval_decline_reason",
                "manager_name",
                "manager_email",
                "updated_at",
            ]
        )
        context = {"application": application, "applicant": by, "token": application.approval_token}
        notify("manager_approval_request", to=application.manager_email, context=context)


def _lock_for_managers_answer(application: Application, *, now: datetime | None) -> Application:
    """The application locked for the manager's one answer (call inside a transaction): two
    answers sent at once through the same link cannot both be recorded."""
    ensure_open(application.round, now=now)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.approval_confirmed_at or locked.approval_declined_at:
        raise ValidationError("Your answer has already been recorded")
    return locked


def confirm_manager_approval(application: Application, *, now: datetime | None = None) -> None:
    """The manager confirms, through their link, before the deadline. Side effects: records the time; e-mails the applicant."""
    with transaction.atomic():
        locked = _lock_for_managers_answer(application, now=now)
        application.approval_confirmed_at = locked.approval_confirmed_at = now or timezone.now()
        locked.save(update_fields=["approval_confirmed_at", "updated_at"])
        if application.applicant:
            notify(
                "manager_approval_confirmed",
                to=application.applicant.email,
                context={"application": application},
            )


def decline_manager_approval(
    application: Application, *, reason: str, now: datetime | None = None
) -> None:
    """The manager declines, through their link, before the deadline, saying why.

    The manager has no account, so there is no actor. Raises ValidationError without a reason, or
    once they have answered; DeadlinePassed after the deadline. Side effects: records the time and
    reason (the applicant and faculty see both); an audit event; e-mails the applicant
    `manager_approval_declined`. A draft cannot be submitted until the applicant asks again (or
    chooses a signed form); a submitted application stays submitted for faculty to decide.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Enter the reason you do not approve")
    with transaction.atomic():
        locked = _lock_for_managers_answer(application, now=now)
        application.approval_declined_at = locked.approval_declined_at = now or timezone.now()
        application.approval_decline_reason = locked.approval_decline_reason = reason
        locked.save(update_fields=["approval_declined_at", "approval_decline_reason", "updated_at"])
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.APPLICATION,
            by=None,
            reference=application.ref,
            summary=f"{application.manager_name or 'The manager'} ({application.manager_email}) declined the employer's approval",
        )
        if application.applicant:
            notify(
                "manager_approval_declined",
                to=application.applicant.email,
                context={"application": application},
            )


def submit_application(
    application: Application, *, by: User, now: datetime | None = None
) -> Application:
    """Submit a complete draft before the deadline, exactly once.

    The row is locked, so two submissions at once make one. Raises DeadlinePassed (draft kept) or
    ValidationError listing what is missing. Side effects: stage → submitted with a StageChange,
    e-mails `application_submitted` with the reference.
    """
    with transaction.atomic():
        # Lock only the application's row: locking the round too would queue every submission in it.
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("round")
            .get(pk=application.pk)
        )
        if not locked.is_draft:
            return locked  # already submitted (a double click or a second tab): nothing more to do
        now = now or timezone.now()
        ensure_open(locked.round, now=now)
        if not locked.declaration_agreed:
            raise ValidationError("Confirm the declaration to submit your application")
        missing = problems(locked)
        if missing:
            raise ValidationError([p.message for p in missing])
        _change_stage(locked, Stage.SUBMITTED, by=by, at=now)
        locked.submitted_at = now
        locked.save()
        notify("application_submitted", to=by.email, context={"application": locked, "user": by})
    return locked


# The stages an applicant may withdraw from: not once the selection has ended for them.
WITHDRAWABLE = (
    Stage.DRAFT,
    Stage.SUBMITTED,
    Stage.LONGLISTED,
    Stage.SHORTLISTED,
    Stage.INTERVIEWED,
    Stage.OFFERED,
)


def may_withdraw(application: Application) -> bool:
    """Whether the applicant may still withdraw the application."""
    return application.stage in WITHDRAWABLE


def withdraw_application(application: Application, *, by: User, reason: str = "") -> Application:
    """The applicant withdraws (a draft, or an application still in the selection).

    The row is locked, so a withdrawal racing another change of stage sees that change first.
    Raises ValidationError once the selection has ended for the application (withdrawn,
    appointed, ineligible or unsuccessful). Returns the withdrawn application; the one passed in
    gets its new stage too. Side effects: stage → withdrawn with a StageChange; e-mails
    `application_withdrawn`.
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if not may_withdraw(locked):
            raise ValidationError("This application cannot be withdrawn")
        _change_stage(locked, Stage.WITHDRAWN, by=by, reason=reason)
        locked.save()
        notify("application_withdrawn", to=by.email, context={"application": locked})
    application.stage, application.furthest_stage = locked.stage, locked.furthest_stage
    return locked


def mark_ineligible(application: Application, *, by: User, reason: str) -> None:
    """Faculty decide a submitted application is ineligible. Side effects: stage → ineligible; e-mails the applicant the reason."""
    if not reason.strip():
        raise ValidationError("Give the reason, which the applicant will be told")
    if application.stage != Stage.SUBMITTED:
        raise ValidationError(
            "Only a submitted application that has not moved on can be marked ineligible"
        )
    with transaction.atomic():
        _change_stage(application, Stage.INELIGIBLE, by=by, reason=reason)
        application.ineligible_reason = reason
        application.save()
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.APPLICATION,
            by=by,
            reference=application.ref,
            summary=f"Marked ineligible: {reason}",
        )
        if application.applicant:
            notify(
                "application_ineligible",
                to=application.applicant.email,
                context={"application": application, "reason": reason},
            )


def record_equality(
    application: Application, answers: dict[str, str], *, by: User
) -> EqualityRecord:
    """Store the applicant's optional equality-monitoring answers, once, apart from the application.

    Only while the round is open: its equality figures are worked out once it has closed, and an
    answer arriving later would change them between two looks (recruitment.equality).
    """
    if application.applicant_id != by.pk or application.is_draft:
        raise ValidationError("Equality monitoring is offered after you submit your application")
    if not application.round.is_open():
        raise ValidationError("The equality monitoring questions closed with the round")
    record, _ = EqualityRecord.objects.update_or_create(application=application, defaults=answers)
    return record


def has_equality_record(application: Application) -> bool:
    return EqualityRecord.objects.filter(application=application).exists()


REMINDERS = (("reminded_48h_at", timedelta(hours=48)), ("reminded_24h_at", timedelta(hours=24)))


def send_deadline_reminders(*, now: datetime | None = None) -> int:
    """E-mail applicants with unsubmitted drafts 48 and 24 hours before their round closes.

    Idempotent: each reminder is sent once per draft (the time is recorded), so the beat schedule
    can run it as often as it likes. Returns how many e-mails were queued.
    """
    now = now or timezone.now()
    sent = 0
    for field, before in REMINDERS:
        drafts = (
            Application.objects.drafts()
            .filter(
                round__closes_at__gt=now,
                round__closes_at__lte=now + before,
                **{f"{field}__isnull": True},
            )
            .select_related("round", "applicant")
        )
        if (
            field == "reminded_48h_at"
        ):  # a draft started inside the last day needs only the 24-hour one
            drafts = drafts.filter(round__closes_at__gt=now + timedelta(hours=24))
        for application in drafts:
            with transaction.atomic():
                updated = Application.objects.filter(
                    pk=application.pk, **{f"{field}__isnull": True}
                ).update(**{field: now})
                if updated and application.applicant:
                    notify(
                        "deadline_reminder",
                        to=application.applicant.email,
                        context={
                            "application": application,
                            "hours": int(before.total_seconds() // 3600),
                        },
                    )
                    sent += 1
    return sent


# The eligibility grid lives in recruitment.eligibility; its verbs stay importable from here.
from .eligibility import eligibility_problem as eligibility_problem  # noqa: E402
from .eligibility import set_eligibility as set_eligibility  # noqa: E402
from .eligibility import sponsored_regions as sponsored_regions  # noqa: E402
