from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fellowship", "0010_email_texts"),
    ]

    operations = [
        migrations.AddField(
            model_name="fellow",
            name="project_domain",
            field=models.CharField(blank=True, max_length=100, verbose_name="project domain"),
        ),
        migrations.AddField(
            model_name="historicalfellow",
            name="project_domain",
            field=models.CharField(blank=True, max_length=100, verbose_name="project domain"),
        ),
    ]
