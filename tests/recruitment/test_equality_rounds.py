"""A round's equality figures appear only once it has closed: the differencing attack while open.

A faculty member who may see equality monitoring looks at an open round's figures, someone
applies and answers the equality questions, and the faculty member looks again. Had the counts
changed by one, the difference would be the newcomer's answers. So while the round is open the
page shows no count at all, and the questions close with the round, so nothing changes after.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import AuditSubject, Role
from fellowship.models import AuditEvent
from recruitment import services
from recruitment.enums import Stage

from ..conftest import make_person
from ..factories import ApplicationFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def equality_client(login):
    user = make_person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    return login(user)


def apply(rnd, sex: str):
    """One more submitted application, whose applicant answers the equality questions."""
    application = ApplicationFactory(
        round=rnd,
        stage=Stage.SUBMITTED,
        furthest_stage=Stage.SUBMITTED,
        submitted_at=timezone.now(),
    )
    services.record_equality(application, {"sex": sex}, by=application.applicant)
    return application


def main_of(response) -> str:
    assert response.status_code == 200
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def close(rnd):
    rnd.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    rnd.save(update_fields=["closes_at"])


def test_two_looks_at_an_open_round_show_nothing_that_changes(equality_client):
    rnd = RoundFactory()  # open
    for sex in ["female"] * 6 + ["male"] * 6:
        apply(rnd, sex)
    url = reverse("equality_monitoring", args=[rnd.pk])
    before = main_of(equality_client.get(url))
    apply(rnd, "non_binary")
    after = main_of(equality_client.get(url))
    assert before == after
    assert "The figures appear after the round closes" in after
    assert "<table" not in after and "Female" not in after and "&lt;5" not in after
    # Nothing was read, so nothing to audit.
    assert not AuditEvent.objects.filter(subject=AuditSubject.EQUALITY).exists()


def test_the_figures_appear_once_the_round_has_closed(equality_client):
    rnd = RoundFactory()
    for sex in ["female"] * 6 + ["male"] * 7:
        apply(rnd, sex)
    close(rnd)
    page = main_of(equality_client.get(reverse("equality_monitoring", args=[rnd.pk])))
    assert "Applications reaching each stage, by sex" in page
    assert '<td class="nhsuk-table__cell--numeric">7</td>' in page
    # Footnotes explain every symbol the table uses.
    assert "&lt;5 means fewer than 5 people" in page
    assert AuditEvent.objects.filter(subject=AuditSubject.EQUALITY).count() == 1


def test_equality_answers_close_with_the_round(applicant_client, role_users):
    """Else a late answer would change the closed round's figures between two looks."""
    rnd = RoundFactory()
    application = ApplicationFactory(
        round=rnd,
        applicant=role_users["applicant"],
        stage=Stage.SUBMITTED,
        furthest_stage=Stage.SUBMITTED,
        submitted_at=timezone.now(),
    )
    close(rnd)
    with pytest.raises(ValidationError, match="closed with the round"):
        services.record_equality(application, {"sex": "female"}, by=application.applicant)
    url = reverse("application_equality", args=[application.ref])
    response = applicant_client.post(url, {"sex": "female"}, follow=True)
    assert "closed with the round" in response.content.decode()
    assert not services.has_equality_record(application)
    overview = applicant_client.get(reverse("application_overview", args=[application.ref]))
    assert url not in overview.content.decode()


def test_the_round_page_links_to_its_figures_for_those_who_may_see_them(
    equality_client, faculty_client
):
    rnd = RoundFactory()
    link = reverse("equality_monitoring", args=[rnd.pk])
    assert link in equality_client.get(reverse("round_detail", args=[rnd.pk])).content.decode()
    assert link not in faculty_client.get(reverse("round_detail", args=[rnd.pk])).content.decode()
    assert faculty_client.get(link).status_code == 403


def test_in_the_demo_faculty1_holds_both_permissions_and_faculty2_neither(login):
    from recruitment.demo import _equality_access

    faculty1 = make_person(Role.FACULTY, email="faculty1@fellowship.example")
    faculty2 = make_person(Role.FACULTY, email="faculty2@fellowship.example")
    _equality_access()
    faculty1 = type(faculty1).objects.get(pk=faculty1.pk)
    assert faculty1.has_perm("recruitment.see_equality")
    assert faculty1.has_perm("recruitment.give_equality_access")
    assert faculty1.has_perm("reports.request_internal_report")
    assert not faculty2.has_perm("recruitment.see_equality")
    assert not faculty2.has_perm("recruitment.give_equality_access")
    rnd = RoundFactory()
    link = reverse("equality_monitoring", args=[rnd.pk])
    assert link in login(faculty1).get(reverse("round_detail", args=[rnd.pk])).content.decode()
