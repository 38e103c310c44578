"""The interest list's part in the right of access and erasure: a signup is found by the person's
e-mail addresses (it has no link to an account), exported, and removed by erasure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from ..personal_data import REMOVED, Erasure, Part, Person, PlanLine, holder


@holder
class InterestListData:
    """The person's addresses on the public website's list of people to tell when applications open."""

    own: dict[str, str] = {}
    acts: dict[str, str] = {}

    @staticmethod
    def _signups(person: Person) -> list[Any]:
        from ..models import InterestSignup

        addresses = {person.email, *(fellow.email for fellow in person.fellows)}
        addresses = {a.strip().lower() for a in addresses if a and a.strip()}
        if not addresses:
            return []
        query = Q()
        for address in addresses:
            query |= Q(email__iexact=address)
        return list(InterestSignup.objects.filter(query).order_by("pk"))

    def export(self, person: Person) -> Iterator[Part]:
        yield Part(
            "interest-list",
            [
                {
                    "email": s.email,
                    "signed_up": s.created,
                    "confirmation_sent": s.confirmation_sent_at,
                    "confirmed": s.confirmed_at,
                    "told_of_round": s.notified_for_round,
                }
                for s in self._signups(person)
            ],
        )

    def plan(self, person: Person) -> list[PlanLine]:
        return [PlanLine("interest list signups", len(self._signups(person)), REMOVED)]

    def blockers(self, person: Person) -> list[str]:
        return []

    def erase(self, person: Person, erasure: Erasure) -> None:
        signups = self._signups(person)
        for signup in signups:
            signup.delete()
        erasure.count("interest list signups removed", len(signups))
