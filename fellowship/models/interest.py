"""The interest list: people who asked, on the public website, to be told when applications open."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


class InterestSignup(models.Model):
    """An e-mail address to tell when a recruitment round opens, with the link that takes it off.

    An address is told nothing until its owner confirms it with the link e-mailed on signing up,
    so nobody can put someone else's address on the list."""

    email = models.EmailField(max_length=254)
    created = models.DateTimeField(default=timezone.now)
    # The secret in the unsubscribe link of every e-mail sent to this address.
    token = models.CharField(max_length=64, unique=True, default=new_unsubscribe_token)
    # The id of the last recruitment round this address was told about (recruitment's table: the
    # core keeps only its number), so that each round is announced to each address once.
    notified_for_round = models.PositiveBigIntegerField(null=True, blank=True)
    # When the owner confirmed the address with the e-mailed link; empty until then.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the confirmation link was last e-mailed, so that signing up again re-sends it rarely.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="one_interest_signup_per_email"),
        ]

    def __str__(self) -> str:
        return f"Interest signup {self.pk}"
