"""Object-level access: every role's person asks for another person's records.

tests/test_access.py checks each URL for each role against records those people own or are
linked to. Here a second, complete set of people owns a second copy of every record (application,
CV and documents, interview slot and offer, survey invitation and speaker results, proposal and
project, portfolio entries, evidence and poster, report), and the first set asks for them: nobody
but faculty may get them, whatever their role. Faculty get what test_access allows them.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import ROLE_NAMES, make_people
from .test_access import EXPECTED, build_world

pytestmark = pytest.mark.django_db

# The URL names that show or change one person's record (with the world key they take it from).
PERSONAL = [
    "application_overview",
    "application_eligibility",
    "application_statement",
    "application_documents",
    "application_approval",
    "application_review",
    "application_withdraw",
    "application_equality",
    "application_cv",
    "application_approval_form",
    "application_document",
    "shortlist_score",
    "declare_conflict",
    "choose_slot",
    "interview_score",
    "panel_cv",
    "interview_consensus",
    "offer_respond",
    "survey_answer",
    "speaker_results",
    "proposal_detail",
    "proposal_update",
    "proposal_versions",
    "project_milestones",
    "fellow_ranking",
    "portfolio_detail",
    "portfolio_pdf",
    "entry_create",
    "entry_update",
    "entry_delete",
    "entry_evidence",
    "poster_edit",
    "poster_file",
    "testimonial_edit",
    "consent_withdraw",
    "report_detail",
    "report_status",
    "report_download",
    "fellow_detail",
    "funder_detail",
    "funder_mou",
]


@pytest.fixture
def worlds(db):
    """Theirs first, so that their cohort comes before ours and a report "as of" their cohort
    covers none of the cohorts our funder pays for."""
    theirs = build_world(make_people())
    ours = build_world(make_people())
    return theirs, ours


def test_the_list_covers_every_personal_url():
    assert set(PERSONAL) <= set(EXPECTED)


@pytest.mark.parametrize("name", PERSONAL)
def test_nobody_but_faculty_reaches_another_persons_record(name, worlds, client, login):
    theirs, ours = worlds
    build, expected = EXPECTED[name]
    url = reverse(name, kwargs=build(theirs))
    got = {role: login(ours["users"][role]).get(url).status_code for role in ROLE_NAMES}
    got["outsider"] = login(ours["users"]["outsider"]).get(url).status_code
    got["anonymous"] = client.get(url).status_code
    assert got["anonymous"] == 302, url
    assert got.pop("faculty") == expected["faculty"], url
    refused = {role: status for role, status in got.items() if role != "anonymous"}
    assert all(status in (403, 404, 405) for status in refused.values()), (url, refused)


# Equality figures and reports made below or above the disclosure-control policy -----------------


def _equality_team(user):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    return user


@pytest.mark.parametrize("threshold", [0, 10])
def test_a_report_at_another_threshold_is_reached_only_by_the_equality_team(
    threshold, worlds, client, login
):
    """The world's funder pays for the report's cohort, yet editing the URLs gets them nothing."""
    theirs, ours = worlds
    job = theirs["report_job"]
    job.suppress_below = threshold
    job.save(update_fields=["suppress_below"])
    urls = [
        reverse("report_detail", args=[job.pk]),
        reverse("report_status", args=[job.pk]),
        reverse("report_download", args=[job.pk, "pdf"]),
    ]
    people = [*theirs["users"].values(), *ours["users"].values()]
    for url in urls:
        got = {(user.email, login(user).get(url).status_code) for user in people}
        assert all(status in (403, 404) for _, status in got), (url, got)
        assert client.get(url).status_code == 302
    team = login(_equality_team(ours["users"]["faculty"]))
    assert all(team.get(url).status_code == 200 for url in urls)


def test_a_rounds_equality_figures_are_reached_only_by_the_equality_team(worlds, login):
    theirs, ours = worlds
    url = reverse("equality_monitoring", args=[theirs["round"].pk])
    people = [*theirs["users"].values(), *ours["users"].values()]
    assert all(login(user).get(url).status_code == 403 for user in people)
    # The permission without the faculty role is not enough either.
    assert login(_equality_team(ours["users"]["panellist"])).get(url).status_code == 403
    assert login(_equality_team(ours["users"]["faculty"])).get(url).status_code == 200
