import factory

from projects.enums import AIModality, ProposalStatus, RegulatoryStatus
from projects.models import ClinicalDomain, EducationalAim, Hazard, Milestone, Project

from .fellowship import CohortFactory, OrganisationFactory, RegionFactory, UserFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    """A draft proposal with only a title; use complete_proposal() to fill the template."""

    class Meta:
        model = Project

    cohort = factory.SubFactory(CohortFactory)
    supervisor = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"AI project {n}")
    status = ProposalStatus.DRAFT


def complete_proposal(project: Project) -> Project:
    """Fill every required part of the standard template."""
    from fellowship.models import CurriculumTheme

    project.host_organisation = OrganisationFactory()
    project.region = project.region or RegionFactory()
    project.clinical_domain = ClinicalDomain.objects.get_or_create(name="Radiology")[0]
    project.ai_modality = AIModality.IMAGING
    for name in (
        "summary",
        "clinical_problem",
        "deployment_setting",
        "data_description",
        "data_access",
        "protected_time",
    ):
        setattr(project, name, f"The {name.replace('_', ' ')}.")
    project.ai_product = "ChestScan"
    project.regulatory_status = RegulatoryStatus.UKCA_IIA
    project.clinical_safety_officer = "Dr Safety"
    project.ig_lead = "Ms Governance"
    project.technical_lead = "Mr Technical"
    project.save()
    Hazard.objects.create(
        project=project,
        hazard="Missed finding",
        cause="Model error",
        effect="Delayed diagnosis",
        severity=3,
        likelihood=2,
        mitigation="Radiologist reads every image",
    )
    EducationalAim.objects.create(
        project=project, theme=CurriculumTheme.objects.first(), aim="Evaluate a deployed model"
    )
    Milestone.objects.create(
        project=project, title="Baseline audit", target_month=3, deliverable="Audit report"
    )
    return project


# Matching -----------------------------------------------------------------------------------------


class ApprovedProjectFactory(ProjectFactory):
    """An approved project in a region, with one place (the catalogue's minimum for matching)."""

    status = ProposalStatus.APPROVED
    region = factory.SubFactory(RegionFactory)
    capacity = 1


class MatchingRoundFactory(factory.django.DjangoModelFactory):
    """A cohort's matching, open for ranking with no deadline."""

    class Meta:
        model = "projects.MatchingRound"

    cohort = factory.SubFactory(CohortFactory)
