"""Seed the quality checklist (the paper's groups) and the managed list of clinical domains."""

from django.db import migrations

CHECKLIST = [
    (
        "risk",
        "A hazard log lists the clinical hazards, their causes and effects",
        "In the spirit of DCB0129/DCB0160.",
    ),
    ("risk", "Each hazard has a credible mitigation and the residual risk is acceptable", ""),
    (
        "risk",
        "The AI technology's regulatory status fits its intended use in this project",
        "UKCA/CE class, or research use with approvals.",
    ),
    ("risk", "Data protection is addressed: DPIA done or planned, lawful basis stated", ""),
    ("roles", "A named supervisor with the time and expertise to supervise a fellow", ""),
    ("roles", "A named clinical safety officer", ""),
    ("roles", "A named information governance lead", ""),
    ("roles", "A named technical lead", ""),
    ("responsibilities", "Who does what (fellow, supervisor, team) is clear", ""),
    (
        "responsibilities",
        "The fellow has a defined, substantive piece of work, not only observation",
        "",
    ),
    ("resources", "The fellow will have access to the data the project needs, with approvals", ""),
    ("resources", "Compute and software are available", ""),
    ("resources", "Protected time for supervision is agreed", ""),
    ("education", "Educational aims are stated and mapped to the curriculum themes", ""),
    ("education", "Milestones are realistic for a 0.4 FTE fellow over one year", ""),
]
DOMAINS = [
    "Radiology", "Oncology", "Cardiovascular", "Haematology", "Pathology", "Emergency Medicine", "Mental Health",
    "Ophthalmology", "Pharmacy", "Dermatology", "Gastroenterology", "Primary Care", "Intensive Care", "Stroke",
    "Dentistry", "Public Health", "Optometry", "Surgery", "Respiratory", "Maternity", "Operational",
]  # fmt: skip


def seed(apps, schema_editor):
    Item = apps.get_model("projects", "ChecklistItem")
    for position, (group, text, guidance) in enumerate(CHECKLIST, start=1):
        Item.objects.get_or_create(
            group=group, text=text, defaults={"guidance": guidance, "position": position}
        )
    Domain = apps.get_model("projects", "ClinicalDomain")
    for name in DOMAINS:
        Domain.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
