"""Invitations: faculty invite people by e-mail into the roles they need.

An invitation names one e-mail address and the roles it grants: for the funder role, the funder the
person will act for; for a fellow imported from the history without an account, their fellowship
record. The e-mail carries a link of the form `<selector>.<secret>`: the selector finds the
invitation, and only the SHA-256 hash of the secret is stored, so the database alone cannot be used
to accept anything. Whoever opens the link signs in (or creates the account) with that address and
accepts: they get exactly those roles, the address counts as verified (the link proved it), and the
fellowship record is linked to the account.

Each function validates, changes state in a transaction, writes an audit event and queues its
e-mail for after the commit. None takes a request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import audit, services
from .enums import INVITABLE_ROLES, AuditAction, AuditSubject, FellowStatus, InvitationState, Role
from .models import Fellow, Funder, InvitationBatch, PersonInvitation, User
from .notifications import notify

SELECTOR_BYTES = 12  # 16 characters: finds the row; not a secret
SECRET_BYTES = 32  # 43 characters: 256 bits that only the e-mail carries
TOKEN_PATTERN = re.compile(r"^(?P<selector>[A-Za-z0-9_-]{16})\.(?P<secret>[A-Za-z0-9_-]{43})$")
MAX_BATCH = 500  # people in one bulk invitation

# What a batch records for an entry that went out; anything else is the reason it did not.
INVITED = "invited"
RESENT = "resent"


class InvitationRefused(Exception):
    """An invitation link that cannot be used; `reason` picks the message the person sees."""

    UNKNOWN = "unknown"  # no such link, a tampered one, or one replaced by a newer e-mail
    EXPIRED = "expired"
    REVOKED = "revoked"
    ACCEPTED = "accepted"
    WRONG_EMAIL = "wrong_email"  # signed in with another address
    ACCOUNT_EXISTS = "account_exists"  # an account has the address: sign in to accept
    INACTIVE = "inactive"  # the account with the address is switched off
    FELLOW_TAKEN = "fellow_taken"  # the fellowship record is linked to another account
    INVITER_CANNOT_GRANT = "inviter_cannot_grant"  # the inviter may no longer give these roles

    def __init__(self, reason: str, invitation: PersonInvitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


# Tokens ---------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(invitation: PersonInvitation) -> str:
    """Give the invitation a fresh secret (storing its hash) and return the link's token."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    invitation.token_hash = _hash(secret)
    return f"{invitation.selector}.{secret}"


def _new_selector() -> str:
    return secrets.token_urlsafe(SELECTOR_BYTES)


def accept_url(token: str) -> str:
    """The full address of the accept page for `token`, as the e-mail gives it."""
    return settings.SITE_URL + reverse("invitation_accept", args=[token])


def find(token: str, *, lock: bool = False) -> PersonInvitation:
    """The invitation that `token` opens, if it can still be accepted.

    Raises InvitationRefused: UNKNOWN for a malformed, unknown, tampered or superseded token (one
    message for all, so that a guess learns nothing), else EXPIRED, REVOKED or ACCEPTED.
    """
    match = TOKEN_PATTERN.match(token or "")
    if not match:
        raise InvitationRefused(InvitationRefused.UNKNOWN)
    invitations = PersonInvitation.objects.select_related("funder", "fellow", "invited_by")
    if lock:
        invitations = PersonInvitation.objects.select_for_update()
    invitation = invitations.filter(selector=match["selector"]).first()
    if invitation is None or not hmac.compare_digest(_hash(match["secret"]), invitation.token_hash):
        raise InvitationRefused(InvitationRefused.UNKNOWN)
    state = invitation.state
    if state != InvitationState.PENDING:
        raise InvitationRefused(state.value, invitation)
    return invitation


# Who may invite whom --------------------------------------------------------------------------


def _check_inviter(by: User | None, roles: Sequence[str]) -> None:
    if by is None or not by.is_authenticated or not by.has_perm("fellowship.manage_people"):
        raise PermissionDenied("Only the programme team can invite people")
    if Role.FACULTY in roles and not by.has_perm("fellowship.grant_faculty_role"):
        raise PermissionDenied("You cannot give the faculty role")


def clean_roles(roles: Iterable[str], *, funder: Funder | None, fellow: Fellow | None) -> list[str]:
    """The roles in the programme's order, once each; raises ValidationError if they do not fit."""
    given = set(roles)
    if not given:
        raise ValidationError("Choose at least one role")
    unknown = given - {r.value for r in INVITABLE_ROLES}
    if unknown:
        raise ValidationError(
            f"These roles cannot be given by invitation: {', '.join(sorted(unknown))}"
        )
    if (Role.FUNDER in given) != (funder is not None):
        raise ValidationError(
            "Choose the funder this person acts for"
            if Role.FUNDER in given
            else "Only the funder role names a funder"
        )
    if fellow is not None and not given & {Role.FELLOW, Role.ALUMNUS}:
        raise ValidationError("A fellowship record can only go with the fellow or alumnus role")
    return [role.value for role in Role if role.value in given]


def clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 254:
        raise ValidationError("Enter an e-mail address of 254 characters or fewer")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            f"Enter an e-mail address in the correct format, like name@example.nhs.uk, not {email!r}"
        ) from None
    return email


def existing_account(email: str) -> User | None:
    """The account whose e-mail address (or one of whose verified addresses) is `email`."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = (
            EmailAddress.objects.filter(email__iexact=email, verified=True)
            .select_related("user")
            .first()
        )
        user = address.user if address else None
    return user


def _holds_all(user: User, roles: Sequence[str], funder: Funder | None) -> bool:
    held = set(user.role_grants.values_list("role", "funder_id"))
    return all(
        (role, funder.pk if role == Role.FUNDER and funder else None) in held for role in roles
    )


# Inviting -------------------------------------------------------------------------------------


def invite(
    email: str,
    roles: Iterable[str],
    *,
    by: User,
    funder: Funder | None = None,
    fellow: Fellow | None = None,
) -> PersonInvitation:
    """Invite `email` to take up `roles` (and, for the funder role, act for `funder`).

    With `fellow`, the imported fellowship record the account will be linked to. If an invitation
    for the same address, roles, funder and record is waiting (pending, or expired unanswered), it
    is sent again (with a new link and expiry) instead of making a second one. Raises PermissionDenied unless `by` manages people (and,
    for the faculty role, may give it); ValidationError for a bad address, roles that do not fit,
    a record that already has an account, or a person who already holds every role.

    Side effects: creates (or re-sends) the PersonInvitation; an audit event; e-mails `invitation`.
    """
    invitation, _created = _invite(email, roles, by=by, funder=funder, fellow=fellow)
    return invitation


def _invite(
    email, roles, *, by, funder=None, fellow=None, batch=None
) -> tuple[PersonInvitation, bool]:
    roles = clean_roles(roles, funder=funder, fellow=fellow)
    _check_inviter(by, roles)
    email = clean_email(email)
    with transaction.atomic():
        if fellow is not None:
            fellow = Fellow.objects.select_for_update().get(pk=fellow.pk)
            if fellow.user_id is not None:
                raise ValidationError(
                    f"{fellow.ref} already has an account: give roles on the person's page"
                )
        user = existing_account(email)
        if user is not None and _holds_all(user, roles, funder):
            raise ValidationError(
                f"{email} already has {'this role' if len(roles) == 1 else 'these roles'}"
            )
        same = [
            inv
            for inv in PersonInvitation.objects.unanswered()
            .select_for_update()
            .filter(email=email, funder=funder, fellow=fellow)
            if sorted(inv.roles) == sorted(roles)
        ]
        if same:
            return resend(same[0], by=by), False
        now = timezone.now()
        invitation = PersonInvitation(
            email=email,
            roles=roles,
            funder=funder,
            fellow=fellow,
            batch=batch,
            selector=_new_selector(),
            invited_by=by,
            created_at=now,
            sent_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        token = _new_secret(invitation)
        invitation.save()
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.INVITATION,
            by=by,
            reference=invitation.pk,
            summary=f"Invited {email} as {_labels(invitation)}",
        )
        _send(invitation, token)
    return invitation, True


def resend(invitation: PersonInvitation, *, by: User) -> PersonInvitation:
    """Send the invitation again with a new link and a new expiry; the old link stops working.

    Raises PermissionDenied as `invite` does; ValidationError if it was accepted or revoked.
    Side effects: a new secret hash, expiry and send time; an audit event; e-mails `invitation`.
    """
    _check_inviter(by, invitation.roles)
    with transaction.atomic():
        invitation = PersonInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state in (InvitationState.ACCEPTED, InvitationState.REVOKED):
            raise ValidationError(
                f"This invitation was {invitation.state.label.lower()}: it cannot be sent again"
            )
        now = timezone.now()
        token = _new_secret(invitation)
        invitation.sent_at = now
        invitation.expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
        invitation.send_count += 1
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.INVITATION,
            by=by,
            reference=invitation.pk,
            summary=f"Sent the invitation to {invitation.email} again ({invitation.send_count} times)",
        )
        _send(invitation, token)
    return invitation


def revoke(invitation: PersonInvitation, *, by: User) -> PersonInvitation:
    """Withdraw an invitation that has not been accepted: its link stops working.

    Raises PermissionDenied as `invite` does; ValidationError if it was accepted or already revoked.
    Side effects: records who revoked it and when; an audit event; no e-mail.
    """
    _check_inviter(by, invitation.roles)
    with transaction.atomic():
        invitation = PersonInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state in (InvitationState.ACCEPTED, InvitationState.REVOKED):
            raise ValidationError(f"This invitation was already {invitation.state.label.lower()}")
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = by
        invitation.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.INVITATION,
            by=by,
            reference=invitation.pk,
            summary=f"Revoked the invitation to {invitation.email} as {_labels(invitation)}",
        )
    return invitation


def _labels(invitation: PersonInvitation) -> str:
    labels = ", ".join(invitation.role_labels)
    return f"{labels} for {invitation.funder}" if invitation.funder_id else labels


def _send(invitation: PersonInvitation, token: str) -> None:
    inviter = invitation.invited_by
    notify(
        "invitation",
        to=invitation.email,
        context={
            "invitation": invitation,
            "roles": invitation.role_labels,
            "funder": invitation.funder,
            "fellow": invitation.fellow,
            "inviter": inviter.get_full_name() if inviter else "The programme team",
            "expires_at": timezone.localtime(invitation.expires_at),
            "link": accept_url(token),
            "needs_mfa": any(role in settings.MFA_REQUIRED_ROLES for role in invitation.roles),
        },
    )


# Accepting ------------------------------------------------------------------------------------


def is_addressed_to(invitation: PersonInvitation, user: User) -> bool:
    """Whether `user` signs in with the address the invitation was sent to."""
    if not user.is_authenticated:
        return False
    return (
        user.email.lower() == invitation.email
        or EmailAddress.objects.filter(
            user=user, email__iexact=invitation.email, verified=True
        ).exists()
    )


def accept(token: str, user: User) -> PersonInvitation:
    """`user` accepts the invitation that `token` opens.

    Raises InvitationRefused if the token cannot be used, the invitation is for another address,
    its fellowship record belongs to another account, or (for the faculty role) the person who
    invited may no longer give it. Side effects: grants exactly the invitation's roles (each
    grant e-mails `role_granted`), links the fellowship record, marks the address verified and
    primary, records who accepted and when, and an audit event.
    """
    with transaction.atomic():
        invitation = find(token, lock=True)
        if not user.is_active:
            raise InvitationRefused(InvitationRefused.INACTIVE, invitation)
        if not is_addressed_to(invitation, user):
            raise InvitationRefused(InvitationRefused.WRONG_EMAIL, invitation)
        inviter = invitation.invited_by
        if Role.FACULTY in invitation.roles and not (
            inviter is not None
            and inviter.is_active
            and inviter.has_perm("fellowship.grant_faculty_role")
        ):
            raise InvitationRefused(InvitationRefused.INVITER_CANNOT_GRANT, invitation)
        if invitation.fellow_id is not None:
            _link_fellow(invitation, user)
        for role in invitation.roles:
            services.grant_role(
                user, role, by=inviter, funder=invitation.funder if role == Role.FUNDER else None
            )
        _verify_address(user, invitation.email)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.INVITATION,
            by=user,
            reference=invitation.pk,
            summary=f"{user.email} accepted the invitation as {_labels(invitation)}",
        )
    return invitation


def accept_with_new_account(token: str, *, full_name: str, password: str) -> User:
    """Create the account for the invitation's address with this name and password, and accept.

    Raises InvitationRefused as `accept` does, and ACCOUNT_EXISTS if the address already has an
    account (its owner signs in to accept). Side effects: those of `accept`, and the new account.
    """
    with transaction.atomic():
        invitation = find(token, lock=True)
        if existing_account(invitation.email) is not None:
            raise InvitationRefused(InvitationRefused.ACCOUNT_EXISTS, invitation)
        user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
        accept(token, user)
    return user


def _link_fellow(invitation: PersonInvitation, user: User) -> None:
    fellow = Fellow.objects.select_for_update().get(pk=invitation.fellow_id)
    taken = fellow.user_id is not None and fellow.user_id != user.pk
    in_cohort = (
        Fellow.objects.filter(user=user, cohort_id=fellow.cohort_id).exclude(pk=fellow.pk).exists()
    )
    if taken or in_cohort:
        raise InvitationRefused(InvitationRefused.FELLOW_TAKEN, invitation)
    fellow.user = user
    fellow.full_name = fellow.full_name or user.full_name
    fellow.save(update_fields=["user", "full_name"])


def _verify_address(user: User, email: str) -> None:
    """The invitation's link proved the address: allauth treats it as verified from now on."""
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        address = EmailAddress(user=user, email=email)
    address.verified = True
    if address.email.lower() == user.email.lower():
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(
            primary=False
        )
        address.primary = True
    address.save()


# Many at once ---------------------------------------------------------------------------------


def start_batch(
    entries: Sequence[tuple[str, Fellow | None]],
    roles: Iterable[str],
    *,
    by: User,
    funder: Funder | None = None,
    description: str = "",
) -> InvitationBatch:
    """Invite many people, each (e-mail address, fellowship record or None), as one background job.

    Raises PermissionDenied or ValidationError (no one to invite, too many, roles that do not fit)
    before anything is stored. Side effects: creates the InvitationBatch; an audit event; queues
    `send_invitation_batch` after the commit (or runs it here if the queue is down).
    """
    from .tasks import enqueue, send_invitation_batch  # tasks import notifications, which is fine

    fellows = [fellow for _, fellow in entries if fellow is not None]
    roles = clean_roles(roles, funder=funder, fellow=fellows[0] if fellows else None)
    _check_inviter(by, roles)
    if not entries:
        raise ValidationError("Give at least one e-mail address")
    if len(entries) > MAX_BATCH:
        raise ValidationError(f"Invite at most {MAX_BATCH} people at a time")
    with transaction.atomic():
        batch = InvitationBatch.objects.create(
            created_by=by,
            roles=roles,
            funder=funder,
            description=description[:200],
            entries=[
                {"email": email, "fellow": fellow.pk if fellow else None}
                for email, fellow in entries
            ],
            total=len(entries),
        )
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.INVITATION,
            by=by,
            reference=f"batch {batch.pk}",
            summary=f"Started inviting {batch.total} people as {', '.join(Role(r).label for r in roles)}",
        )
    batch_id = batch.pk
    transaction.on_commit(
        lambda: enqueue(
            send_invitation_batch, fallback=lambda: run_batch(batch_id), batch_id=batch_id
        )
    )
    return batch


def run_batch(batch_id: int) -> InvitationBatch:
    """Send the batch's invitations from where it got to, one entry per transaction.

    Safe to run twice or after a crash: the batch row is locked while each entry is done, and the
    count of entries done moves on with it. Side effects: those of `invite` for each entry; the
    batch's outcomes, counts and finishing time.
    """
    while True:
        with transaction.atomic():
            batch = (
                InvitationBatch.objects.select_for_update(of=("self",))
                .select_related("created_by", "funder")
                .get(pk=batch_id)
            )
            if batch.done >= batch.total:
                if batch.finished_at is None:
                    batch.finished_at = timezone.now()
                    batch.save(update_fields=["finished_at"])
                return batch
            entry = batch.entries[batch.done]
            batch.outcomes = [*batch.outcomes, _batch_entry(batch, entry)]
            batch.done += 1
            batch.save(update_fields=["outcomes", "done"])


def _batch_entry(batch: InvitationBatch, entry: dict) -> str:
    fellow = None
    if entry.get("fellow") is not None:
        fellow = Fellow.objects.filter(pk=entry["fellow"]).first()
        if fellow is None:
            return "The fellowship record no longer exists"
    try:
        with transaction.atomic():
            _invitation, created = _invite(
                entry["email"],
                batch.roles,
                by=batch.created_by,
                funder=batch.funder,
                fellow=fellow,
                batch=batch,
            )
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return " ".join(messages)[:300]
    return INVITED if created else RESENT


# Lists ----------------------------------------------------------------------------------------


def fellows_without_account(cohort=None):
    """Fellowship records with no account yet (to invite), by cohort and reference."""
    fellows = Fellow.objects.filter(user__isnull=True).select_related("cohort")
    if cohort is not None:
        fellows = fellows.filter(cohort=cohort)
    return fellows.exclude(status=FellowStatus.WITHDRAWN).order_by("cohort__number", "ref")
