"""Demo invitations: a few people the programme team has invited and who have not answered yet.

Made through the invitation service, as faculty would on the invitations page, so the demo shows
pending invitations (with re-send and revoke) and fellows of the history who still need an account.
"""

from __future__ import annotations

from ..enums import Role
from ..invitations import invite
from ..models import Fellow, Funder, User

DOMAIN = "fellowship.example"


def build_demo() -> list[str]:
    faculty = User.objects.filter(email=f"faculty1@{DOMAIN}").first()
    if faculty is None:
        return ["Invitations demo: no demo faculty member, so no invitations were sent."]
    # Fellows in post imported from the history with no account: invited to link their record.
    fellows = (
        Fellow.objects.in_post().filter(user__isnull=True).order_by("-cohort__number", "ref")[:3]
    )
    sent = [
        invite(f"{fellow.ref.lower()}@{DOMAIN}", [Role.FELLOW], by=faculty, fellow=fellow)
        for fellow in fellows
    ]
    sent.append(invite(f"new.panellist@{DOMAIN}", [Role.PANELLIST], by=faculty))
    funder = Funder.objects.order_by("name").first()
    if funder is not None:
        sent.append(invite(f"funder.contact@{DOMAIN}", [Role.FUNDER], by=faculty, funder=funder))
    return [f"Invitations demo: {len(sent)} pending invitations, sent by {faculty.email}."]
