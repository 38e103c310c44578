"""Faculty write the programme's description on the settings page; the public home page shows it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fellowship.models import programme

pytestmark = pytest.mark.django_db

DETAILS = {
    "name": "NHS Fellowship in Clinical AI",
    "short_name": "",
    "organisation": "",
    "website": "",
}


def test_faculty_write_the_description_the_home_page_shows(faculty_client, client):
    response = faculty_client.post(
        reverse("programme_settings"), {**DETAILS, "description": "A **year-long** programme."}
    )
    assert response.status_code == 302
    assert programme().description == "A **year-long** programme."
    assert "A <strong>year-long</strong> programme." in client.get(reverse("home")).content.decode()


def test_the_settings_page_offers_the_current_description(faculty_client):
    the_programme = programme()
    the_programme.description = "Our programme"
    the_programme.save()
    page = faculty_client.get(reverse("programme_settings")).content.decode()
    assert "Our programme" in page
