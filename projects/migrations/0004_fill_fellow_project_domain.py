"""Record on each placed fellow the clinical domain of their project (mentor matching compares it)."""

from django.db import migrations


def fill(apps, schema_editor):
    Fellow = apps.get_model("fellowship", "Fellow")
    Placement = apps.get_model("projects", "Placement")
    placements = Placement.objects.filter(project__clinical_domain__isnull=False).values_list(
        "fellow_id", "project__clinical_domain__name"
    )
    for fellow_id, domain in placements.iterator():
        Fellow.objects.filter(pk=fellow_id).exclude(project_domain=domain).update(
            project_domain=domain
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_matching"),
        ("fellowship", "0011_fellow_project_domain"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
