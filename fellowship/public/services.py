"""The interest list: signing up, leaving it, and telling it once when each recruitment round opens."""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse

from ..hooks import OpenRound, rounds_open_now
from ..models import InterestSignup
from ..notifications import notify

log = logging.getLogger(__name__)


def sign_up_for_interest(*, email: str) -> InterestSignup:
    """Add `email` to the interest list, or return its existing signup (the same address in any
    case is one signup). Side effects: one row at most. No e-mail."""
    email = email.strip()
    with transaction.atomic():
        existing = InterestSignup.objects.filter(email__iexact=email).first()
        if existing is not None:
            return existing
        signup = InterestSignup.objects.create(email=email)
    log.info("interest signup %s added", signup.pk)
    return signup


def unsubscribe_interest(signup: InterestSignup) -> None:
    """Take the address off the interest list. Side effects: deletes the row. No e-mail."""
    pk = signup.pk
    signup.delete()
    log.info("interest signup %s removed", pk)


def announce_round(rnd: OpenRound) -> int:
    """E-mail every signup not yet told about `rnd`, each once, and record that they were told.

    Side effects: one `interest_round_open` e-mail per signup, written to the outbox in the same
    transaction that marks the signup told, so a second run (or a concurrent one) sends nothing
    more. Returns how many were e-mailed.
    """
    sent = 0
    with transaction.atomic():
        due = (
            InterestSignup.objects.select_for_update()
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
