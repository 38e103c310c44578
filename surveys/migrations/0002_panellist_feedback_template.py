"""Seed the panellist feedback survey template, which the surveys of each round copy.

The questions are written out here, not imported, so that this migration stays as it was run.
"""

from django.db import migrations

KEY = "panellist_feedback"

QUESTIONS = [
    (
        "clarity_of_criteria",
        "The evaluation criteria were clear.",
        "How clear were the criteria and the scoring guidance you scored candidates against?",
    ),
    (
        "fairness_consistency",
        "Candidates were assessed fairly and consistently.",
        "Think about every candidate your panel interviewed.",
    ),
    ("structure_flow", "The interviews were well structured and flowed well.", ""),
    (
        "coordination_logistics",
        "The interviews were well coordinated and organised.",
        "For example the schedule, the video link or venue, and the papers you were sent.",
    ),
    (
        "overall_effectiveness",
        "Overall, the interview process was effective at selecting the right fellows.",
        "",
    ),
]


def seed(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    survey, created = Survey.objects.get_or_create(
        key=KEY,
        is_template=True,
        defaults={
            "title": "Panellist feedback",
            "description": (
                "Tell us how the interviews went for you as a panellist. "
                "It takes about 3 minutes. We use your answers to improve recruitment for the next cohort."
            ),
            "audience": "Interview panellists of a recruitment round",
            "anonymous": True,
        },
    )
    if not created:
        return
    for position, (key, text, help_text) in enumerate(QUESTIONS, start=1):
        Question.objects.create(
            survey=survey,
            key=key,
            kind="agreement",
            text=text,
            help_text=help_text,
            required=True,
            position=position,
        )
    Question.objects.create(
        survey=survey,
        key="comments",
        kind="text",
        required=False,
        position=len(QUESTIONS) + 1,
        text="Is there anything else you would like to tell us about the interviews?",
        help_text="Do not include candidates' names.",
    )


def unseed(apps, schema_editor):
    apps.get_model("surveys", "Survey").objects.filter(key=KEY, is_template=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
