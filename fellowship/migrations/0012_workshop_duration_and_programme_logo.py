# Workshops gain an optional length (the report's teaching hours); the programme gains a logo for
# the report's cover.

import django.core.validators
from django.db import migrations, models

import fellowship.uploads

DURATION = dict(
    blank=True,
    help_text="Optional. For example, 390 for a day from 9:30am to 4pm. At most 12 hours (720).",
    null=True,
    validators=[
        django.core.validators.MinValueValidator(1),
        django.core.validators.MaxValueValidator(720),
    ],
    verbose_name="length in minutes",
)


class Migration(migrations.Migration):
    dependencies = [
        ("fellowship", "0011_fellow_project_domain"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalworkshop",
            name="duration_minutes",
            field=models.PositiveSmallIntegerField(**DURATION),
        ),
        migrations.AddField(
            model_name="workshop",
            name="duration_minutes",
            field=models.PositiveSmallIntegerField(**DURATION),
        ),
        migrations.AddConstraint(
            model_name="workshop",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("duration_minutes__isnull", True),
                    models.Q(("duration_minutes__gte", 1), ("duration_minutes__lte", 720)),
                    _connector="OR",
                ),
                name="workshop_duration_in_range",
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="logo",
            field=models.FileField(
                blank=True,
                max_length=255,
                upload_to=fellowship.uploads.private_upload_to("programme"),
            ),
        ),
    ]
