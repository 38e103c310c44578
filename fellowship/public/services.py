"""The interest list: signing up, confirming the address, leaving it, and telling it once when each
recruitment round opens."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from ..hooks import OpenRound, rounds_open_now
from ..models import InterestSignup
from ..notifications import notify

log = logging.getLogger(__name__)

# A confirmation link works for this long after it was sent.
CONFIRM_WITHIN = dt.timedelta(days=7)
# Signing up again with an address not yet confirmed re-sends the link at most this often, so the
# form cannot be used to flood someone's inbox.
RESEND_AFTER = dt.timedelta(hours=1)
CONFIRMATION_SALT = "fellowship.public.interest-confirmation"


class ConfirmationLinkError(Exception):
    """A confirmation link that does not confirm anything: altered, for no signup, or too old."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "not valid")
        self.expired = expired


def _fingerprint(signup: InterestSignup) -> str:
    """Ties a link to this one row, not to its id alone: once a signup is removed, a new signup
    that happens to get the same id is not confirmed by the old link. The row's secret goes in only
    through a one-way hash, as the link's contents can be read."""
    return hashlib.sha256(f"{signup.token}:{signup.email.lower()}".encode()).hexdigest()[:24]


def confirmation_token(signup: InterestSignup, *, now: dt.datetime | None = None) -> str:
    """The signed secret in the link that confirms `signup`'s address, dated `now` (it expires
    CONFIRM_WITHIN later). It holds no e-mail address."""
    now = now or timezone.now()
    value = {"s": signup.pk, "f": _fingerprint(signup), "t": int(now.timestamp())}
    return signing.Signer(salt=CONFIRMATION_SALT).sign_object(value)


def signup_for_token(token: str, *, now: dt.datetime | None = None) -> InterestSignup:
    """The signup whose confirmation link carries `token`; raises ConfirmationLinkError if the
    token was altered, its signup is gone, or it is older than CONFIRM_WITHIN. Changes nothing."""
    now = now or timezone.now()
    try:
        value = signing.Signer(salt=CONFIRMATION_SALT).unsign_object(token)
        signup_id, fingerprint, sent = int(value["s"]), str(value["f"]), int(value["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ConfirmationLinkError() from None
    signup = InterestSignup.objects.filter(pk=signup_id).first()
    if signup is None or not constant_time_compare(fingerprint, _fingerprint(signup)):
        raise ConfirmationLinkError()
    if now - dt.datetime.fromtimestamp(sent, tz=dt.UTC) > CONFIRM_WITHIN:
        raise ConfirmationLinkError(expired=True)
    return signup


def _send_confirmation(signup: InterestSignup, now: dt.datetime) -> None:
    notify(
        "interest_confirm",
        to=signup.email,
        context={
            "confirm_path": reverse("interest_confirm", args=[confirmation_token(signup, now=now)]),
            "expires_at": now + CONFIRM_WITHIN,
        },
    )
    signup.confirmation_sent_at = now
    signup.save(update_fields=["confirmation_sent_at"])


def sign_up_for_interest(*, email: str, now: dt.datetime | None = None) -> InterestSignup:
    """Put `email` on the interest list, unconfirmed, and e-mail it a link to confirm; or, for an
    address already there (in any case), return its signup.

    Side effects: one row at most. One `interest_confirm` e-mail for a new address, and again for
    an unconfirmed one whose last link went RESEND_AFTER or longer ago; none for a confirmed
    address. The caller says the same whatever happened, so nobody learns who is on the list.
    """
    email = email.strip()
    now = now or timezone.now()
    with transaction.atomic():
        signup = InterestSignup.objects.select_for_update().filter(email__iexact=email).first()
        if signup is None:
            try:
                with transaction.atomic():
                    signup = InterestSignup.objects.create(email=email, created=now)
                log.info("interest signup %s added", signup.pk)
            except IntegrityError:  # the same address, signed up at the same moment
                signup = InterestSignup.objects.select_for_update().get(email__iexact=email)
        if signup.confirmed_at is None and (
            signup.confirmation_sent_at is None or now - signup.confirmation_sent_at >= RESEND_AFTER
        ):
            _send_confirmation(signup, now)
    return signup


def confirm_interest(token: str, *, now: dt.datetime | None = None) -> InterestSignup:
    """Confirm the address whose link carries `token` (see signup_for_token, which raises
    ConfirmationLinkError for a link that confirms nothing). Side effects: sets confirmed_at once;
    confirming again changes nothing. No e-mail."""
    now = now or timezone.now()
    signup = signup_for_token(token, now=now)
    if signup.confirmed_at is None:
        InterestSignup.objects.filter(pk=signup.pk, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
        signup.refresh_from_db(fields=["confirmed_at"])
        log.info("interest signup %s confirmed", signup.pk)
    return signup


def unsubscribe_interest(signup: InterestSignup) -> None:
    """Take the address off the interest list. Side effects: deletes the row. No e-mail."""
    pk = signup.pk
    signup.delete()
    log.info("interest signup %s removed", pk)


def announce_round(rnd: OpenRound) -> int:
    """E-mail every confirmed signup not yet told about `rnd`, each once, and record that they
    were told. Addresses not confirmed are told nothing.

    Side effects: one `interest_round_open` e-mail per signup, written to the outbox in the same
    transaction that marks the signup told, so a second run (or a concurrent one) sends nothing
    more. Returns how many were e-mailed.
    """
    sent = 0
    with transaction.atomic():
        due = (
            InterestSignup.objects.select_for_update()
            .filter(confirmed_at__isnull=False)
            .exclude(notified_for_round=rnd.id)
            .order_by("pk")
        )
        for signup in due:
            notify(
                "interest_round_open",
                to=signup.email,
                context={
                    "round_name": rnd.name,
                    "closes_at": rnd.closes_at,
                    "apply_path": rnd.url,
                    "unsubscribe_path": reverse("interest_unsubscribe", args=[signup.token]),
                },
            )
            signup.notified_for_round = rnd.id
            signup.save(update_fields=["notified_for_round"])
            sent += 1
    if sent:
        log.info("interest list told of round %s: %d e-mail(s)", rnd.id, sent)
    return sent


def announce_open_rounds() -> int:
    """Tell the interest list about the round that opened last of those open now (see
    announce_round). One round only: a signup keeps the last round it was told about, so announcing
    two rounds open together would tell everyone of each again at every run."""
    rounds = rounds_open_now()
    return announce_round(rounds[-1]) if rounds else 0
