"""Portfolio's part of a person's data: entries, evidence files, poster, testimonial and consents
are exported; erasure deletes the files and the poster, keeps entries the report counts without
their titles, and withdraws the testimonial's consents."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from fellowship import privacy
from fellowship.enums import Role
from fellowship.models import User
from portfolio.enums import EntryKind, QuoteAs
from portfolio.models import Consent, PortfolioEntry, Poster, Testimonial
from reports.evidence import compute_evidence

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from ..factories import portfolio as factories
from ..factories.portfolio import PortfolioEntryFactory, PosterFactory, pdf_bytes

pytestmark = pytest.mark.django_db

NAME = "Clementine Featherstonehaugh"
EMAIL = "clementine.f@nhs.example"
TITLE = "Deep learning for wombat radiographs"
STORY = "My fellowship year in Lower Slaughter changed everything"


def officer() -> User:
    user = make_person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return User.objects.get(pk=user.pk)


def dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue().lower()


@pytest.fixture
def fellow():
    user = make_person(Role.FELLOW, email=EMAIL, full_name=NAME)
    fellow = FellowFactory(user=user, cohort=CohortFactory(number=1), full_name=NAME, email=EMAIL)
    entry = PortfolioEntryFactory(
        fellow=fellow,
        kind=EntryKind.PUBLICATION,
        title=TITLE,
        academic_coauthors=True,
        description=STORY + " (paper)",
        url="https://doi.org/10.1/wombat",
        evidence=ContentFile(pdf_bytes(), name="paper.pdf"),
    )
    entry.title = TITLE + " revised"  # a history row with the old title too
    entry.save()
    PortfolioEntryFactory(
        fellow=fellow, kind=EntryKind.ONWARD_PROGRAMME, title="Topol Digital Fellowship"
    )
    PortfolioEntryFactory(
        fellow=fellow,
        kind=EntryKind.MEDIA,
        title=NAME + " on the radio",
        organisation="BBC",
        national_body=True,
    )
    PosterFactory(fellow=fellow, title=TITLE + " poster")
    factories.TestimonialFactory(
        fellow=fellow, text=STORY, quote_as=QuoteAs.NAMED, may_publish=True
    )
    return fellow


def test_export_holds_entries_poster_testimonial_consents_and_their_files(fellow):
    names = privacy.write_export(privacy.find_person(EMAIL), buffer := io.BytesIO(), programme="P")
    with zipfile.ZipFile(buffer) as archive:
        entries = json.loads(archive.read("portfolio-entries.json"))
        assert archive.read(next(e["evidence"] for e in entries if e["evidence"])) == pdf_bytes()
        assert json.loads(archive.read("testimonial.json"))[0]["text"] == STORY
        assert len(json.loads(archive.read("testimonial-consents.json"))) == 2
    assert sum(name.startswith("files/poster/") for name in names) == 1


def test_erasure_deletes_files_and_poster_keeps_counted_entries_and_withdraws_consents(
    fellow, django_capture_on_commit_callbacks
):
    files = [
        PortfolioEntry.objects.exclude(evidence="").get().evidence.name,
        Poster.objects.get().file.name,
    ]
    before = dataclasses.asdict(compute_evidence(1))
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_person(privacy.find_person(EMAIL), by=officer(), requested_by="the person")
    everything = dump()
    for secret in (EMAIL, NAME, TITLE, STORY, "wombat", "featherstonehaugh"):
        assert secret.lower() not in everything, secret
    assert not any(default_storage.exists(name) for name in files)
    assert not Poster.objects.exists()
    assert PortfolioEntry.objects.filter(fellow=fellow).count() == 3
    assert (
        PortfolioEntry.objects.get(kind=EntryKind.ONWARD_PROGRAMME).title
        == "Topol Digital Fellowship"
    )
    assert Testimonial.objects.get().text == "" and not Consent.objects.current().exists()
    after = dataclasses.asdict(compute_evidence(1))
    for figures in (before, after):
        figures["data"].pop("generated_at")
    # Every figure stays, except that the testimonial can no longer be quoted or published.
    quoted_before, quoted_after = (
        before["data"].pop("testimonials"),
        after["data"].pop("testimonials"),
    )
    assert after == before
    assert (quoted_before["held"], quoted_before["quoted"]) == (1, 1)
    assert (quoted_after["held"], quoted_after["quoted"], quoted_after["withdrawn"]) == (1, 0, 2)
