"""Every URL of the service × every role: who gets 200, 302 (sign in first), 403, 404 or 405.

The test enumerates the URL patterns of our apps, so a new view without a line in EXPECTED fails
`test_every_url_pattern_has_an_access_rule` until someone decides who may reach it.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fellowship.enums import FellowStatus, Role

from .factories import CohortFactory, FellowFactory, FunderFactory, WorkshopFactory

OUR_APPS = ("fellowship", "recruitment", "projects", "surveys", "portfolio", "reports")
ROLES = ["anonymous", "outsider", *[r.value for r in Role]]


def rule(default: int, **by_role: int) -> dict[str, int]:
    expected = {role: by_role.get(role, default) for role in ROLES}
    expected.setdefault("anonymous", 302)
    if "anonymous" not in by_role:
        expected["anonymous"] = 302
    return expected


FACULTY_ONLY = rule(403, faculty=200)
EVERYONE = rule(200, anonymous=200)

# url name -> (kwargs builder, expected status per role)
EXPECTED: dict[str, tuple] = {
    "home": (None, EVERYONE),
    # The public website: anyone, signed in or not; an unknown unsubscribe or confirmation token
    # does not exist
    "public_apply": (None, EVERYONE),
    "public_supervisors": (None, EVERYONE),
    "interest_signup": (None, EVERYONE),
    "interest_unsubscribe": (lambda w: {"token": "no-such-token"}, rule(404, anonymous=404)),
    "interest_confirm": (lambda w: {"token": "no-such-token"}, rule(404, anonymous=404)),
    "sitemap": (None, EVERYONE),
    "robots": (None, EVERYONE),
    "accessibility_statement": (None, EVERYONE),
    "health_live": (None, EVERYONE),
    "health_ready": (None, EVERYONE),
    # Without the scraper's token (or an allowed address) /metrics does not exist.
    "metrics": (None, rule(404, anonymous=404)),
    "cohort_list": (None, FACULTY_ONLY),
    "cohort_create": (None, FACULTY_ONLY),
    "cohort_detail": (lambda w: {"number": w["cohort"].number}, FACULTY_ONLY),
    "cohort_update": (lambda w: {"number": w["cohort"].number}, FACULTY_ONLY),
    "region_list": (None, FACULTY_ONLY),
    "region_create": (None, FACULTY_ONLY),
    "region_update": (lambda w: {"pk": w["fellow"].region_id}, FACULTY_ONLY),
    "organisation_list": (None, FACULTY_ONLY),
    "organisation_create": (None, FACULTY_ONLY),
    "organisation_update": (lambda w: {"pk": w["organisation"].pk}, FACULTY_ONLY),
    "funder_list": (None, rule(403, faculty=200, funder=200)),
    "funder_create": (None, FACULTY_ONLY),
    "funder_detail": (lambda w: {"pk": w["funder"].pk}, rule(404, faculty=200, funder=200)),
    "funder_update": (lambda w: {"pk": w["funder"].pk}, FACULTY_ONLY),
    "funder_mou": (lambda w: {"pk": w["funder"].pk}, rule(404, faculty=200, funder=200)),
    "fellow_list": (None, FACULTY_ONLY),
    "fellow_create": (None, FACULTY_ONLY),
    "fellow_detail": (lambda w: {"pk": w["fellow"].pk}, rule(404, faculty=200, fellow=200)),
    "fellow_update": (lambda w: {"pk": w["fellow"].pk}, FACULTY_ONLY),
    "workshop_list": (None, rule(403, faculty=200, fellow=200, alumnus=200)),
    "workshop_create": (None, FACULTY_ONLY),
    "workshop_detail": (lambda w: {"pk": w["workshop"].pk}, rule(403, faculty=200, fellow=200)),
    "workshop_update": (lambda w: {"pk": w["workshop"].pk}, FACULTY_ONLY),
    "history_import": (None, FACULTY_ONLY),
    "programme_settings": (None, FACULTY_ONLY),
    "person_list": (None, FACULTY_ONLY),
    "person_detail": (lambda w: {"pk": w["users"]["applicant"].pk}, FACULTY_ONLY),
    "audit_log": (None, FACULTY_ONLY),
    # E-mail texts: faculty edit them; resetting and restoring are POSTs (a GET is refused)
    "email_text_list": (None, FACULTY_ONLY),
    "email_text_edit": (lambda w: {"key": "offer_made"}, FACULTY_ONLY),
    "email_text_reset": (lambda w: {"key": "offer_made"}, rule(403, faculty=405)),
    "email_text_restore": (lambda w: {"key": "offer_made", "pk": 1}, rule(403, faculty=405)),
    # Invitations: faculty pages; the e-mailed link opens for anyone, and refuses a signed-in
    # person whose address is not the one invited (403)
    "invitation_list": (None, FACULTY_ONLY),
    "invitation_create": (None, FACULTY_ONLY),
    "invitation_bulk": (None, FACULTY_ONLY),
    "invitation_batch": (lambda w: {"pk": w["invitation_batch"].pk}, FACULTY_ONLY),
    "invitation_resend": (lambda w: {"pk": w["invitation"].pk}, rule(405)),
    "invitation_revoke": (lambda w: {"pk": w["invitation"].pk}, rule(405)),
    "invitation_accept": (lambda w: {"token": w["invitation_token"]}, rule(403, anonymous=200)),
    # Removing a role is a POST; a GET is refused for everyone signed in.
    # Faculty need the personal data permission too, which the test world's faculty lack.
    "personal_data_requests": (None, rule(403)),
    "personal_data_export": (None, rule(405)),
    "personal_data_erase": (None, rule(405)),
    "my_data": (None, rule(200)),
    "my_data_download": (None, rule(200)),
    # Retention: faculty with the personal data permission only (the test world's faculty lack it)
    "retention": (None, rule(403)),
    "retention_check": (None, rule(405)),
    "retention_apply": (None, rule(403)),
    # Privacy notices: public, signed in or not
    "privacy_index": (None, EVERYONE),
    "privacy_notice": (lambda w: {"purpose": "recruitment"}, EVERYONE),
    "role_revoke": (
        lambda w: {"pk": w["users"]["applicant"].pk, "grant_pk": w["grant"].pk},
        rule(405),
    ),
    # Recruitment: the applicant's journey (their application is submitted, so steps lead back to it)
    "round_list": (None, rule(200)),
    "application_start": (lambda w: {"pk": w["round"].pk}, rule(200, applicant=302)),
    "application_overview": (
        lambda w: {"ref": w["application"].ref},
        rule(404, applicant=200, faculty=200),
    ),
    "application_eligibility": (
        lambda w: {"ref": w["application"].ref},
        rule(404, applicant=302, faculty=302),
    ),
    "application_statement": (
        lambda w: {"ref": w["application"].ref},
        rule(404, applicant=302, faculty=302),
    ),
    "application_documents": (
        lambda w: {"ref": w["application"].ref},
        rule(404, applicant=302, faculty=302),
    ),
    "application_approval": (
        lambda w: {"ref": w["application"].ref},
        rule(404, applicant=302, faculty=302),
    ),
    "application_review": (
        lambda w: {"ref": w["application"].ref},
        rule(404, applicant=302, faculty=302),
    ),
    "application_withdraw": (lambda w: {"ref": w["application"].ref}, rule(404, applicant=200)),
    "application_equality": (lambda w: {"ref": w["application"].ref}, rule(404, applicant=200)),
    "application_cv": (
        lambda w: {"ref": w["application"].ref},
        rule(404, applicant=200, faculty=200),
    ),
    "application_approval_form": (
        lambda w: {"ref": w["application"].ref},
        rule(404, applicant=200, faculty=200),
    ),
    "application_approval_form_pdf": (
        lambda w: {"ref": w["application"].ref},
        rule(404, applicant=200),
    ),
    "application_document": (
        lambda w: {"ref": w["application"].ref, "pk": w["document"].pk},
        rule(404, applicant=200, faculty=200),
    ),
    "manager_approval": (lambda w: {"token": w["token"]}, rule(200, anonymous=200)),
    # Recruitment: faculty pages; the equality view also needs the dedicated permission
    "round_admin_list": (None, FACULTY_ONLY),
    "round_create": (None, FACULTY_ONLY),
    "round_detail": (lambda w: {"pk": w["round"].pk}, FACULTY_ONLY),
    "round_update": (lambda w: {"pk": w["round"].pk}, FACULTY_ONLY),
    "round_eligibility": (lambda w: {"pk": w["round"].pk}, FACULTY_ONLY),
    "application_list": (lambda w: {"pk": w["round"].pk}, FACULTY_ONLY),
    "application_export": (lambda w: {"pk": w["round"].pk, "fmt": "csv"}, FACULTY_ONLY),
    "equality_monitoring": (lambda w: {"pk": w["round"].pk}, rule(403)),
    "application_detail": (lambda w: {"ref": w["application"].ref}, FACULTY_ONLY),
    "application_ineligible": (lambda w: {"ref": w["application"].ref}, FACULTY_ONLY),
    # Recruitment II: shortlisting (the application is assigned to the panellist)
    "shortlisting": (lambda w: {"pk": w["round"].pk}, FACULTY_ONLY),
    "shortlist_moderate": (
        lambda w: {"ref": w["application"].ref, "criterion_pk": w["criterion"].pk},
        FACULTY_ONLY,
    ),
    "my_reviews": (None, rule(403, panellist=200, faculty=200)),
    "shortlist_score": (
        lambda w: {"pk": w["assignment"].pk},
        rule(403, panellist=200, faculty=404),
    ),
    "declare_conflict": (
        lambda w: {"pk": w["assignment"].pk},
        rule(403, panellist=200, faculty=404),
    ),
    # Interviews (a second round: the panellist sits on its panel; the applicant's shortlisted application has a slot)
    "panel_list": (lambda w: {"pk": w["interview_round"].pk}, FACULTY_ONLY),
    "panel_create": (lambda w: {"pk": w["interview_round"].pk}, FACULTY_ONLY),
    "panel_agreement": (lambda w: {"pk": w["interview_round"].pk}, FACULTY_ONLY),
    "panel_detail": (lambda w: {"pk": w["panel"].pk}, FACULTY_ONLY),
    "panel_update": (lambda w: {"pk": w["panel"].pk}, FACULTY_ONLY),
    "panel_slots": (lambda w: {"pk": w["panel"].pk}, rule(405)),
    "panel_invite": (lambda w: {"pk": w["panel"].pk}, rule(405)),
    "slot_allocate": (lambda w: {"pk": w["slot"].pk}, rule(405)),
    "slot_choice": (lambda w: {"pk": w["interview_round"].pk}, rule(405)),
    "choose_slot": (lambda w: {"ref": w["interview_application"].ref}, rule(404, applicant=200)),
    "my_interviews": (None, rule(403, panellist=200, faculty=200)),
    "interview_score": (lambda w: {"pk": w["slot"].pk}, rule(403, panellist=200, faculty=404)),
    "panel_cv": (lambda w: {"pk": w["slot"].pk}, rule(403, panellist=200, faculty=404)),
    "interview_consensus": (lambda w: {"pk": w["slot"].pk}, rule(404, panellist=200, faculty=200)),
    # Offers (a third round: the applicant holds a pending offer)
    "offers": (lambda w: {"pk": w["offer"].application.round_id}, FACULTY_ONLY),
    "send_outcomes": (lambda w: {"pk": w["offer"].application.round_id}, rule(405)),
    "offer_respond": (lambda w: {"pk": w["offer"].pk}, rule(404, applicant=200)),
    # Surveys: the panellist feedback survey of the interview round, the panellist invited
    "my_surveys": (None, rule(200)),
    "survey_answer": (lambda w: {"pk": w["panellist_survey"].pk}, rule(404, panellist=200)),
    "survey_results": (lambda w: {"pk": w["panellist_survey"].pk}, FACULTY_ONLY),
    "survey_send_panellists": (lambda w: {"pk": w["interview_round"].pk}, FACULTY_ONLY),
    # Surveys: a workshop feedback survey whose session's speaker is the supervisor
    "my_talks": (None, rule(200)),
    "speaker_results": (
        lambda w: {"pk": w["workshop_survey"].pk},
        rule(404, supervisor=200, faculty=200),
    ),
    "survey_list": (None, FACULTY_ONLY),
    "survey_create": (None, FACULTY_ONLY),
    "survey_edit": (lambda w: {"pk": w["workshop_survey"].pk}, FACULTY_ONLY),
    "survey_copy": (lambda w: {"pk": w["workshop_survey"].pk}, FACULTY_ONLY),
    "question_create": (lambda w: {"pk": w["workshop_survey"].pk}, FACULTY_ONLY),
    "question_edit": (
        lambda w: {
            "pk": w["workshop_survey"].pk,
            "question_pk": w["workshop_survey"].questions.first().pk,
        },
        FACULTY_ONLY,
    ),
    "survey_send": (lambda w: {"pk": w["workshop_survey"].pk}, FACULTY_ONLY),
    "survey_export": (lambda w: {"pk": w["workshop_survey"].pk, "fmt": "csv"}, FACULTY_ONLY),
    # Reports: a finished report as of the world's cohort, in which the funder pays for a post
    "report_list": (None, rule(403, faculty=200, funder=200)),
    "report_request": (None, FACULTY_ONLY),
    "report_detail": (lambda w: {"pk": w["report_job"].pk}, rule(403, faculty=200, funder=200)),
    "report_status": (lambda w: {"pk": w["report_job"].pk}, rule(403, faculty=200, funder=200)),
    "report_download": (
        lambda w: {"pk": w["report_job"].pk, "fmt": "pdf"},
        rule(403, faculty=200, funder=200),
    ),
    "report_preview": (lambda w: {"number": w["cohort"].number}, FACULTY_ONLY),
    "report_wording": (None, FACULTY_ONLY),
    "report_wording_edit": (lambda w: {"objective": 1}, FACULTY_ONLY),
    # A released report's words can no longer change: faculty are sent back to its page
    "report_section_edit": (
        lambda w: {"pk": w["report_job"].pk, "key": "summary"},
        rule(403, faculty=302),
    ),
    "report_claim": (
        lambda w: {"pk": w["report_job"].pk, "key": "objective1_recommend"},
        rule(403, faculty=302),
    ),
    "report_release": (lambda w: {"pk": w["report_job"].pk}, rule(405)),
    # Projects: a draft proposal of the supervisor's, and an approved project with the fellow placed on it
    "proposal_list": (None, rule(403, faculty=200, supervisor=200, alumnus=200)),
    "proposal_create": (None, rule(403, faculty=200, supervisor=200, alumnus=200)),
    "proposal_detail": (lambda w: {"ref": w["draft"].ref}, rule(404, faculty=200, supervisor=200)),
    "proposal_update": (lambda w: {"ref": w["draft"].ref}, rule(404, faculty=403, supervisor=200)),
    "proposal_submit": (lambda w: {"ref": w["draft"].ref}, rule(405)),
    "proposal_versions": (
        lambda w: {"ref": w["draft"].ref},
        rule(404, faculty=200, supervisor=200),
    ),
    "review_queue": (None, FACULTY_ONLY),
    "proposal_review": (lambda w: {"ref": w["draft"].ref}, FACULTY_ONLY),
    "checklist": (None, FACULTY_ONLY),
    "checklist_item": (lambda w: {"pk": w["checklist_item"].pk}, FACULTY_ONLY),
    "catalogue": (
        lambda w: {"number": w["cohort"].number},
        rule(403, faculty=200, fellow=200, alumnus=200, supervisor=200),
    ),
    # Asking for the PDF is a POST; its page and its download are open to whoever browses the cohort
    "catalogue_pdf": (
        lambda w: {"number": w["cohort"].number},
        rule(403, faculty=405, fellow=405, alumnus=405, supervisor=405),
    ),
    "catalogue_file": (
        lambda w: {"number": w["cohort"].number, "pk": w["catalogue_file"].pk},
        rule(403, faculty=200, fellow=200, alumnus=200, supervisor=200),
    ),
    "catalogue_file_download": (
        lambda w: {"number": w["cohort"].number, "pk": w["catalogue_file"].pk},
        rule(403, faculty=200, fellow=200, alumnus=200, supervisor=200),
    ),
    "project_overview": (None, FACULTY_ONLY),
    "project_milestones": (
        lambda w: {"ref": w["project"].ref},
        rule(404, faculty=200, fellow=200, supervisor=200),
    ),
    # Matching: the cohort's round has a proposed allocation with the fellow's line on it
    "project_choices": (None, rule(403, fellow=200)),
    "matching_result": (None, rule(403, fellow=200)),
    "fellow_ranking": (
        lambda w: {"number": w["cohort"].number, "pk": w["users"]["supervisor"].pk},
        rule(403, faculty=200, supervisor=200),
    ),
    "matching_list": (None, FACULTY_ONLY),
    "matching_detail": (lambda w: {"number": w["cohort"].number}, FACULTY_ONLY),
    "matching_supervisors": (lambda w: {"number": w["cohort"].number}, FACULTY_ONLY),
    "matching_run": (lambda w: {"number": w["cohort"].number}, rule(405)),
    "matching_allocation": (lambda w: {"number": w["cohort"].number}, FACULTY_ONLY),
    "matching_override": (
        lambda w: {"number": w["cohort"].number, "pk": w["proposed_match"].pk},
        FACULTY_ONLY,
    ),
    "matching_publish": (lambda w: {"number": w["cohort"].number}, rule(405)),
    # Mentoring: the alumnus offers to mentor, the fellow asked; a proposed pair links them
    "my_mentoring": (None, rule(403, fellow=200, alumnus=200)),
    "mentor_offer": (None, rule(403, alumnus=200)),
    "mentor_request": (None, rule(403, fellow=200)),
    "mentoring_list": (None, FACULTY_ONLY),
    "mentoring_cohort": (lambda w: {"number": w["cohort"].number}, FACULTY_ONLY),
    "mentoring_run": (lambda w: {"number": w["cohort"].number}, rule(405)),
    "mentoring_pair_add": (lambda w: {"number": w["cohort"].number}, FACULTY_ONLY),
    "mentoring_pair": (
        lambda w: {"number": w["cohort"].number, "pk": w["mentor_pairing"].pk},
        FACULTY_ONLY,
    ),
    "mentoring_publish": (lambda w: {"number": w["cohort"].number}, rule(405)),
    # Portfolio: the fellow has an entry with evidence and an image poster; the supervisor
    # supervises the fellow's project
    "my_portfolio": (None, rule(403, fellow=302, alumnus=302)),
    "portfolio_list": (None, rule(403, faculty=200, supervisor=200)),
    "poster_gallery": (None, FACULTY_ONLY),
    "testimonial_list": (None, FACULTY_ONLY),
    "portfolio_detail": (
        lambda w: {"ref": w["fellow"].ref},
        rule(404, fellow=200, supervisor=200, faculty=200),
    ),
    "portfolio_pdf": (
        lambda w: {"ref": w["fellow"].ref},
        rule(404, fellow=200, supervisor=200, faculty=200),
    ),
    "entry_create": (
        lambda w: {"ref": w["fellow"].ref},
        rule(404, fellow=200, supervisor=403, faculty=403),
    ),
    "entry_update": (
        lambda w: {"ref": w["fellow"].ref, "pk": w["portfolio_entry"].pk},
        rule(404, fellow=200, supervisor=403, faculty=403),
    ),
    "entry_delete": (
        lambda w: {"ref": w["fellow"].ref, "pk": w["portfolio_entry"].pk},
        rule(404, fellow=200, supervisor=403, faculty=403),
    ),
    "entry_evidence": (
        lambda w: {"ref": w["fellow"].ref, "pk": w["portfolio_entry"].pk},
        rule(404, fellow=200, supervisor=200, faculty=200),
    ),
    "poster_edit": (
        lambda w: {"ref": w["fellow"].ref},
        rule(404, fellow=200, supervisor=403, faculty=403),
    ),
    "poster_file": (
        lambda w: {"ref": w["fellow"].ref},
        rule(404, fellow=200, supervisor=200, faculty=200),
    ),
    "testimonial_edit": (
        lambda w: {"ref": w["fellow"].ref},
        rule(404, fellow=200, supervisor=403, faculty=403),
    ),
    "consent_withdraw": (
        lambda w: {"ref": w["fellow"].ref, "pk": w["consent"].pk},
        rule(404, fellow=200, supervisor=403, faculty=403),
    ),
    # The fellow shows their profile (with a photo) and publishes their poster on the website
    "public_profile_edit": (
        lambda w: {"ref": w["fellow"].ref},
        rule(404, fellow=200, supervisor=403, faculty=403),
    ),
    "public_consent_withdraw": (
        lambda w: {"ref": w["fellow"].ref, "purpose": "profile"},
        rule(404, fellow=200, supervisor=403, faculty=403),
    ),
    # End of portfolio
}
# The public website's pages of portfolio and projects: anyone, signed in or not.
PUBLIC_WEBSITE: dict[str, tuple] = {
    "public_fellows": (None, EVERYONE),
    "public_profile_photo": (lambda w: {"pk": w["public_profile"].pk}, EVERYONE),
    "public_poster_file": (lambda w: {"pk": w["fellow"].poster.pk}, EVERYONE),
    "public_projects": (None, EVERYONE),
}
EXPECTED.update(PUBLIC_WEBSITE)


def our_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.callback.__module__.split(".")[0] in OUR_APPS:
                assert p.name, f"{p.pattern} has no name, so no access rule can name it"
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_pattern_has_an_access_rule():
    names = our_url_names()
    assert names - set(EXPECTED) == set(), "add these URL names to EXPECTED with who may reach them"
    assert set(EXPECTED) - names == set(), "these rules name URLs that no longer exist"


@pytest.fixture
def world(role_users):
    return build_world(role_users)


def build_world(role_users) -> dict:
    """One of everything the pages need; the hostile-input test builds the same world."""
    funder = role_users["funder"].role_grants.get(role=Role.FUNDER).funder
    funder.mou.save("mou.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    cohort = CohortFactory()
    fellow = FellowFactory(cohort=cohort, user=role_users["fellow"], funder=funder)
    alumnus = FellowFactory(
        user=role_users["alumnus"], status=FellowStatus.GRADUATED, cohort=CohortFactory()
    )
    from projects.enums import ProposalStatus
    from projects.models import ChecklistItem, Placement
    from recruitment.models import ApplicationDocument

    from .factories import (
        ApplicationFactory,
        OrganisationFactory,
        ProjectFactory,
        RequiredDocumentFactory,
        RoundFactory,
        complete_proposal,
        submitted,
    )

    rnd = RoundFactory(cohort=cohort)
    application = submitted(ApplicationFactory(round=rnd, applicant=role_users["applicant"]))
    application.approval_token = "a-manager-link-token"
    application.save()
    document = ApplicationDocument(
        application=application, requirement=RequiredDocumentFactory(round=rnd)
    )
    document.file.save("reference.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    from datetime import timedelta

    from django.utils import timezone

    from recruitment.enums import Stage
    from recruitment.models import InterviewPanel, InterviewSlot, Offer, ReviewerAssignment
    from surveys.services import send_panellist_feedback

    from .factories import FundedPostFactory

    assignment = ReviewerAssignment.objects.create(
        application=application, reviewer=role_users["panellist"]
    )
    interview_round = RoundFactory(cohort=cohort)
    interview_application = submitted(
        ApplicationFactory(round=interview_round, applicant=role_users["applicant"])
    )
    interview_application.stage = Stage.SHORTLISTED
    interview_application.save()
    panel = InterviewPanel.objects.create(
        round=interview_round, name="Panel A", date=timezone.localdate()
    )
    panel.members.add(role_users["panellist"])
    start = timezone.now() + timedelta(days=3)
    slot = InterviewSlot.objects.create(
        panel=panel,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        application=interview_application,
    )
    offer_application = submitted(
        ApplicationFactory(round=RoundFactory(cohort=cohort), applicant=role_users["applicant"])
    )
    offer_application.stage = Stage.OFFERED
    offer_application.save()
    offer = Offer.objects.create(
        application=offer_application,
        post=FundedPostFactory(cohort=cohort, region=offer_application.region),
        rank=1,
        made_by=role_users["faculty"],
        respond_by=timezone.now() + timedelta(days=7),
    )
    supervisor = role_users["supervisor"]
    project = complete_proposal(
        ProjectFactory(cohort=cohort, supervisor=supervisor, status=ProposalStatus.APPROVED)
    )
    Placement.objects.create(project=project, fellow=fellow)
    from fellowship.models import MentorPairing
    from projects.enums import MatchingStatus
    from projects.models import MatchingRound, ProposedMatch

    matching = MatchingRound.objects.create(cohort=cohort, status=MatchingStatus.PROPOSED)
    proposed_match = ProposedMatch.objects.create(
        matching=matching, fellow=fellow, project=project, allocated_project=project, choice_rank=1
    )
    mentor_pairing = MentorPairing.objects.create(cohort=cohort, mentor=alumnus, mentee=fellow)
    from fellowship.models import Speaker
    from surveys.enums import QuestionKind
    from surveys.models import Question, Survey

    workshop = WorkshopFactory(cohort=cohort)
    Speaker.objects.create(workshop=workshop, name="Dr Speaker", user=supervisor)
    workshop_survey = Survey.objects.create(
        key="workshop_feedback",
        title="Workshop feedback",
        workshop=workshop,
        cohort=cohort,
        opens_at=timezone.now(),
    )
    Question.objects.create(
        survey=workshop_survey, key="relevance", kind=QuestionKind.AGREEMENT, text="Relevant?"
    )
    # Portfolio: an entry with an evidence file and an image poster of the fellow's ---------------
    from .factories.portfolio import PortfolioEntryFactory, PosterFactory, TestimonialFactory

    portfolio_entry = PortfolioEntryFactory(
        fellow=fellow, kind="certificate", title="Safety case course"
    )
    portfolio_entry.evidence.save("certificate.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    PosterFactory(fellow=fellow)
    consent = TestimonialFactory(fellow=fellow).consents.get()
    from portfolio import publishing
    from portfolio.enums import WebsitePurpose
    from portfolio.models import PublicProfile

    from .factories.portfolio import png_bytes

    public_profile = PublicProfile(fellow=fellow, show_photo=True, photo_kind="png")
    public_profile.photo.save("me.png", ContentFile(png_bytes()), save=False)
    publishing.save_public_profile(public_profile, by=None)
    for purpose in WebsitePurpose:
        publishing.give_website_consent(fellow, purpose, by=None)
    # End of portfolio ------------------------------------------------------------------------
    from reports.enums import ReportState
    from reports.models import ReportJob

    FundedPostFactory(funder=funder, cohort=cohort)
    from django.utils import timezone

    # Released to funders (a draft is the faculty's alone: tests/reports/test_release.py).
    report_job = ReportJob.objects.create(
        cohort=cohort,
        suppress_below=5,
        state=ReportState.DONE,
        progress=100,
        released_at=timezone.now(),
    )
    report_job.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    from projects.models import CatalogueFile

    catalogue_file = CatalogueFile.objects.create(
        cohort=cohort, scope="all", key="k", state="done", expires_at=timezone.now()
    )
    catalogue_file.file.save("catalogue.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    from .fellowship.test_invitations import invite_and_read_token, run_batch_now

    invitation, invitation_token = invite_and_read_token(
        role_users["faculty"], "invited@example.org"
    )
    return {
        "invitation": invitation,
        "invitation_token": invitation_token,
        "invitation_batch": run_batch_now(role_users["faculty"], ["many@example.org"]),
        "report_job": report_job,
        "catalogue_file": catalogue_file,
        "portfolio_entry": portfolio_entry,
        "consent": consent,
        "public_profile": public_profile,
        "workshop_survey": workshop_survey,
        "proposed_match": proposed_match,
        "mentor_pairing": mentor_pairing,
        "draft": ProjectFactory(cohort=cohort, supervisor=supervisor),
        "project": project,
        "checklist_item": ChecklistItem.objects.first(),
        "round": rnd,
        "criterion": rnd.criteria.first(),
        "assignment": assignment,
        "interview_round": interview_round,
        "interview_application": interview_application,
        "panel": panel,
        "slot": slot,
        "offer": offer,
        "panellist_survey": send_panellist_feedback(interview_round, by=None)[0],
        "application": application,
        "document": document,
        "token": application.approval_token,
        "users": role_users,
        "cohort": cohort,
        "funder": funder,
        "other_funder": FunderFactory(),
        "fellow": fellow,
        "workshop": workshop,
        "organisation": OrganisationFactory(),
        "grant": role_users["applicant"].role_grants.get(role=Role.APPLICANT),
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_url_access_by_role(name, world, client, login):
    build, expected = EXPECTED[name]
    url = reverse(name, kwargs=build(world) if build else None)
    actual = {}
    for role in ROLES:
        c = client if role == "anonymous" else login(world["users"][role])
        actual[role] = c.get(url).status_code
    assert actual == expected


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(reverse("fellow_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_funder_cannot_see_another_funders_page_or_mou(world, login):
    other = world["other_funder"]
    other.mou.save("other.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    c = login(world["users"]["funder"])
    assert c.get(reverse("funder_detail", args=[other.pk])).status_code == 404
    assert c.get(reverse("funder_mou", args=[other.pk])).status_code == 404


def test_fellow_cannot_see_another_fellows_record(world, login):
    other = FellowFactory(cohort=world["cohort"])
    assert (
        login(world["users"]["fellow"]).get(reverse("fellow_detail", args=[other.pk])).status_code
        == 404
    )
