"""Live demo data for recruitment: an open round for the next cohort, a draft and a submission.

Built through the same services the pages use. Called by `manage.py load_demo`.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from fellowship.enums import Profession
from fellowship.models import Cohort, FundedPost, Funder, Region, User

from . import services
from .enums import ApprovalMethod, RegistrationBody
from .models import Criterion, Eligibility, RecruitmentRound, Statement

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
    start = (latest.end_date + datetime.timedelta(days=1)) if latest and latest.end_date else datetime.date(2027, 9, 1)
    cohort = Cohort.objects.create(number=number, start_date=start, end_date=start.replace(year=start.year + 1) - datetime.timedelta(days=1))

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
        Criterion.objects.create(round=rnd, position=position, title=title, description=description, scoring_guidance=guidance, word_limit=250)

    regions = list(Region.objects.filter(fellows__cohort=latest).distinct()) if latest else list(Region.objects.all())
    main_funder = Funder.objects.filter(name="NHS England WTE").first() or Funder.objects.first()
    haematology = Funder.objects.filter(name__icontains="Haematology").first()
    for region in regions:
        FundedPost.objects.create(funder=main_funder, cohort=cohort, region=region, places=3)
        Eligibility.objects.create(round=rnd, region=region, profession=Profession.MEDICINE)
    london = next((r for r in regions if r.name == "London"), regions[0])
    if haematology:
        FundedPost.objects.create(funder=haematology, cohort=cohort, region=london, places=2, specialty_theme="Haematology")
    for profession in (Profession.PHARMACY, Profession.AHP, Profession.NURSING):
        Eligibility.objects.create(round=rnd, region=london, profession=profession, sponsor=main_funder)

    draft_owner = User.objects.get(email="applicant1@fellowship.example")
    draft = services.start_application(rnd, by=draft_owner)
    draft.profession, draft.registration_body, draft.registration_number = Profession.MEDICINE, RegistrationBody.GMC, "7654321"
    draft.grade, draft.region, draft.employer = "ST6", london, "Northgate University Hospitals NHS Foundation Trust"
    services.save_draft(draft, step="eligibility")

    submitter = User.objects.get(email="applicant2@fellowship.example")
    application = services.start_application(rnd, by=submitter)
    application.profession, application.registration_body, application.registration_number = Profession.PHARMACY, RegistrationBody.GPHC, "2071234"
    application.grade, application.region, application.employer = "Band 8a", london, "St Aldhelm's NHS Foundation Trust"
    application.approval_method = ApprovalMethod.UPLOAD
    application.approval_form.save("approval.pdf", ContentFile(PDF), save=False)
    application.cv.save("cv.pdf", ContentFile(PDF), save=False)
    application.declaration_agreed = True
    services.save_draft(application, step="review")
    for criterion in rnd.criteria.all():
        Statement.objects.create(application=application, criterion=criterion, text=f"My experience of {criterion.title.lower()} in pharmacy services.")
    services.submit_application(application, by=submitter)
    return [f"\nOpen recruitment round: {rnd.name}, closing {timezone.localtime(closes):%-d %B %Y %H:%M %Z}"]
