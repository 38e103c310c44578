"""Faculty preview the report in the browser: the same document the PDF is printed from."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reports.evidence import compute_evidence
from reports.render import render_html

from .history import load_small_history

pytestmark = pytest.mark.django_db


def preview(client, number=2, **params):
    return client.get(reverse("report_preview", args=[number]), params)


def test_faculty_preview_the_report_as_the_pdf_prints_it(faculty_client):
    load_small_history()
    response = preview(faculty_client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Benefits realisation report: cohorts 1 to 2</title>" in html
    assert f'href="{reverse("report_list")}">Back to reports</a>' in html
    # The same content as the PDF's HTML, apart from the screen-only link back.
    printed = render_html(compute_evidence(2))
    for part in (
        'id="objective-1"',
        'id="objective-8"',
        'id="appendix"',
        'id="chart-gender"',
        "Rows used",
    ):
        assert part in html and part in printed
    assert (
        html.count('<table class="objective">') == printed.count('<table class="objective">') == 8
    )
    assert "&lt;5" in html and "3 (9%)" not in html  # suppressed by default


def test_the_preview_styles_are_allowed_by_the_content_security_policy(faculty_client):
    load_small_history()
    response = preview(faculty_client)
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert f"'nonce-{nonce}'" in policy["style-src"]
    assert "unsafe-inline" not in policy["style-src"]


@pytest.fixture
def equality_team(role_users):
    """The faculty user may see equality monitoring, so may make reports at another threshold."""
    from django.contrib.auth.models import Permission

    role_users["faculty"].user_permissions.add(
        Permission.objects.get(codename="view_equality_monitoring")
    )


def test_a_preview_can_publish_every_count(faculty_client, equality_team):
    load_small_history()
    html = preview(faculty_client, suppress_below=0).content.decode()
    assert "3 (9%)" in html and "suppression was turned off" in html


@pytest.mark.parametrize("value", ["abc", "-1", "101", "2.5"])
def test_a_threshold_that_is_not_a_whole_number_from_0_to_100_is_refused(faculty_client, value):
    load_small_history()
    response = preview(faculty_client, suppress_below=value)
    assert response.status_code == 400
    assert "whole number from 0 to 100" in response.content.decode()


def test_an_unknown_cohort_is_not_found(faculty_client):
    load_small_history()
    assert preview(faculty_client, number=9).status_code == 404


@pytest.mark.parametrize(
    "role", ["outsider", "applicant", "fellow", "alumnus", "supervisor", "panellist", "funder"]
)
def test_only_faculty_may_preview(role, request):
    load_small_history()
    client = request.getfixturevalue(f"{role}_client")
    assert preview(client).status_code == 403


def test_anonymous_visitors_are_asked_to_sign_in(client):
    load_small_history()
    response = preview(client)
    assert response.status_code == 302
