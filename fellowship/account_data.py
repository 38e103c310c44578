"""The programme core's part of a person's data: account, roles, fellow records, mentoring,
invitations, talks given and workshops attended (see fellowship.personal_data)."""

from __future__ import annotations

from collections.abc import Iterator

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone

from .models import (
    AuditEvent,
    MentorExclusion,
    MentorOffer,
    MentorPairing,
    MentorRequest,
    PersonInvitation,
    RoleGrant,
    Speaker,
    User,
    Workshop,
)
from .personal_data import (
    DE_IDENTIFIED,
    REMOVED,
    Erasure,
    Part,
    Person,
    PlanLine,
    holder,
    record,
    records,
)

ERASED_DOMAIN = "erased.invalid"


@holder
class CoreData:
    own = {
        "account.EmailAddress.user": "e-mail addresses of the account",
        "account.EmailConfirmation.email_address": "e-mail address confirmations",
        "mfa.Authenticator.user": "sign-in security keys and authenticator apps",
        "fellowship.RoleGrant.user": "roles",
        "fellowship.Fellow.user": "fellow records",
        "fellowship.Speaker.user": "talks given at workshops",
        "fellowship.Workshop.attendees": "workshops attended",
        "fellowship.MentorOffer.mentor": "offers to mentor",
        "fellowship.MentorRequest.fellow": "requests for a mentor",
        "fellowship.MentorPairing.mentor": "mentor pairs (as mentor)",
        "fellowship.MentorPairing.mentee": "mentor pairs (as mentee)",
        "fellowship.MentorExclusion.mentor": "pairs faculty ruled out (as mentor)",
        "fellowship.MentorExclusion.mentee": "pairs faculty ruled out (as mentee)",
        "fellowship.PersonInvitation.fellow": "invitations to the service",
        "fellowship.PersonInvitation.accepted_by": "invitations accepted",
    }
    acts = {
        "fellowship.RoleGrant.granted_by": "who gave someone a role",
        "fellowship.HistoryImport.imported_by": "who imported the programme history",
        "fellowship.MentorPairing.created_by": "who proposed a mentor pair",
        "fellowship.MentorExclusion.created_by": "who ruled out a mentor pair",
        "fellowship.AuditEvent.actor": "the audit log must show that someone acted, not who",
        "fellowship.InvitationBatch.created_by": "who invited a group of people",
        "fellowship.PersonInvitation.invited_by": "who invited someone",
        "fellowship.PersonInvitation.revoked_by": "who withdrew an invitation",
        "fellowship.EmailText.created_by": "who edited an e-mail text",
        "fellowship.Erasure.carried_out_by": "who carried out an erasure",
        "admin.LogEntry.user": "the support site's log must show that someone acted, not who",
    }

    # Querysets of the person's records -----------------------------------------------------------

    @staticmethod
    def _invitations(person: Person):
        query = Q(email__iexact=person.email) | Q(fellow__in=person.fellow_ids)
        if person.user is not None:
            query |= Q(accepted_by=person.user)
        return PersonInvitation.objects.filter(query)

    @staticmethod
    def _pairings(person: Person):
        return MentorPairing.objects.filter(
            Q(mentor__in=person.fellow_ids) | Q(mentee__in=person.fellow_ids)
        ).select_related("mentor", "mentee", "cohort")

    @staticmethod
    def _exclusions(person: Person):
        return MentorExclusion.objects.filter(
            Q(mentor__in=person.fellow_ids) | Q(mentee__in=person.fellow_ids)
        )

    # Right of access ---------------------------------------------------------------------------------

    def export(self, person: Person) -> Iterator[Part]:
        user = person.user
        if user is not None:
            account = record(user, exclude=["is_staff", "is_superuser", "last_login"])
            account["last_signed_in"] = user.last_login.isoformat() if user.last_login else None
            yield Part("account", [account])
            yield Part(
                "account-email-addresses",
                records(EmailAddress.objects.filter(user=user), exclude=["user"]),
            )
            yield Part(
                "account-security",
                [
                    {
                        "type": a.get_type_display(),
                        "added": a.created_at,
                        "last_used": a.last_used_at,
                    }
                    for a in Authenticator.objects.filter(user=user)
                ],
            )
            yield Part(
                "roles",
                records(RoleGrant.objects.filter(user=user), exclude=["user", "granted_by"]),
            )
            yield Part(
                "talks",
                records(
                    Speaker.objects.filter(user=user).select_related("workshop"), exclude=["user"]
                ),
            )
        yield Part("fellowship", records(person.fellows, exclude=["user"]))
        yield Part(
            "workshops-attended",
            [
                {"workshop": str(workshop), "cohort": workshop.cohort.number}
                for workshop in Workshop.objects.filter(attendees__in=person.fellow_ids)
                .select_related("cohort")
                .distinct()
            ],
        )
        yield Part(
            "mentor-offers", records(MentorOffer.objects.filter(mentor__in=person.fellow_ids))
        )
        yield Part(
            "mentor-requests", records(MentorRequest.objects.filter(fellow__in=person.fellow_ids))
        )
        yield Part(
            "mentor-pairs",
            records(self._pairings(person), exclude=["created_by", "quality", "pinned"]),
        )
        yield Part("audit-log", self._audit(person))
        yield Part(
            "invitations",
            records(
                self._invitations(person),
                exclude=["selector", "token_hash", "invited_by", "revoked_by"],
            ),
        )

    @staticmethod
    def _audit(person: Person) -> list[dict]:
        """The audit log's entries by the person or about their records (their account, fellow
        records, and what other apps name in `references(person)`, such as applications)."""
        from . import personal_data

        references = {fellow.ref for fellow in person.fellows}
        for one in personal_data.holders:
            references.update(getattr(one, "references", lambda person: ())(person))
        query = Q(reference__in=references)
        if person.user is not None:
            query |= Q(actor=person.user) | Q(
                reference__in=[f"person {person.user.pk}", f"account {person.user.pk}"]
            )
        return [
            {
                "at": event.at,
                "by": "you"
                if person.user is not None and event.actor_id == person.user.pk
                else "the programme team",
                "action": event.get_action_display(),
                "about": event.get_subject_display(),
                "reference": event.reference,
                "summary": event.summary,
            }
            for event in AuditEvent.objects.filter(query).order_by("at", "pk")
        ]

    # Erasure -----------------------------------------------------------------------------------------

    def blockers(self, person: Person) -> list[str]:
        return []

    def plan(self, person: Person) -> list[PlanLine]:
        user = person.user
        lines = []
        if user is not None:
            lines += [
                PlanLine(
                    "account",
                    1,
                    DE_IDENTIFIED,
                    "it stays as a pseudonym so that what the person decided or recorded still shows that someone did",
                ),
                PlanLine(
                    "e-mail addresses and sign-in keys",
                    EmailAddress.objects.filter(user=user).count()
                    + Authenticator.objects.filter(user=user).count(),
                    REMOVED,
                ),
                PlanLine("roles", RoleGrant.objects.filter(user=user).count(), REMOVED),
                PlanLine(
                    "talks given at workshops",
                    Speaker.objects.filter(user=user).count(),
                    DE_IDENTIFIED,
                    "the report counts speakers by sector and affiliation",
                ),
            ]
        lines += [
            PlanLine(
                "fellow records",
                len(person.fellows),
                DE_IDENTIFIED,
                "cohort, region, profession, funder and status stay: the report counts fellows by them",
            ),
            PlanLine(
                "mentor offers, requests and pairs",
                MentorOffer.objects.filter(mentor__in=person.fellow_ids).count()
                + MentorRequest.objects.filter(fellow__in=person.fellow_ids).count()
                + self._pairings(person).count(),
                DE_IDENTIFIED,
                "the report counts mentor pairs and what they share; notes are removed",
            ),
            PlanLine("invitations to the service", self._invitations(person).count(), REMOVED),
        ]
        return lines

    def erase(self, person: Person, erasure: Erasure) -> None:
        pseudonym = erasure.pseudonym
        for fellow in person.fellows:
            fellow.full_name, fellow.email = pseudonym, ""
            fellow.save(update_fields=["full_name", "email"])
        erasure.count("fellow records de-identified", len(person.fellows))
        from .models import Fellow

        erasure.scrubbed(Fellow, person.fellow_ids, ["full_name", "email"])

        requests = MentorRequest.objects.filter(fellow__in=person.fellow_ids)
        erasure.scrubbed(MentorRequest, requests.values_list("pk", flat=True), ["note"])
        erasure.count("mentor requests de-identified", requests.update(note=""))
        pairings = self._pairings(person)
        erasure.scrubbed(MentorPairing, pairings.values_list("pk", flat=True), ["note"])
        erasure.count("mentor pairs de-identified", pairings.update(note=""))

        invitations = self._invitations(person)
        erasure.scrubbed(PersonInvitation, list(invitations.values_list("pk", flat=True)))
        erasure.count("invitations removed", invitations.delete()[0])

        user = person.user
        if user is None:
            return
        talks = Speaker.objects.filter(user=user)
        erasure.scrubbed(Speaker, talks.values_list("pk", flat=True), ["name"])
        erasure.count("talks de-identified", talks.update(name=pseudonym))
        grants = RoleGrant.objects.filter(user=user)
        erasure.scrubbed(RoleGrant, list(grants.values_list("pk", flat=True)))
        erasure.count("roles removed", grants.delete()[0])
        erasure.count(
            "e-mail addresses removed", EmailAddress.objects.filter(user=user).delete()[0]
        )
        erasure.count("sign-in keys removed", Authenticator.objects.filter(user=user).delete()[0])
        _sign_out(user)
        user.email = f"{pseudonym.split()[-1].lower()}@{ERASED_DOMAIN}"
        user.full_name, user.organisation = pseudonym, ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.user_permissions.clear()
        user.groups.clear()
        erasure.count("accounts de-identified", 1)


def _sign_out(user: User) -> None:
    """End every session of the account. Whatever the session store, the unusable password set
    next changes the hash each session carries, so Django ends them on their next request; the
    live sessions kept in the database are deleted now as well (only those are read)."""
    live = Session.objects.filter(expire_date__gt=timezone.now())
    ended = [
        session.pk
        for session in live.iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)
