"""Portfolio's part of a person's data (see fellowship.personal_data): a fellow's portfolio entries
and their evidence files, their graduation poster, their testimonial and the consents they gave.

The report counts portfolio entries (publications and their co-authors, policy work and media
pieces with the organisations named, onward programmes by programme, and every entry in its
sources), so on erasure entries stay without what could lead to the person: titles (except an
onward programme's, which names the programme the report counts), descriptions, links and
evidence files go. The poster (file and row) goes: no figure counts it. The testimonial loses its
text and its consents are withdrawn, so it can never be quoted again. The public profile (photo and
row) goes and the website consents are withdrawn, so nothing of the person stays on the website.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from django.db import models

from fellowship.models import Fellow
from fellowship.personal_data import (
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

from . import publishing, services
from .enums import NATIONAL_BODY_KINDS, EntryKind, WebsitePurpose
from .models import Consent, PortfolioEntry, Poster, PublicProfile, Testimonial, WebsiteConsent

# Blanked on erasure; an onward programme keeps its title, policy and media their organisation.
ENTRY_FIELDS = ["title", "description", "url", "evidence", "organisation"]


def _history_ids(model: type[models.Model], fellow_ids: list[int]) -> set:
    """Every record of `model` the fellows ever had, including deleted ones whose history remains."""
    return set(model.history.filter(fellow_id__in=fellow_ids).values_list("id", flat=True))


def _file_path(folder: str, pk: int, file) -> str:
    return f"files/{folder}/{pk}-{posixpath.basename(file.name)}"


@holder
class PortfolioData:
    own = {
        "portfolio.PortfolioEntry.fellow": "portfolio entries and their evidence files",
        "portfolio.Poster.fellow": "graduation poster",
        "portfolio.Testimonial.fellow": "testimonial",
        "portfolio.Consent.testimonial": "consents given about the testimonial",
        "portfolio.PublicProfile.fellow": "public profile on the website and its photo",
        "portfolio.WebsiteConsent.fellow": "consents to show the profile and poster on the website",
    }
    acts = {
        "portfolio.Consent.given_by": "a consent keeps who recorded it, as proof it was given",
        "portfolio.Consent.withdrawn_by": "a consent keeps who withdrew it, as proof it was withdrawn",
        "portfolio.WebsiteConsent.given_by": "a consent keeps who recorded it, as proof it was given",
        "portfolio.WebsiteConsent.withdrawn_by": (
            "a consent keeps who withdrew it, as proof it was withdrawn"
        ),
    }

    # Right of access ---------------------------------------------------------------------------------

    def export(self, person: Person) -> Iterator[Part]:
        fellows = person.fellow_ids
        entries = list(PortfolioEntry.objects.filter(fellow__in=fellows).select_related("fellow"))
        yield Part(
            "portfolio-entries",
            [
                record(
                    entry,
                    extra={
                        "evidence": _file_path("portfolio", entry.pk, entry.evidence)
                        if entry.evidence
                        else None
                    },
                )
                for entry in entries
            ],
            [
                (_file_path("portfolio", e.pk, e.evidence), e.evidence)
                for e in entries
                if e.evidence
            ],
        )
        posters = list(Poster.objects.filter(fellow__in=fellows).select_related("fellow"))
        yield Part(
            "poster",
            [
                record(p, extra={"file": _file_path("poster", p.pk, p.file) if p.file else None})
                for p in posters
            ],
            [(_file_path("poster", p.pk, p.file), p.file) for p in posters if p.file],
        )
        yield Part(
            "testimonial",
            records(Testimonial.objects.filter(fellow__in=fellows).select_related("fellow")),
        )
        yield Part(
            "testimonial-consents",
            records(
                Consent.objects.filter(testimonial__fellow__in=fellows).select_related(
                    "testimonial__fellow"
                ),
                exclude=["given_by", "withdrawn_by"],
            ),
        )
        profiles = list(PublicProfile.objects.filter(fellow__in=fellows).select_related("fellow"))
        yield Part(
            "public-profile",
            [
                record(p, extra={"photo": _file_path("photo", p.pk, p.photo) if p.photo else None})
                for p in profiles
            ],
            [(_file_path("photo", p.pk, p.photo), p.photo) for p in profiles if p.photo],
        )
        yield Part(
            "website-consents",
            records(
                WebsiteConsent.objects.filter(fellow__in=fellows).select_related("fellow"),
                exclude=["given_by", "withdrawn_by"],
            ),
        )

    # Erasure -----------------------------------------------------------------------------------------

    def blockers(self, person: Person) -> list[str]:
        return []

    def plan(self, person: Person) -> list[PlanLine]:
        fellows = person.fellow_ids
        entries = PortfolioEntry.objects.filter(fellow__in=fellows)
        return [
            PlanLine(
                "portfolio entries",
                entries.count(),
                DE_IDENTIFIED,
                "the report counts them by kind; titles, descriptions and links go (an onward"
                " programme keeps the programme's name)",
            ),
            PlanLine(
                "evidence files and posters",
                entries.exclude(evidence="").count()
                + Poster.objects.filter(fellow__in=fellows).count(),
                REMOVED,
            ),
            PlanLine(
                "testimonial",
                Testimonial.objects.filter(fellow__in=fellows).count(),
                DE_IDENTIFIED,
                "its text goes and its consents are withdrawn, so it is never quoted again; the"
                " report counts testimonials held",
            ),
            PlanLine(
                "public profile and its photo",
                PublicProfile.objects.filter(fellow__in=fellows).count(),
                REMOVED,
                "taken off the website; consents to show it or the poster are withdrawn",
            ),
        ]

    def erase(self, person: Person, erasure: Erasure) -> None:
        fellows = person.fellow_ids
        entries = PortfolioEntry.objects.filter(fellow__in=fellows)
        erasure.delete_files(*(entry.evidence for entry in entries if entry.evidence))
        blanked = {"description": "", "url": "", "evidence": ""}
        n = entries.update(**blanked)
        entries.exclude(kind=EntryKind.ONWARD_PROGRAMME).update(title="")
        entries.exclude(kind__in=NATIONAL_BODY_KINDS).update(organisation="")
        erasure.count("portfolio entries de-identified", n)
        erasure.scrubbed(PortfolioEntry, _history_ids(PortfolioEntry, fellows), ENTRY_FIELDS)

        posters = Poster.objects.filter(fellow__in=fellows)
        erasure.delete_files(*(poster.file for poster in posters))
        erasure.count("posters removed", posters.delete()[0])
        erasure.scrubbed(Poster, _history_ids(Poster, fellows))

        testimonials = Testimonial.objects.filter(fellow__in=fellows)
        for testimonial in testimonials:
            # Withdrawing consent to quote withdraws consent to publish too; one withdrawn by
            # the first call is left as it is by the second.
            for consent in testimonial.consents.current():
                services.withdraw_consent(consent, by=None)
        erasure.count("testimonials de-identified", testimonials.update(text=""))
        erasure.scrubbed(Testimonial, _history_ids(Testimonial, fellows), ["text"])

        for fellow in Fellow.objects.filter(pk__in=fellows):
            for purpose in WebsitePurpose:
                publishing.withdraw_website_consent(fellow, purpose, by=None)
        profiles = PublicProfile.objects.filter(fellow__in=fellows)
        erasure.delete_files(*(profile.photo for profile in profiles if profile.photo))
        erasure.count("public profiles removed", profiles.delete()[0])
        erasure.scrubbed(PublicProfile, _history_ids(PublicProfile, fellows))


__all__ = ["PortfolioData"]
