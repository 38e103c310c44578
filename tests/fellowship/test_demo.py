"""The demo programme loads through the history import and gives every role two people."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from fellowship.enums import FellowStatus, Role
from fellowship.models import Cohort, Fellow, RoleGrant

pytestmark = pytest.mark.django_db


def test_load_demo_builds_a_growing_programme_and_two_people_per_role():
    out = io.StringIO()
    call_command("load_demo", stdout=out)

    # Four cohorts of history, and a fifth recruiting now.
    assert list(Cohort.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    from recruitment.enums import Stage
    from recruitment.models import Application, RecruitmentRound

    assert RecruitmentRound.objects.get(cohort__number=5).is_open()
    assert Application.objects.filter(round__cohort__number=4).count() == 308
    assert Application.objects.get(applicant__email="applicant1@fellowship.example").stage == Stage.DRAFT
    assert Application.objects.get(applicant__email="applicant2@fellowship.example").stage == Stage.SUBMITTED
    per_cohort = [Fellow.objects.filter(cohort__number=n).count() for n in (1, 2, 3, 4)]
    assert per_cohort[0] == 11 and per_cohort[-1] == 34
    regions = [Fellow.objects.filter(cohort__number=n).values("region").distinct().count() for n in (1, 4)]
    assert regions == [2, 10]
    assert Fellow.objects.filter(status=FellowStatus.GRADUATED, cohort__number__lt=4).count() == 57
    assert Fellow.objects.exclude(profession="medicine").filter(cohort__number__gte=3).count() == 9

    for role in Role:
        assert RoleGrant.objects.filter(role=role).values("user").distinct().count() >= 2, role
    mfa_users = RoleGrant.objects.filter(role__in=["faculty", "panellist", "funder"]).values("user")
    assert Authenticator.objects.filter(user__in=mfa_users, type="totp").count() == 6
    assert Fellow.objects.filter(user__email="fellow1@fellowship.example", status="in_post").exists()
    assert Fellow.objects.filter(user__email="alumnus1@fellowship.example", status="graduated").exists()

    text = out.getvalue()
    assert "faculty1@fellowship.example" in text and "fellowship-demo-2026" in text and "JBSWY3DPEHPK3PXP" in text


def test_load_demo_leaves_existing_data_alone():
    Cohort.objects.create(number=9)
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "already holds programme data" in out.getvalue()
    assert Cohort.objects.count() == 1
