"""Live demo data for projects: proposals in each state for the next cohort, milestones on a
running project, and a matching of incoming fellows to approved projects that faculty can run,
review and publish. Built through the same services the pages use. Called by `manage.py load_demo`.
"""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from fellowship.enums import Profession
from fellowship.models import Cohort, CurriculumTheme, Organisation, Region, User
from fellowship.services import appoint_fellow

from . import matching, services
from .enums import AIModality, Answer, Decision, MilestoneStatus, ProposalStatus, RegulatoryStatus
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
        host_organisation=Organisation.objects.filter(region=region).first()
        or Organisation.objects.first(),
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
    EducationalAim.objects.create(
        project=project,
        theme=CurriculumTheme.objects.get(key="validation_evaluation"),
        aim="Design and run a local validation.",
    )
    EducationalAim.objects.create(
        project=project,
        theme=CurriculumTheme.objects.get(key="regulation_standards"),
        aim="Write a DCB0160 safety case.",
    )
    for month, title_, deliverable in MILESTONES:
        Milestone.objects.create(
            project=project, target_month=month, title=title_, deliverable=deliverable
        )
    return project


def build_demo() -> list[str]:
    cohort = Cohort.objects.order_by("-number").first()
    london = Region.objects.get(name="London")
    supervisor1 = User.objects.get(email="supervisor1@fellowship.example")
    supervisor2 = User.objects.get(email="supervisor2@fellowship.example")
    faculty = User.objects.get(email="faculty1@fellowship.example")
    if cohort.proposals_close_at is None:
        # Proposals for the cohort recruiting now close in six weeks, at 17:00 UK time.
        day = timezone.localdate() + datetime.timedelta(weeks=6)
        cohort.proposals_close_at = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(17, 0))
        )
        cohort.save(update_fields=["proposals_close_at"])

    _proposal(
        supervisor1,
        cohort,
        "AI triage of chest X-rays in the emergency department",
        "Radiology",
        london,
    )
    submitted = _proposal(
        supervisor2, cohort, "Predicting deterioration on haematology wards", "Haematology", london
    )
    services.submit_proposal(submitted, by=supervisor2)
    revised = _proposal(
        supervisor2, cohort, "Auto-contouring for head and neck radiotherapy", "Oncology", london
    )
    services.submit_proposal(revised, by=supervisor2)
    answers = {item.pk: (Answer.MET, "") for item in ChecklistItem.objects.filter(active=True)}
    first_item = next(iter(answers))
    answers[first_item] = (
        Answer.NOT_MET,
        "The hazard log needs the failure mode when the supplier's service is down.",
    )
    services.record_review(
        revised, by=faculty, answers=answers, decision=Decision.REVISE, comments="Nearly there."
    )

    # The demo fellow's running project gets milestones to update during the year.
    fellow = User.objects.get(email="fellow1@fellowship.example")
    running = Project.objects.filter(placements__fellow__user=fellow).first()
    if running is not None:
        running.supervisor = supervisor1
        running.save(update_fields=["supervisor"])
        for month, title_, deliverable in MILESTONES:
            Milestone.objects.get_or_create(
                project=running,
                title=title_,
                defaults={"target_month": month, "deliverable": deliverable},
            )
        running.milestones.filter(target_month=2).update(status=MilestoneStatus.DONE)
    notes = [
        f"Project proposals for {cohort}: one draft, one submitted, one sent back for revision"
    ]
    notes.append(_matching_demo(cohort, london, supervisor1, supervisor2, faculty))
    return notes


# (e-mail local part, invented name, region, profession, post theme, projects ranked by title key)
# (e-mail local part, name, region, profession, funded post's theme, clinical specialty, projects ranked)
INCOMING = [
    (
        "incoming1",
        "Priya Raman-Holt",
        "London",
        Profession.MEDICINE,
        "",
        "Emergency Medicine",
        ["sepsis", "eye"],
    ),
    (
        "incoming2",
        "Tomasz Wilkes",
        "London",
        Profession.NURSING,
        "",
        "Ophthalmology",
        ["eye", "sepsis"],
    ),
    (
        "incoming3",
        "Nia Adebayo-Grant",
        "London",
        Profession.MEDICINE,
        "Haematology",
        "Haematology",
        ["blood"],
    ),
    (
        "incoming4",
        "Felix Ashdown",
        "London",
        Profession.PHARMACY,
        "",
        "Oncology",
        ["eye", "blood", "sepsis"],
    ),
    (
        "incoming5",
        "Rosa Delacourt",
        "North West",
        Profession.AHP,
        "",
        "Radiology",
        ["referrals", "noshow"],
    ),
    ("incoming6", "Callum Strachan", "North West", Profession.MEDICINE, "", "Cardiology", []),
]
# (key, supervisor number, title, domain, region, capacity, funder theme)
MATCHING_PROJECTS = [
    (
        "sepsis",
        1,
        "Sepsis early warning in the emergency department",
        "Emergency Medicine",
        "London",
        2,
        "",
    ),
    ("eye", 1, "Triage of diabetic eye screening images", "Ophthalmology", "London", 1, ""),
    ("noshow", 1, "Predicting missed outpatient appointments", "Operational", "North West", 1, ""),
    ("blood", 2, "AI-assisted blood film review", "Haematology", "London", 1, "Haematology"),
    ("referrals", 2, "Language-model triage of GP referrals", "Primary Care", "North West", 2, ""),
]


def _approve(project: Project, reviewers: list[User]) -> None:
    services.submit_proposal(project, by=project.supervisor)
    answers = {item.pk: (Answer.MET, "") for item in ChecklistItem.objects.filter(active=True)}
    for reviewer in reviewers:
        project.refresh_from_db()
        if project.status == ProposalStatus.APPROVED:
            break
        services.record_review(project, by=reviewer, answers=answers, decision=Decision.APPROVED)


def _matching_demo(
    cohort: Cohort, london: Region, supervisor1: User, supervisor2: User, faculty: User
) -> str:
    """Six incoming fellows, five approved projects in London and the North West, rankings by five
    fellows and by supervisor1: faculty1 can run, review and publish the matching."""
    from fellowship.management.commands.load_demo import DEMO_PASSWORD

    regions = {"London": london, "North West": Region.objects.get_or_create(name="North West")[0]}
    reviewers = list(
        User.objects.filter(
            email__in=["faculty1@fellowship.example", "faculty2@fellowship.example"]
        ).order_by("email")
    )
    supervisors = {1: supervisor1, 2: supervisor2}
    projects = {}
    for key, number, title, domain, region, capacity, theme in MATCHING_PROJECTS:
        ClinicalDomain.objects.get_or_create(name=domain)
        project = _proposal(supervisors[number], cohort, title, domain, regions[region])
        project.capacity = capacity
        project.funder_theme = theme
        project.save(update_fields=["capacity", "funder_theme"])
        _approve(project, reviewers)
        projects[key] = project

    rnd = matching.open_matching(cohort, by=faculty)
    matching.update_settings(
        rnd,
        ranking_closes_at=timezone.now() + datetime.timedelta(days=14),
        themed_posts_any_project=False,
        by=faculty,
    )
    fellows = {}
    for n, (local, name, region, profession, theme, specialty, ranked) in enumerate(
        INCOMING, start=1
    ):
        email = f"{local}@fellowship.example"
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        fellow = appoint_fellow(
            user, cohort=cohort, ref=f"C{cohort.number}-IN-{n:02d}", region=regions[region], profession=profession,
            specialty=specialty, post_theme=theme, by=faculty,
        )  # fmt: skip
        if ranked:
            matching.save_choices(fellow, [projects[k].pk for k in ranked], by=user)
        fellows[local] = fellow
    matching.set_supervisor_capacity(rnd, supervisor1, 3, by=faculty)
    order = ["incoming4", "incoming1", "incoming2", "incoming5"]
    matching.save_fellow_ranking(rnd, supervisor1, [fellows[k].pk for k in order], by=supervisor1)
    return (
        f"Matching for {cohort}: 5 approved projects in London and the North West; 6 incoming fellows "
        "(incoming1–6@fellowship.example, same password), 5 of whom ranked projects; supervisor1 ranked "
        "their fellows. Sign in as faculty1 to run, review and publish it."
    )
