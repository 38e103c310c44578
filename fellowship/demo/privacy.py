"""Demo data protection: faculty1 handles requests about a person's data, and one unsuccessful
candidate of the closed round, who asked to be erased, has been (so the requests page lists an
erasure, and the round's figures show that they stay whole)."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from .. import privacy
from ..models import User
from ..rules import PERSONAL_DATA_PERMISSION

DOMAIN = "fellowship.example"
# An unsuccessful candidate of the closed round (recruitment's demo).
ERASED = f"candidate7@{DOMAIN}"


def build_demo() -> list[str]:
    faculty = User.objects.filter(email=f"faculty1@{DOMAIN}").first()
    if faculty is None:
        return ["Data protection demo: no demo faculty member, so nothing was set up."]
    app_label, codename = PERSONAL_DATA_PERMISSION.split(".")
    faculty.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    notes = [f"Data protection: {faculty.email} handles requests about a person's data"]
    try:
        person = privacy.find_person(ERASED)
    except LookupError:
        return notes
    if not privacy.blockers(person):
        erasure = privacy.erase_person(
            person, by=faculty, requested_by="the person, by e-mail to the programme team"
        )
        notes.append(
            f"Data protection: {ERASED} asked to be erased, and is now {erasure.pseudonym}"
        )
    return notes
