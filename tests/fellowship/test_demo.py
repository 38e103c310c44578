"""The demo programme loads through the history import and gives every role two people."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.utils import timezone

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

    open_round = RecruitmentRound.objects.get(
        cohort__number=5, name__endswith="national recruitment"
    )
    assert open_round.is_open()
    assert Application.objects.filter(round__cohort__number=4).count() == 308
    assert (
        Application.objects.get(applicant__email="applicant1@fellowship.example").stage
        == Stage.DRAFT
    )
    assert (
        Application.objects.get(applicant__email="applicant2@fellowship.example").stage
        == Stage.SUBMITTED
    )
    _assert_closed_round_selection()
    per_cohort = [Fellow.objects.filter(cohort__number=n).count() for n in (1, 2, 3, 4)]
    assert per_cohort[0] == 11 and per_cohort[-1] == 34
    regions = [
        Fellow.objects.filter(cohort__number=n).values("region").distinct().count() for n in (1, 4)
    ]
    assert regions == [2, 10]
    assert Fellow.objects.filter(status=FellowStatus.GRADUATED, cohort__number__lt=4).count() == 57
    # Cohorts 3 and 4 of the history (the projects demo adds incoming fellows to cohort 5).
    assert (
        Fellow.objects.exclude(profession="medicine").filter(cohort__number__in=[3, 4]).count() == 9
    )

    for role in Role:
        assert RoleGrant.objects.filter(role=role).values("user").distinct().count() >= 2, role
    mfa_users = RoleGrant.objects.filter(role__in=["faculty", "panellist", "funder"]).values("user")
    assert Authenticator.objects.filter(user__in=mfa_users, type="totp").count() == 6
    assert Fellow.objects.filter(
        user__email="fellow1@fellowship.example", status="in_post"
    ).exists()
    assert Fellow.objects.filter(
        user__email="alumnus1@fellowship.example", status="graduated"
    ).exists()

    _assert_mentoring()
    _assert_surveys()
    _assert_public_site()

    text = out.getvalue()
    assert (
        "faculty1@fellowship.example" in text
        and "fellowship-demo-2026" in text
        and "JBSWY3DPEHPK3PXP" in text
    )


def test_load_demo_leaves_existing_data_alone():
    Cohort.objects.create(number=9)
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "already holds programme data" in out.getvalue()
    assert Cohort.objects.count() == 1


def _assert_closed_round_selection():
    """The closed round of the cohort recruiting now shows the whole selection, built by services."""
    from recruitment import interviews
    from recruitment.enums import OfferState, Stage
    from recruitment.models import (
        Application,
        Conflict,
        ConsensusScore,
        Moderation,
        Offer,
        RecruitmentRound,
        ShortlistScore,
        StageChange,
    )

    closed = RecruitmentRound.objects.get(
        cohort__number=5, name__endswith="international pilot round"
    )
    assert not closed.is_open() and closed.closes_at < timezone.now()
    applications = Application.objects.filter(round=closed)
    assert applications.count() == 8
    # candidate7, unsuccessful, asked to be erased: their application stays, belonging to nobody.
    assert sorted(a.applicant.email for a in applications if a.applicant) == [
        f"candidate{n}@fellowship.example" for n in (1, 2, 3, 4, 5, 6, 8)
    ]
    erased = applications.get(applicant__isnull=True)
    assert erased.stage == Stage.UNSUCCESSFUL and not erased.cv
    from fellowship.models import Erasure, User

    assert Erasure.objects.get().carried_out_by.email == "faculty1@fellowship.example"
    assert User.objects.get(email="faculty1@fellowship.example").has_perm(
        "fellowship.handle_personal_data"
    )
    # Reviewers scored, one pair differed enough to need moderation, and faculty moderated it.
    assert ShortlistScore.objects.filter(assignment__application__round=closed).count() >= 40
    moderation = Moderation.objects.get(application__round=closed)
    assert moderation.by.email == "faculty1@fellowship.example" and moderation.reason
    conflict = Conflict.objects.get(application__round=closed)
    assert (
        conflict.reason == "same_employer"
        and conflict.person.email == "panellist1@fellowship.example"
    )
    assert not conflict.application.reviewer_assignments.filter(reviewer=conflict.person).exists()
    # The shortlist: five in, three told they were not shortlisted; every change recorded.
    # Shortlisted and waiting: one without agreed scores, one half-scored, one without a slot.
    assert applications.filter(stage=Stage.SHORTLISTED).count() == 3
    assert applications.filter(stage=Stage.INTERVIEWED).count() == 1
    assert applications.filter(stage=Stage.UNSUCCESSFUL).count() == 3
    assert (
        StageChange.objects.filter(application__round=closed, to_stage=Stage.SHORTLISTED).count()
        == 5
    )
    # Interviews: consensus for two, the panel's agreement measurable, a pending offer to the first.
    assert (
        ConsensusScore.objects.filter(application__round=closed)
        .values("application")
        .distinct()
        .count()
        == 2
    )
    (panel_a, _panel_b) = interviews.panel_agreement(closed)
    assert panel_a.candidates == 3 and panel_a.icc_absolute is not None
    offer = Offer.objects.get(application__round=closed)
    assert offer.state == OfferState.PENDING
    assert offer.application.stage == Stage.OFFERED
    assert offer.application.applicant.email == "candidate1@fellowship.example"


def _assert_mentoring():
    """Cohort 4's 16 imported pairs, 14 sharing something; the newest cohort open for offers and requests."""
    from fellowship import mentoring
    from fellowship.models import MentorOffer, MentorPairing, MentorRequest

    counts = mentoring.sharing_counts(MentorPairing.objects.published().filter(cohort__number=4))
    assert (counts["total"], counts["any"]) == (16, 14)
    assert MentorPairing.objects.published().filter(cohort__number=3).count() == 5
    newest = mentoring.incoming_cohort()
    offers = MentorOffer.objects.filter(cohort=newest)
    assert offers.count() == 6
    assert {"alumnus1@fellowship.example", "alumnus2@fellowship.example"} <= set(
        offers.values_list("mentor__user__email", flat=True)
    )
    assert (
        MentorRequest.objects.filter(fellow__cohort=newest).count()
        == Fellow.objects.in_post().filter(cohort=newest).count()
    )
    assert not MentorPairing.objects.filter(cohort=newest).exists()


def _assert_surveys():
    """Exit surveys of the earlier cohorts from the history; workshop feedback waiting for fellow1;
    the speaker of that workshop can read its feedback; the alumni survey waiting for alumni."""
    from surveys.models import Invitation, Survey

    exit_surveys = Survey.objects.sent().filter(key="exit_survey")
    assert exit_surveys.count() >= 1 and all(
        s.anonymous and s.responses.exists() for s in exit_surveys
    )
    waiting = Invitation.objects.filter(person__email="fellow1@fellowship.example", completed=False)
    assert waiting.filter(survey__key="workshop_feedback").exists()
    feedback = waiting.get(survey__key="workshop_feedback").survey
    assert feedback.workshop.speakers.filter(user__email="supervisor2@fellowship.example").exists()
    assert feedback.invitations.filter(completed=True).count() == 1
    assert set(
        Invitation.objects.filter(survey__key="alumni").values_list("person__email", flat=True)
    ) == {"alumnus1@fellowship.example", "alumnus2@fellowship.example"}


def _assert_public_site():
    """The public website shows the fictional programme: its description, a third of the
    graduates (those who opted in) and quotes they allowed; nobody else, and no e-mail address."""
    import html
    import re

    from django.test import Client

    from portfolio.enums import WebsitePurpose
    from portfolio.models import PublicProfile, Testimonial, WebsiteConsent

    visitor = Client()
    home = visitor.get("/").content.decode()
    assert "What fellows do" in home  # the description's Markdown heading, rendered
    assert "What fellows say" in home
    quotes = Testimonial.objects.publishable()
    assert quotes.count() >= 4
    shown = [q for q in quotes if html.escape(q.text) in home]
    assert len(shown) == 3  # the latest three

    published = PublicProfile.objects.published()
    graduates = Fellow.objects.filter(status=FellowStatus.GRADUATED, cohort__number__lt=4)
    assert published.count() == (graduates.count() + 2) // 3  # every third graduate
    fellows_page = visitor.get("/fellows/").content.decode()
    for profile in published.select_related("fellow"):
        assert profile.fellow.recorded_name in fellows_page
    hidden = graduates.exclude(public_profile__in=published).exclude(full_name="")
    assert hidden.exists()
    for fellow in hidden:
        assert fellow.recorded_name not in fellows_page, fellow.ref
    assert PublicProfile.objects.published().filter(show_photo=True).exists()
    assert WebsiteConsent.objects.current().filter(purpose=WebsitePurpose.POSTER).exists()
    projects_page = visitor.get("/projects/").content.decode()
    for page in (home, fellows_page, projects_page):
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", page)
