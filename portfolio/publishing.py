"""What a fellow lets the programme's public website show: their public profile on the fellows and
alumni page and their graduation poster on the projects page.

Nothing of a fellow's is public without a current WebsiteConsent for it, given by the fellow from
their portfolio; withdrawing it takes the profile or poster off the website on the next request
(the public pages are read from the database every time, never from a server-side cache).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import Fellow, User
from fellowship.uploads import delete_stored_on_commit

from . import consent as consent_text
from .enums import WebsitePurpose
from .models import Poster, PublicProfile, WebsiteConsent, website_consent_current


def _actor(by: User | None) -> User | None:
    return by if by is not None and by.is_authenticated else None


def current_website_consent(fellow: Fellow, purpose: str) -> WebsiteConsent | None:
    return WebsiteConsent.objects.current().filter(fellow=fellow, purpose=purpose).first()


def give_website_consent(fellow: Fellow, purpose: str, *, by: User | None) -> WebsiteConsent:
    """Record the fellow's consent for `purpose` with today's wording; one already current is
    kept as it is. Side effects: a WebsiteConsent row; an audit event."""
    with transaction.atomic():
        Fellow.objects.select_for_update().filter(pk=fellow.pk).first()  # one giver at a time
        existing = current_website_consent(fellow, purpose)
        if existing is not None:
            return existing
        consent = WebsiteConsent.objects.create(
            fellow=fellow,
            purpose=purpose,
            wording=consent_text.website_wording(purpose),
            wording_version=consent_text.WEBSITE_WORDING_VERSION,
            given_by=_actor(by),
        )
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.CONSENT,
            by=by,
            reference=fellow.ref,
            summary=f"Website consent given: {consent.get_purpose_display().lower()}, "
            f"wording {consent.wording_version}",
        )
    return consent


def withdraw_website_consent(fellow: Fellow, purpose: str, *, by: User | None) -> bool:
    """Withdraw the fellow's current consent for `purpose` at once; False if there was none.
    Side effects: `withdrawn_at` and `withdrawn_by` set; an audit event."""
    with transaction.atomic():
        consent = (
            WebsiteConsent.objects.select_for_update()
            .current()
            .filter(fellow=fellow, purpose=purpose)
            .first()
        )
        if consent is None:
            return False
        consent.mark_withdrawn(by)
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.CONSENT,
            by=by,
            reference=fellow.ref,
            summary=f"Website consent withdrawn: {consent.get_purpose_display().lower()}",
        )
    return True


def save_public_profile(
    profile: PublicProfile, *, by: User | None, photo_kind: str | None = None
) -> PublicProfile:
    """Save what the fellow chose to show. `photo_kind` is the checked kind of a newly uploaded
    photo. Side effects: a history record naming `by`; a replaced or removed photo deleted from
    storage once committed."""
    previous = ""
    if profile.pk:
        previous = (
            PublicProfile.objects.filter(pk=profile.pk).values_list("photo", flat=True).first()
            or ""
        )
    if photo_kind:
        profile.photo_kind = photo_kind
    if not profile.photo:
        profile.photo_kind = ""
        profile.show_photo = False
    profile.updated_at = timezone.now()
    profile._history_user = _actor(by)
    with transaction.atomic():
        profile.save()
        if previous and previous != profile.photo.name:
            delete_stored_on_commit(profile.photo.storage, [previous])
    return profile


# What the public website reads ------------------------------------------------------------------


@dataclass
class PublicFellow:
    """One fellow on the fellows and alumni page: only the parts they chose to show ("" or None
    for the rest), so a template cannot show a hidden part by mistake."""

    profile_id: int
    cohort: int
    name: str = ""
    profession: str = ""
    region: str = ""
    photo: bool = False
    bio: str = ""
    project: str = ""
    links: list[str] = field(default_factory=list)


def _public_fellow(profile: PublicProfile) -> PublicFellow:
    fellow = profile.fellow
    placement = getattr(fellow, "placement", None)
    return PublicFellow(
        profile_id=profile.pk,
        cohort=fellow.cohort.number,
        # Never display_name: it falls back to the account's e-mail address.
        name=fellow.recorded_name if profile.show_name else "",
        profession=fellow.get_profession_display() if profile.show_profession else "",
        region=fellow.region.name if profile.show_region else "",
        photo=bool(profile.show_photo and profile.photo),
        bio=profile.bio if profile.show_bio else "",
        project=placement.project.title if profile.show_project and placement else "",
        links=list(profile.links or []) if profile.show_links else [],
    )


def public_fellows() -> list[PublicFellow]:
    """Every published profile, by cohort (newest first) then name (unnamed last), in one query."""
    profiles = (
        PublicProfile.objects.published()
        .select_related(
            "fellow__cohort", "fellow__region", "fellow__user", "fellow__placement__project"
        )
        .order_by("-fellow__cohort__number", "fellow__ref")
    )
    shown = [_public_fellow(profile) for profile in profiles]
    return sorted(shown, key=lambda f: (-f.cohort, not f.name, f.name.casefold()))


def published_photo(profile_id: int) -> PublicProfile | None:
    """The profile whose photo the website may show now (published, photo shown), else None."""
    return (
        PublicProfile.objects.published()
        .filter(pk=profile_id, show_photo=True)
        .exclude(photo="")
        .first()
    )


def website_posters() -> QuerySet[Poster]:
    """Posters whose fellows' consent to publish them on the website is current, with each
    fellow's cohort and project (one query)."""
    return (
        Poster.objects.filter(website_consent_current(WebsitePurpose.POSTER))
        .exclude(file="")
        .select_related("fellow__cohort", "fellow__placement__project")
        .order_by("-fellow__cohort__number", "title")
    )


def published_poster(poster_id: int) -> Poster | None:
    """The poster the website may send now, else None (re-checked on every request)."""
    return website_posters().filter(pk=poster_id).first()


def profile_with_consents(fellow: Fellow) -> tuple[PublicProfile, dict[str, WebsiteConsent]]:
    """The fellow's public profile (unsaved if they have none) and their current website
    consents by purpose, for their own editing page."""
    profile = PublicProfile.objects.filter(fellow=fellow).first() or PublicProfile(fellow=fellow)
    consents = {
        c.purpose: c
        for c in WebsiteConsent.objects.current().filter(fellow=fellow).order_by("purpose")
    }
    return profile, consents


__all__ = [
    "PublicFellow",
    "give_website_consent",
    "public_fellows",
    "published_photo",
    "published_poster",
    "save_public_profile",
    "website_posters",
    "withdraw_website_consent",
]
