"""The service's pages and documents name the programme its records belong to (the programme
record: the site's name and the organisation), never a programme written into the code."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.template import Context, Template
from django.urls import reverse

from fellowship.enums import Role
from fellowship.models import Programme

from ..conftest import make_person

pytestmark = pytest.mark.django_db

NAME = "Welsh Fellowship in Digital Health"


@pytest.fixture
def welsh():
    Site.objects.filter(pk=settings.SITE_ID).update(name=NAME)
    Site.objects.clear_cache()
    Programme.objects.create(
        site=Site.objects.get_current(), organisation="Health Education and Improvement Wales"
    )
    yield
    Site.objects.clear_cache()


def test_the_landing_page_and_every_footer_name_the_programme(client, login, welsh):
    landing = client.get(reverse("home")).content.decode()
    assert f"<h1>{NAME}</h1>" in landing
    assert "Clinical AI" not in landing
    home = login(make_person(Role.APPLICANT)).get(reverse("home")).content.decode()
    assert "&copy; Health Education and Improvement Wales" in home


@pytest.mark.parametrize(
    ("name", "css"),
    [
        ("NHS Fellowship in Clinical AI", '"NHS Fellowship in Clinical AI"'),
        ('A "quoted" name', '"A \\22 quoted\\22  name"'),
        (
            "</style><script>alert(1)</script>",
            '"\\3c \\2f style\\3e \\3c script\\3e alert(1)\\3c \\2f script\\3e "',
        ),
        ("back\\slash; }", '"back\\5c slash; \\7d "'),
    ],
)
def test_a_name_in_a_print_stylesheet_cannot_end_the_string_or_the_style(name, css):
    rendered = Template("{% load programme %}{{ name|css_string }}").render(Context({"name": name}))
    assert rendered == css
    assert "<" not in rendered and ">" not in rendered and rendered.count('"') == 2
