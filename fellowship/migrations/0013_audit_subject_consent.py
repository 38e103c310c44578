# The audit log's subjects gain consents to quote or publish a testimonial.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fellowship", "0012_workshop_duration_and_programme_logo"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="subject",
            field=models.CharField(
                choices=[
                    ("application", "Application"),
                    ("application_file", "Application file (CV, approval, document)"),
                    ("shortlist_score", "Shortlisting score"),
                    ("interview_score", "Interview score"),
                    ("equality", "Equality monitoring figures"),
                    ("matching", "Fellow–project matching"),
                    ("mentoring", "Mentor pairs"),
                    ("report", "Benefits report"),
                    ("invitation", "Invitation to a role"),
                    ("email_text", "E-mail text"),
                    ("consent", "Consent to quote or publish a testimonial"),
                ],
                db_index=True,
                max_length=30,
            ),
        ),
    ]
