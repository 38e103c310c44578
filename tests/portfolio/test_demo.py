"""The portfolio demo: the demo fellow and alumnus get entries (a DOI publication, a presentation,
the Topol Digital Fellowship), a poster PNG drawn in memory and a quotable testimonial."""

from __future__ import annotations

import pytest

from fellowship.enums import FellowStatus, Role
from portfolio import demo, services
from portfolio.models import Poster, PublicProfile, WebsiteConsent

from ..conftest import make_person
from ..factories import FellowFactory

pytestmark = pytest.mark.django_db


def test_build_demo_fills_the_demo_fellow_and_alumnus_portfolios_and_can_run_twice():
    fellow = FellowFactory(user=make_person(Role.FELLOW, email="fellow1@fellowship.example"))
    alumnus = FellowFactory(
        user=make_person(Role.ALUMNUS, email="alumnus1@fellowship.example"),
        status=FellowStatus.GRADUATED,
    )

    notes = demo.build_demo()
    consents = WebsiteConsent.objects.count()
    demo.build_demo()

    assert len(notes) == 3
    # The alumnus is the only graduate, so they are the third who published a profile.
    assert PublicProfile.objects.published().get().fellow == alumnus
    assert WebsiteConsent.objects.count() == consents  # the second run added nothing
    for person in (fellow, alumnus):
        kinds = set(person.portfolio_entries.values_list("kind", flat=True))
        assert {"publication", "presentation", "onward_programme"} <= kinds
        assert person.portfolio_entries.filter(url__startswith="https://doi.org/10.").exists()
        poster = Poster.objects.get(fellow=person)
        assert poster.file_kind == "png" and poster.file.read(8) == b"\x89PNG\r\n\x1a\n"
    assert alumnus.portfolio_entries.filter(title="Topol Digital Fellowship").count() == 1
    assert {t.fellow for t in services.quotable_testimonials()} == {fellow, alumnus}


def test_build_demo_does_nothing_without_the_demo_people():
    assert demo.build_demo() == []
