"""Live demo data for recruitment: an open round for the next cohort, a draft and a submission;
and a closed round for the same cohort taken through the whole selection process: reviewers
(with a same-employer conflict), scores, a moderated score, the shortlist, interview panels with
independent scores and agreed scores, and a pending offer.

Built through the same services the pages use. Called by `manage.py load_demo`.
"""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from fellowship.enums import Profession, Role
from fellowship.management.commands.load_demo import DEMO_PASSWORD, DOMAIN
from fellowship.models import Cohort, FundedPost, Funder, Region, RoleGrant, User

from . import interviews, offers, services, shortlisting
from .enums import ApprovalMethod, RegistrationBody
from .models import (
    Criterion,
    Eligibility,
    InterviewPanel,
    RecruitmentRound,
    ReviewerAssignment,
    Statement,
)

CRITERIA = [
    (
        "Motivation and fit",
        "Why you want to join the fellowship now, and how it fits your career and your organisation's plans for AI.",
        "4: specific, credible plan linking the fellowship to service need; 2: general interest; 0: not addressed.",
    ),
    (
        "Leadership and change",
        "A time you led a change in clinical practice or services: what you did, who you worked with, what changed.",
        "4: led multidisciplinary change with measured results; 2: took part in change; 0: no example.",
    ),
    (
        "Understanding of clinical AI",
        "Your understanding of what it takes to deploy and evaluate an AI technology safely in a live clinical setting.",
        "4: names risks, evaluation and governance concretely; 2: general awareness; 0: not addressed.",
    ),
    (
        "Collaboration and communication",
        "How you work with people from other professions and disciplines, such as data scientists and managers.",
        "4: clear examples across disciplines; 2: within own profession; 0: not addressed.",
    ),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_demo() -> list[str]:
    latest = Cohort.objects.order_by("-number").first()
    number = latest.number + 1 if latest else 1
    start = (
        (latest.end_date + datetime.timedelta(days=1))
        if latest and latest.end_date
        else datetime.date(2027, 9, 1)
    )
    cohort = Cohort.objects.create(
        number=number,
        start_date=start,
        end_date=start.replace(year=start.year + 1) - datetime.timedelta(days=1),
    )

    now = timezone.localtime()
    closes = (now + datetime.timedelta(days=20)).replace(hour=12, minute=0, second=0, microsecond=0)
    rnd = RecruitmentRound.objects.create(
        cohort=cohort,
        name=f"{cohort} national recruitment",
        opens_at=now - datetime.timedelta(days=10),
        closes_at=closes,
        guidance="One application portal, one deadline and the same criteria in every region.",
    )
    for position, (title, description, guidance) in enumerate(CRITERIA, start=1):
        Criterion.objects.create(
            round=rnd,
            position=position,
            title=title,
            description=description,
            scoring_guidance=guidance,
            word_limit=250,
        )

    regions = (
        list(Region.objects.filter(fellows__cohort=latest).distinct())
        if latest
        else list(Region.objects.all())
    )
    main_funder = Funder.objects.filter(name="NHS England WTE").first() or Funder.objects.first()
    haematology = Funder.objects.filter(name__icontains="Haematology").first()
    for region in regions:
        FundedPost.objects.create(funder=main_funder, cohort=cohort, region=region, places=3)
        Eligibility.objects.create(round=rnd, region=region, profession=Profession.MEDICINE)
    london = next((r for r in regions if r.name == "London"), regions[0])
    if haematology:
        FundedPost.objects.create(
            funder=haematology,
            cohort=cohort,
            region=london,
            places=2,
            specialty_theme="Haematology",
        )
    for profession in (Profession.PHARMACY, Profession.AHP, Profession.NURSING):
        Eligibility.objects.create(
            round=rnd, region=london, profession=profession, sponsor=main_funder
        )

    draft_owner = User.objects.get(email="applicant1@fellowship.example")
    draft = services.start_application(rnd, by=draft_owner)
    draft.profession, draft.registration_body, draft.registration_number = (
        Profession.MEDICINE,
        RegistrationBody.GMC,
        "7654321",
    )
    draft.grade, draft.region, draft.employer = (
        "ST6",
        london,
        "Northgate University Hospitals NHS Foundation Trust",
    )
    services.save_draft(draft, step="eligibility")

    submitter = User.objects.get(email="applicant2@fellowship.example")
    application = services.start_application(rnd, by=submitter)
    application.profession, application.registration_body, application.registration_number = (
        Profession.PHARMACY,
        RegistrationBody.GPHC,
        "2071234",
    )
    application.grade, application.region, application.employer = (
        "Band 8a",
        london,
        "St Aldhelm's NHS Foundation Trust",
    )
    application.approval_method = ApprovalMethod.UPLOAD
    application.approval_form.save("approval.pdf", ContentFile(PDF), save=False)
    application.cv.save("cv.pdf", ContentFile(PDF), save=False)
    application.declaration_agreed = True
    services.save_draft(application, step="review")
    for criterion in rnd.criteria.all():
        Statement.objects.create(
            application=application,
            criterion=criterion,
            text=f"My experience of {criterion.title.lower()} in pharmacy services.",
        )
    services.submit_application(application, by=submitter)
    notes = [
        f"\nOpen recruitment round: {rnd.name}, closing {timezone.localtime(closes):%-d %B %Y %H:%M %Z}"
    ]
    return notes + _closed_round(cohort, regions, london, now=now) + _equality_access()


# The closed round ------------------------------------------------------------------------------

# panellist1 works for this organisation, so the demo records a same-employer conflict with candidate8.
CONFLICT_EMPLOYER = "Fenwick Vale NHS Foundation Trust"

# (e-mail local part, name, region ("london" or "other"), grade, specialty, employer,
#  panellist1's and panellist2's shortlisting scores per criterion (None: not scored yet)).
CANDIDATES = [
    ("candidate1", "Amara Oduya-Clarke", "london", "ST5", "Radiology", "Riverside Royal Hospital NHS Trust", [4, 4, 3], [4, 3, 4]),
    ("candidate2", "Joel Haverford", "other", "ST7", "Cardiology", "Moorcroft Teaching Hospitals NHS Trust", [3, 4, 3], [4, 3, 3]),
    ("candidate3", "Priya Sandhu-Lowe", "london", "ST6", "Haematology", "Kingsmere Health NHS Foundation Trust", [3, 3, 4], [3, 4, 3]),
    ("candidate4", "Tomasz Wierzbicki", "other", "ST4", "Emergency medicine", "Harbour Point NHS Trust", [3, 3, 3], [3, 3, 2]),
    ("candidate5", "Leona Achterberg", "london", "Consultant", "Psychiatry", "Eastbridge Mental Health NHS Trust", [3, 2, 3], [2, 3, 3]),
    ("candidate6", "Felix Nwachukwu", "london", "ST3", "General practice", "Greyfriars Primary Care Network", [2, 4, 2], [2, 1, 2]),
    ("candidate7", "Rosalind Kerrigan", "other", "ST5", "Anaesthetics", "Moorcroft Teaching Hospitals NHS Trust", [2, 2, 3], None),
    ("candidate8", "Bethan Morgan-Ashby", "other", "ST6", "Oncology", CONFLICT_EMPLOYER, None, [2, 2, 2]),
]  # fmt: skip
SHORTLISTED = 5  # the first five are shortlisted
# Interview scores per criterion by panellist1 and panellist2 (None: not scored yet), and the
# scores the panel agreed (None: not agreed yet), for the candidates on panel A, in slot order.
INTERVIEWS = [
    ([4, 3, 4], [4, 4, 3], [4, 3, 4]),
    ([3, 4, 3], [3, 3, 3], [3, 4, 3]),
    ([3, 3, 4], [2, 3, 3], None),
    ([3, 2, 3], None, None),
]


def _candidate(local: str, name: str, password: str) -> User:
    email = f"{local}@{DOMAIN}"
    user = User.objects.create_user(email, None, full_name=name)
    user.password = password
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    RoleGrant.objects.create(user=user, role=Role.APPLICANT)
    return user


def _closed_round(cohort: Cohort, regions: list[Region], london: Region, *, now) -> list[str]:
    """A round for the same cohort that closed a week ago, taken up to a pending offer."""
    closes = (now - datetime.timedelta(days=7)).replace(hour=12, minute=0, second=0, microsecond=0)
    rnd = RecruitmentRound.objects.create(
        cohort=cohort,
        name=f"{cohort} international pilot round",
        opens_at=closes - datetime.timedelta(days=42),
        closes_at=closes,
        guidance="A pilot round for doctors trained outside the UK, with the same criteria.",
        appointable_score=7,
    )
    criteria = [
        Criterion.objects.create(
            round=rnd,
            position=position,
            title=title,
            description=description,
            scoring_guidance=guidance,
            word_limit=250,
        )
        for position, (title, description, guidance) in enumerate(CRITERIA[:3], start=1)
    ]
    other = next((r for r in regions if r != london), london)
    for region in {london, other}:
        Eligibility.objects.create(round=rnd, region=region, profession=Profession.MEDICINE)

    people = {
        u.email.split("@")[0]: u
        for u in User.objects.filter(
            email__in=[f"{p}@{DOMAIN}" for p in ("panellist1", "panellist2", "faculty1")]
        )
    }
    panellist1, panellist2, faculty = people["panellist1"], people["panellist2"], people["faculty1"]
    panellist1.organisation = CONFLICT_EMPLOYER
    panellist1.save(update_fields=["organisation"])

    # Eight candidates apply, each finishing their draft and submitting before the deadline.
    password = make_password(DEMO_PASSWORD)
    applications = []
    for i, (local, name, where, grade, specialty, employer, *_) in enumerate(CANDIDATES):
        user = _candidate(local, name, password)
        at = closes - datetime.timedelta(days=len(CANDIDATES) - i, hours=3)
        application = services.start_application(rnd, by=user, now=at)
        application.profession = Profession.MEDICINE
        application.registration_body = RegistrationBody.GMC
        application.registration_number = f"71{i + 1:05d}"
        application.grade, application.specialty, application.employer = grade, specialty, employer
        application.region = london if where == "london" else other
        application.approval_method = ApprovalMethod.UPLOAD
        application.approval_form.save("approval.pdf", ContentFile(PDF), save=False)
        application.cv.save("cv.pdf", ContentFile(PDF), save=False)
        application.declaration_agreed = True
        services.save_draft(application, step="review", now=at)
        services.save_statements(
            application,
            {c.pk: f"My experience of {c.title.lower()} in {specialty.lower()}." for c in criteria},
            now=at,
        )
        applications.append(services.submit_application(application, by=user, now=at))

    # Shortlisting: the panellists review; panellist1's conflict sends candidate8 to faculty1.
    first = shortlisting.assign_reviewers(rnd, [panellist1, panellist2], by=faculty)
    shortlisting.assign_reviewers(rnd, [faculty], by=faculty)
    for application, (*_, first_scores, second_scores) in zip(
        applications, CANDIDATES, strict=True
    ):
        third = [3, 2, 2] if first_scores is None else None
        for reviewer, scores in (
            (panellist1, first_scores),
            (panellist2, second_scores),
            (faculty, third),
        ):
            if scores is None:
                continue
            assignment = ReviewerAssignment.objects.get(application=application, reviewer=reviewer)
            shortlisting.save_scores(
                assignment,
                {c.pk: (score, "") for c, score in zip(criteria, scores, strict=True)},
                by=reviewer,
            )
    flagged = applications[5]
    shortlisting.moderate(
        flagged,
        criteria[1],
        score=2,
        reason="The example is of taking part in a change led by others; the guidance gives 2.",
        by=faculty,
    )
    report = shortlisting.make_shortlist(rnd, applications[:SHORTLISTED], by=faculty)

    # Interviews: panel A met two days ago; panel B has free slots next week for the last one.
    panel = interviews.save_panel(
        InterviewPanel(
            round=rnd,
            name="Panel A",
            date=(now - datetime.timedelta(days=2)).date(),
            video_link="https://meet.fellowship.example/panel-a",
        ),
        [panellist1, panellist2],
        by=faculty,
    )
    slots = interviews.add_slots(panel, start=datetime.time(9, 30), count=5, minutes=40, gap=10)
    later = interviews.save_panel(
        InterviewPanel(
            round=rnd,
            name="Panel B",
            date=(now + datetime.timedelta(days=6)).date(),
            location="Room 2.14, Wellcome House, London",
        ),
        [panellist1, panellist2],
        by=faculty,
    )
    interviews.add_slots(later, start=datetime.time(10, 0), count=3, minutes=40, gap=10)
    shortlisted = list(
        rnd.applications.filter(pk__in=[a.pk for a in applications[:SHORTLISTED]]).order_by("pk")
    )
    for slot, application in zip(slots, shortlisted[: len(INTERVIEWS)], strict=False):
        interviews.allocate(slot, application, by=faculty)
    interviews.send_invitations(panel, by=faculty, now=closes + datetime.timedelta(days=1))
    for slot, (first_scores, second_scores, agreed) in zip(slots, INTERVIEWS, strict=False):
        for panellist, scores in ((panellist1, first_scores), (panellist2, second_scores)):
            if scores is not None:
                interviews.save_scores(
                    slot,
                    {c.pk: (score, "") for c, score in zip(criteria, scores, strict=True)},
                    by=panellist,
                )
        if agreed is not None:
            interviews.record_consensus(
                slot,
                {c.pk: (score, "") for c, score in zip(criteria, agreed, strict=True)},
                by=panellist1,
            )

    # Offers: the top candidate in London is offered the region's post and has a week to reply.
    post = FundedPost.objects.filter(cohort=cohort, region=london, specialty_theme="").first()
    offer = offers.make_offer(shortlisted[0], post, by=faculty)
    return [
        f"\nClosed recruitment round: {rnd.name}, closed {timezone.localtime(closes):%-d %B %Y}: "
        f"{len(applications)} applications (candidate1–{len(applications)}@{DOMAIN}), reviewed by "
        f"panellist1 and panellist2 ({first.conflicts_recorded} same-employer conflict recorded, "
        f"so faculty1 reviewed instead), one score moderated; {report.shortlisted} shortlisted; "
        f"{panel.name} interviewed {len(INTERVIEWS)} with agreed scores for "
        f"{sum(1 for *_, agreed in INTERVIEWS if agreed)}; an offer to "
        f"{offer.application.applicant.full_name} ({offer.application.applicant.email}) waits for "
        f"a reply by {timezone.localtime(offer.respond_by):%-d %B %Y}."
    ]


def _equality_access() -> list[str]:
    """faculty1 may see equality monitoring and give access to it; faculty2 may do neither.

    The first person who manages access is set up by whoever runs the service (here, directly),
    as a superuser would in the admin; after that access is given on the people page.
    """
    from django.contrib.auth.models import Permission

    from .rules import EQUALITY_PERMISSION, MANAGE_EQUALITY_ACCESS

    faculty1 = User.objects.get(email=f"faculty1@{DOMAIN}")
    for name in (EQUALITY_PERMISSION, MANAGE_EQUALITY_ACCESS):
        app_label, codename = name.split(".")
        faculty1.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return [
        "\nEquality monitoring: faculty1 can see the figures and give access to them on the people "
        "page; faculty2 can do neither (and cannot give it to themselves)."
    ]
