import datetime

import factory
from django.utils import timezone

from fellowship.enums import Profession
from recruitment.enums import ApprovalMethod, RegistrationBody, Stage
from recruitment.models import (
    Application,
    Criterion,
    Eligibility,
    RecruitmentRound,
    RequiredDocument,
    Statement,
)

from .fellowship import CohortFactory, RegionFactory, UserFactory


class RoundFactory(factory.django.DjangoModelFactory):
    """An open round: opened a week ago, closes in a week."""

    class Meta:
        model = RecruitmentRound

    cohort = factory.SubFactory(CohortFactory)
    name = factory.LazyAttribute(lambda o: f"{o.cohort} recruitment")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    round = factory.SubFactory(RoundFactory)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    description = "Show how you have led change."
    scoring_guidance = "0 none, 1 weak, 2 fair, 3 good, 4 excellent"
    word_limit = 50


class EligibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Eligibility

    round = factory.SubFactory(RoundFactory)
    region = factory.SubFactory(RegionFactory)
    profession = Profession.MEDICINE


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    round = factory.SubFactory(RoundFactory)
    name = "Reference letter"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft with nothing filled in."""

    class Meta:
        model = Application

    round = factory.SubFactory(RoundFactory)
    applicant = factory.SubFactory(UserFactory)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def complete_draft(application: Application, *, region=None) -> Application:
    """Fill every step of a draft so that it can be submitted (eligibility, statements, CV, approval)."""
    from django.core.files.base import ContentFile

    rnd = application.round
    region = region or RegionFactory()
    Eligibility.objects.get_or_create(round=rnd, region=region, profession=Profession.MEDICINE)
    if not rnd.criteria.exists():
        CriterionFactory(round=rnd)
    application.profession = Profession.MEDICINE
    application.registration_body = RegistrationBody.GMC
    application.registration_number = "1234567"
    application.grade = "ST5"
    application.region = region
    application.employer = "Northgate University Hospitals NHS Foundation Trust"
    application.approval_method = ApprovalMethod.UPLOAD
    application.approval_form.save("approval.pdf", ContentFile(PDF), save=False)
    application.cv.save("cv.pdf", ContentFile(PDF), save=False)
    application.declaration_agreed = True
    application.save()
    for criterion in rnd.criteria.all():
        Statement.objects.update_or_create(
            application=application,
            criterion=criterion,
            defaults={"text": "I led a quality improvement project."},
        )
    return application


def submitted(application: Application | None = None, **kwargs) -> Application:
    application = application or ApplicationFactory(**kwargs)
    complete_draft(application)
    application.stage = Stage.SUBMITTED
    application.furthest_stage = Stage.SUBMITTED
    application.submitted_at = timezone.now()
    application.save()
    return application
