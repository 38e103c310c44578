"""Live demo data for projects: proposals in each state for the next cohort, and milestones on a
running project. Built through the same services the pages use. Called by `manage.py load_demo`.
"""

from __future__ import annotations

from fellowship.models import Cohort, CurriculumTheme, Organisation, Region, User

from . import services
from .enums import AIModality, Answer, Decision, MilestoneStatus, RegulatoryStatus
from .models import ChecklistItem, ClinicalDomain, EducationalAim, Hazard, Milestone, Project

MILESTONES = [
    (2, "Baseline audit of current pathway", "Audit report"),
    (4, "Clinical safety case drafted with the CSO", "Hazard log and safety case"),
    (7, "Silent-mode deployment and local validation", "Validation report"),
    (11, "Evaluation write-up and graduation poster", "Poster and summary for the trust board"),
]


def _proposal(supervisor: User, cohort: Cohort, title: str, domain: str, region: Region) -> Project:
    project = Project.objects.create(
        cohort=cohort,
        supervisor=supervisor,
        supervisor_name=supervisor.full_name,
        title=title,
        host_organisation=Organisation.objects.filter(region=region).first() or Organisation.objects.first(),
        region=region,
        clinical_domain=ClinicalDomain.objects.get(name=domain),
        ai_modality=AIModality.IMAGING,
        summary="Evaluate a commercial AI tool in live use and measure its effect on the pathway.",
        clinical_problem="Reporting backlogs delay diagnosis for urgent patients.",
        ai_product="TriageView (fictional)",
        ai_supplier="Invented Imaging Ltd",
        regulatory_status=RegulatoryStatus.UKCA_IIA,
        evidence="Retrospective validation on 10,000 studies at two sites.",
        deployment_setting="Emergency department and radiology reporting rooms.",
        data_description="Pseudonymised images and reports, under a DPIA.",
        clinical_safety_officer="Dr Ione Castell (CSO)",
        ig_lead="Pat Rowe, IG manager",
        technical_lead="Dev Anand, PACS lead",
        data_access="Trusted research environment with approvals in place.",
        compute="Supplier-hosted inference; local analytics workstation.",
        funding="Supplier licence funded by the trust's AI programme.",
        protected_time="Supervisor: 2 hours a week.",
        capacity=2,
    )
    Hazard.objects.create(
        project=project, hazard="Missed urgent finding", cause="False negative", effect="Delayed treatment",
        severity=4, likelihood=2, mitigation="All studies still reported by a radiologist; weekly discrepancy audit.",
    )  # fmt: skip
    EducationalAim.objects.create(project=project, theme=CurriculumTheme.objects.get(key="validation_evaluation"), aim="Design and run a local validation.")
    EducationalAim.objects.create(project=project, theme=CurriculumTheme.objects.get(key="regulation_standards"), aim="Write a DCB0160 safety case.")
    for month, title_, deliverable in MILESTONES:
        Milestone.objects.create(project=project, target_month=month, title=title_, deliverable=deliverable)
    return project


def build_demo() -> list[str]:
    cohort = Cohort.objects.order_by("-number").first()
    london = Region.objects.get(name="London")
    supervisor1 = User.objects.get(email="supervisor1@fellowship.example")
    supervisor2 = User.objects.get(email="supervisor2@fellowship.example")
    faculty = User.objects.get(email="faculty1@fellowship.example")

    _proposal(supervisor1, cohort, "AI triage of chest X-rays in the emergency department", "Radiology", london)
    submitted = _proposal(supervisor2, cohort, "Predicting deterioration on haematology wards", "Haematology", london)
    services.submit_proposal(submitted, by=supervisor2)
    revised = _proposal(supervisor2, cohort, "Auto-contouring for head and neck radiotherapy", "Oncology", london)
    services.submit_proposal(revised, by=supervisor2)
    answers = {item.pk: (Answer.MET, "") for item in ChecklistItem.objects.filter(active=True)}
    first_item = next(iter(answers))
    answers[first_item] = (Answer.NOT_MET, "The hazard log needs the failure mode when the supplier's service is down.")
    services.record_review(revised, by=faculty, answers=answers, decision=Decision.REVISE, comments="Nearly there.")

    # The demo fellow's running project gets milestones to update during the year.
    fellow = User.objects.get(email="fellow1@fellowship.example")
    running = Project.objects.filter(placements__fellow__user=fellow).first()
    if running is not None:
        running.supervisor = supervisor1
        running.save(update_fields=["supervisor"])
        for month, title_, deliverable in MILESTONES:
            Milestone.objects.get_or_create(project=running, title=title_, defaults={"target_month": month, "deliverable": deliverable})
        running.milestones.filter(target_month=2).update(status=MilestoneStatus.DONE)
    return [f"Project proposals for {cohort}: one draft, one submitted, one sent back for revision"]
