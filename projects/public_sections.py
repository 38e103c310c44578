"""What the public website says about projects: how many are approved, the sections of the
proposal template, and the active points of the quality checklist. Read-only; registered through
fellowship.hooks, so the core never queries projects."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from fellowship.hooks import public_section
from fellowship.models import Cohort

from .enums import ChecklistGroup, ProposalStatus
from .models import ChecklistItem, Project

# The proposal template's sections, each with the fields a supervisor fills in (by their labels).
TEMPLATE_SECTIONS: list[tuple[str, list[str]]] = [
    ("The project", ["title", "host_organisation", "region", "clinical_domain", "summary"]),
    ("The clinical problem", ["clinical_problem", "deployment_setting", "evidence"]),
    ("The AI product", ["ai_product", "ai_supplier", "ai_modality", "regulatory_status"]),
    ("Data", ["data_description", "data_access"]),
    ("Roles and responsibilities", ["clinical_safety_officer", "ig_lead", "technical_lead", "other_roles"]),
    ("Resources", ["compute", "funding", "protected_time", "capacity"]),
]  # fmt: skip


def template_sections() -> list[dict]:
    """Each section of the proposal template with the labels of its fields, as the form shows them."""
    label = {
        f.name: str(f.verbose_name)
        for f in Project._meta.get_fields()
        if hasattr(f, "verbose_name")
    }
    return [
        {"title": title, "fields": [label[name][:1].upper() + label[name][1:] for name in names]}
        for title, names in TEMPLATE_SECTIONS
    ]


def active_checklist() -> list[dict]:
    """The active checklist points, by group in the checklist's order."""
    groups: dict[str, dict] = {}
    for item in ChecklistItem.objects.filter(active=True).order_by("group", "position", "pk"):
        group = groups.setdefault(
            item.group, {"title": ChecklistGroup(item.group).label, "items": []}
        )
        group["items"].append({"text": item.text, "guidance": item.guidance})
    order = list(ChecklistGroup.values)
    return [groups[key] for key in sorted(groups, key=order.index)]


@public_section("home")
def approved_projects() -> dict:
    return {"approved_projects": Project.objects.filter(status=ProposalStatus.APPROVED).count()}


@public_section("supervisors")
def for_supervisors() -> dict:
    return {
        "template_sections": template_sections(),
        "checklist": active_checklist(),
        "propose_url": reverse("proposal_create"),
        "proposal_deadline": next_proposal_deadline(),
    }


def next_proposal_deadline() -> Cohort | None:
    """The cohort whose project proposals close next (its deadline still ahead), if any."""
    return (
        Cohort.objects.filter(proposals_close_at__gt=timezone.now())
        .order_by("proposals_close_at")
        .first()
    )
