"""Live demo data for portfolios: entries, a graduation poster and a testimonial for the demo
fellow and alumnus, and the public website's fellows and alumni: about a third of the graduated
fellows opted in, some with a photo, a poster or a quote for the website. Built through the same
services the pages use. Called by `manage.py load_demo`.
"""

from __future__ import annotations

import datetime
import io

from django.core.files.base import ContentFile

from fellowship.enums import FellowStatus
from fellowship.models import Fellow, User

from . import publishing, services
from .enums import EntryKind, QuoteAs, WebsitePurpose
from .models import PortfolioEntry, Poster, PublicProfile, Testimonial

# Invented words of invented alumni, quoted on the public home page with their consent.
WEBSITE_QUOTES = [
    "I came in knowing how to read a paper about AI and left knowing how to get a tool safely onto "
    "a ward, and when to say no to one.",
    "My supervisor and my mentor made the year. I now chair our trust's AI assurance group.",
    "The workshops on validation changed how our whole department buys software.",
    "It gave me the language to talk to data scientists, and the confidence to lead them.",
]
AVATAR_COLOURS = ["#005eb8", "#007f3b", "#330072", "#ae2573", "#00a499", "#7c2855"]


def poster_png(title: str, subtitle: str) -> bytes:
    """A graduation poster drawn in memory: an NHS-blue banner, the title and three result boxes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (840, 1188), "white")  # A-series proportions
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 840, 160), fill="#005eb8")
    draw.text((40, 50), title, fill="white", font_size=30)
    draw.text((40, 100), subtitle, fill="white", font_size=20)
    for i, (heading, colour) in enumerate(
        [("Background", "#41b6e6"), ("Method", "#00a499"), ("Results", "#330072")]
    ):
        top = 200 + i * 320
        draw.rectangle((40, top, 800, top + 280), outline=colour, width=6)
        draw.text((60, top + 20), heading, fill=colour, font_size=26)
        for line in range(5):
            draw.rectangle(
                (60, top + 80 + line * 36, 760 - line * 60, top + 96 + line * 36), fill="#d8dde0"
            )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _entry(fellow, user, kind: str, title: str, date: datetime.date, **fields) -> PortfolioEntry:
    entry = PortfolioEntry.objects.filter(fellow=fellow, kind=kind, title=title).first()
    entry = entry or PortfolioEntry(fellow=fellow, kind=kind, title=title)
    entry.date = date
    for name, value in fields.items():
        setattr(entry, name, value)
    return services.save_entry(entry, by=user)


def _portfolio(email: str, *, alumnus: bool) -> list[str]:
    user = User.objects.filter(email=email).first()
    fellow = services.fellow_for(user) if user else None
    if fellow is None:
        return []
    start = fellow.cohort.start_date or datetime.date(2022, 9, 1)
    day = lambda months: min(start + datetime.timedelta(days=30 * months), datetime.date.today())  # noqa: E731
    _entry(fellow, user, EntryKind.CERTIFICATE, "Clinical AI safety case (DCB0129/DCB0160) course", day(2),
           organisation="NHS England")  # fmt: skip
    _entry(fellow, user, EntryKind.PRESENTATION, "Silent-mode evaluation of chest X-ray triage", day(7),
           organisation="Royal College of Radiologists annual conference",
           description="Oral presentation of the project's local validation.")  # fmt: skip
    if alumnus:
        _entry(fellow, user, EntryKind.PUBLICATION, "Real-world evaluation of AI chest X-ray triage in two emergency departments",
               day(14), url="https://doi.org/10.5555/demo.cxr.2024", organisation="BMJ Health & Care Informatics (fictional)",
               academic_coauthors=True, description="With co-authors from the project's partner university.")  # fmt: skip
        _entry(fellow, user, EntryKind.ONWARD_PROGRAMME, "Topol Digital Fellowship", day(15),
               organisation="NHS England", description="Accepted with a project on deploying AI triage regionally.")  # fmt: skip
        _entry(fellow, user, EntryKind.POLICY, "Guidance on local validation of AI imaging tools", day(18),
               organisation="Royal College of Radiologists", national_body=True)  # fmt: skip
    else:
        _entry(fellow, user, EntryKind.PUBLICATION, "Auditing a deterioration model before go-live: a protocol", day(9),
               url="10.5555/demo.protocol.2026", academic_coauthors=True)  # fmt: skip
        _entry(fellow, user, EntryKind.ONWARD_PROGRAMME, "Topol Digital Fellowship (applied)", day(10),
               description="Application submitted; interview next month.")  # fmt: skip
    title = "AI triage of chest X-rays: what changed for patients"
    if not Poster.objects.filter(fellow=fellow).exists():
        poster = Poster(fellow=fellow, title=title)
        poster.file.save(
            "poster.png",
            ContentFile(poster_png(title, f"{fellow.display_name}, {fellow.cohort}")),
            save=False,
        )
        services.save_poster(poster, by=user, kind="png")
    testimonial = Testimonial.objects.filter(fellow=fellow).first() or Testimonial(fellow=fellow)
    testimonial.text = (
        "The fellowship gave me protected time and a team to take an AI tool from a vendor's slide deck to "
        "safe use on the wards. I now lead our trust's AI assurance group."
    )
    if not alumnus and not testimonial.pk:
        # The fellow first agreed to publication on the website, then withdrew it: their
        # portfolio shows the withdrawn consent beside the current one.
        services.save_testimonial(
            testimonial, by=user, quote=True, quote_as=QuoteAs.NAMED, publish=True
        )
        services.withdraw_consent(testimonial.publish_consent, by=user)
    services.save_testimonial(
        testimonial, by=user, quote=True, quote_as=QuoteAs.NAMED, publish=alumnus
    )
    return [
        f"Portfolio: entries, a poster and a quotable testimonial (with its consents) for {email} ({fellow.ref})"
    ]


def avatar_png(name: str, colour: str) -> bytes:
    """A placeholder portrait: the person's initials on a coloured square (the demo has no
    photographs of real people)."""
    from PIL import Image, ImageDraw

    initials = "".join(part[0] for part in name.split()[:2]).upper()
    image = Image.new("RGB", (240, 240), colour)
    draw = ImageDraw.Draw(image)
    draw.text((120, 120), initials, fill="white", font_size=96, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


BIOS = [
    "I led the local evaluation of our tool before it went live, and I still chair its monitoring "
    "group in {specialty}.",
    "I am interested in how AI changes {specialty} services and the teams who run them.",
    "Since the fellowship I have helped three departments decide whether an AI tool was safe "
    "enough to buy. {Specialty} is home.",
]


def _bio(fellow: Fellow, i: int) -> str:
    specialty = (fellow.specialty or fellow.get_profession_display()).lower()
    return BIOS[i % len(BIOS)].format(specialty=specialty, Specialty=specialty.capitalize())


def _public_site() -> list[str]:
    """Every third graduated fellow (by reference) published a profile: all show their name,
    profession and project, half their region, a third a photo; every other one also published
    their poster, and the first few let the website quote them. The rest did not opt in and
    appear nowhere on the public pages."""
    graduates = list(
        Fellow.objects.filter(status=FellowStatus.GRADUATED)
        .select_related("cohort", "region", "placement__project")
        .order_by("cohort__number", "ref")
    )
    if not graduates:
        return []
    published = graduates[::3]
    quotes = iter(WEBSITE_QUOTES)
    for i, fellow in enumerate(published):
        if PublicProfile.objects.filter(fellow=fellow).exists():
            continue
        placement = getattr(fellow, "placement", None)
        project = placement.project.title if placement else ""
        profile = PublicProfile(
            fellow=fellow,
            show_region=i % 2 == 0,
            show_project=bool(project),
            show_bio=True,
            bio=_bio(fellow, i),
        )
        photo_kind = None
        if i % 3 == 0:
            colour = AVATAR_COLOURS[i % len(AVATAR_COLOURS)]
            profile.photo.save(
                "photo.png", ContentFile(avatar_png(fellow.recorded_name, colour)), save=False
            )
            profile.show_photo, photo_kind = True, "png"
        publishing.save_public_profile(profile, by=None, photo_kind=photo_kind)
        publishing.give_website_consent(fellow, WebsitePurpose.PUBLIC_PROFILE, by=None)
        if i % 2 == 0 and project and not Poster.objects.filter(fellow=fellow).exists():
            poster = Poster(fellow=fellow, title=project)
            poster.file.save(
                "poster.png",
                ContentFile(poster_png(project[:48], f"Cohort {fellow.cohort.number}")),
                save=False,
            )
            services.save_poster(poster, by=None, kind="png")
            publishing.give_website_consent(fellow, WebsitePurpose.POSTER, by=None)
        quote = next(quotes, None)
        if quote and not Testimonial.objects.filter(fellow=fellow).exists():
            services.save_testimonial(
                Testimonial(fellow=fellow, text=quote),
                by=None,
                quote=True,
                quote_as=QuoteAs.NAMED if i % 2 == 0 else QuoteAs.ANONYMOUS,
                publish=True,
            )
    return [
        f"Public website: {len(published)} of {len(graduates)} graduated fellows on the fellows "
        "and alumni page (the rest did not opt in)"
    ]


def build_demo() -> list[str]:
    notes = _portfolio("fellow1@fellowship.example", alumnus=False)
    notes += _portfolio("alumnus1@fellowship.example", alumnus=True)
    notes += _public_site()
    return notes
