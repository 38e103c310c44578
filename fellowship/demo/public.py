"""The demo programme's public home page: its description, written by the faculty on the
programme settings page (here through the same service). Called by `manage.py load_demo`."""

from __future__ import annotations

from ..models import User, programme
from ..services import update_programme

DOMAIN = "fellowship.example"

DESCRIPTION = """\
The **Demo Fellowship in Clinical AI** is a year-long programme that clinicians take part-time,
alongside their clinical work. Each fellow joins a live AI project in an NHS organisation, with an
expert supervisor, and learns the whole life of a clinical AI tool: the problem and the evidence,
safe deployment, monitoring and, in time, retirement.

Fellows come from every clinical profession (doctors, dentists, nurses and midwives, allied
health professionals, pharmacists and healthcare scientists), recruited competitively from the
regions that take part.

## What fellows do

- work on a vetted AI project in a live NHS setting, with protected time each week
- learn in workshops across five themes: AI fundamentals; regulation and standards; validation
  and evaluation; integration and systems impact; strategy and culture
- are mentored by an alumnus of the programme
- present their project at graduation and keep a portfolio of what they achieved

## After the fellowship

Alumni stay part of a network of clinicians who lead AI in their organisations, and many go on
to mentor the fellows who follow them.

*This is a fictional programme: every person, project and figure on this site is invented for
the demonstration.*
"""


def build_demo() -> list[str]:
    faculty = User.objects.filter(email=f"faculty1@{DOMAIN}").first()
    if faculty is None:
        return ["Public website demo: no demo faculty member, so the description was not set."]
    current = programme()
    if current.description:
        return []
    update_programme(
        by=faculty,
        name=current.name,
        short_name=current.short_name,
        organisation=current.organisation,
        website=current.website,
        description=DESCRIPTION,
    )
    return [f"Public website: the programme's description, set by {faculty.email}"]
