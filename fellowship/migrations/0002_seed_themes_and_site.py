"""Seed the five curriculum themes (keys match the history import) and the site's name."""

from django.conf import settings
from django.db import migrations

THEMES = [
    ("ai_fundamentals", "AI Fundamentals"),
    ("regulation_standards", "Regulation & Standards"),
    ("validation_evaluation", "Validation & Evaluation"),
    ("integration_systems", "Integration & Systems Impact"),
    ("strategy_culture", "Strategy & Culture"),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("fellowship", "CurriculumTheme")
    for position, (key, name) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(key=key, defaults={"name": name, "position": position})
    Site = apps.get_model("sites", "Site")
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "Fellowship Manager"}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("fellowship", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
