"""Seed the workshop feedback, exit and alumni survey templates.

The exit survey's question keys, options and grid rows are those of the history import's
`exit_survey` table, so that its export re-imports. The templates are written out here, not
imported, so that this migration stays as it was run (surveys.builder.TEMPLATES holds the same
definitions for re-seeding a missing template).
"""

from django.db import migrations

TEMPLATES = {
    "workshop_feedback": {
        "title": "Workshop feedback",
        "description": "Tell us what you thought of this workshop. It takes about 2 "
        "minutes. We share the feedback with the speakers and use it "
        "to improve future workshops.",
        "audience": "Those who attended the workshop",
        "audience_kind": "workshop_attendees",
        "anonymous": True,
        "questions": [
            {
                "key": "relevance",
                "kind": "agreement",
                "text": "The workshop was relevant to the curriculum.",
                "help_text": "",
                "required": True,
                "section": "",
                "scale": "",
                "options": [],
                "rows": [],
            },
            {
                "key": "engagement",
                "kind": "agreement",
                "text": "The workshop kept me engaged.",
                "help_text": "",
                "required": True,
                "section": "",
                "scale": "",
                "options": [],
                "rows": [],
            },
            {
                "key": "clarity",
                "kind": "agreement",
                "text": "The content was presented clearly.",
                "help_text": "",
                "required": True,
                "section": "",
                "scale": "",
                "options": [],
                "rows": [],
            },
            {
                "key": "interactivity",
                "kind": "agreement",
                "text": "The workshop was interactive enough.",
                "help_text": "",
                "required": True,
                "section": "",
                "scale": "",
                "options": [],
                "rows": [],
            },
            {
                "key": "depth",
                "kind": "agreement",
                "text": "The content went into enough depth.",
                "help_text": "",
                "required": True,
                "section": "",
                "scale": "",
                "options": [],
                "rows": [],
            },
            {
                "key": "comments",
                "kind": "text",
                "text": "Is there anything else you would like to tell us about the workshop?",
                "help_text": "For example what worked well, and what we could do better.",
                "required": False,
                "section": "",
                "scale": "",
                "options": [],
                "rows": [],
            },
        ],
    },
    "exit_survey": {
        "title": "Exit survey",
        "description": "As you graduate, tell us about your fellowship and what you plan "
        "to do next. It takes about 5 minutes. We use the answers to "
        "improve the programme and to report its benefits.",
        "audience": "Fellows of the cohort, on graduation",
        "audience_kind": "cohort_fellows",
        "anonymous": True,
        "questions": [
            {
                "key": "recommend",
                "kind": "single_choice",
                "text": "Would you recommend this fellowship to an eligible "
                "colleague interested in a career in clinical AI?",
                "help_text": "",
                "required": True,
                "section": "Your fellowship",
                "scale": "",
                "options": [
                    ["strongly_recommend", "Strongly recommend"],
                    ["recommend", "Recommend"],
                    ["neutral", "Neutral"],
                    ["not_recommend", "Would not recommend"],
                    ["strongly_not_recommend", "Strongly would not recommend"],
                ],
                "rows": [],
            },
            {
                "key": "achieved",
                "kind": "grid",
                "text": "Did you achieve the learning objectives of each curriculum theme?",
                "help_text": "",
                "required": True,
                "section": "The curriculum",
                "scale": "yes_no",
                "options": [],
                "rows": [
                    ["ai_fundamentals", "AI Fundamentals"],
                    ["regulation_standards", "Regulation & Standards"],
                    ["validation_evaluation", "Validation & Evaluation"],
                    ["integration_systems", "Integration & Systems Impact"],
                    ["strategy_culture", "Strategy & Culture"],
                ],
            },
            {
                "key": "apply",
                "kind": "grid",
                "text": "Are you confident you can apply each curriculum theme in practice?",
                "help_text": "",
                "required": True,
                "section": "",
                "scale": "yes_no",
                "options": [],
                "rows": [
                    ["ai_fundamentals", "AI Fundamentals"],
                    ["regulation_standards", "Regulation & Standards"],
                    ["validation_evaluation", "Validation & Evaluation"],
                    ["integration_systems", "Integration & Systems Impact"],
                    ["strategy_culture", "Strategy & Culture"],
                ],
            },
            {
                "key": "valuable",
                "kind": "grid",
                "text": "This course component was educationally valuable for me.",
                "help_text": "Leave a row blank if you did not take part in that component.",
                "required": False,
                "section": "",
                "scale": "agreement",
                "options": [],
                "rows": [
                    ["project_placement", "Project placement"],
                    ["masterclass_workshops", "Masterclasses and workshops"],
                    ["networking", "Networking"],
                    ["datacamp", "DataCamp"],
                    ["kcl_innovation_scholars", "KCL Innovation Scholars"],
                ],
            },
            {
                "key": "archetypes",
                "kind": "multiple_choice",
                "text": "What archetype roles in the clinical AI ecosystem are you "
                "interested in pursuing after this fellowship?",
                "help_text": "Select all that apply.",
                "required": True,
                "section": "What next",
                "scale": "",
                "options": [
                    ["shaper", "Shaper: set the direction for AI in health and care"],
                    ["driver", "Driver: champion and lead AI development and deployment"],
                    ["creator", "Creator: design and build AI technologies"],
                    ["embedder", "Embedder: implement, evaluate and monitor AI in healthcare"],
                    ["user", "User: use AI technologies in clinical practice"],
                ],
                "rows": [],
            },
            {
                "key": "career_next_12_months",
                "kind": "multiple_choice",
                "text": "What is your onward career in the next 12 months?",
                "help_text": "Select all that apply.",
                "required": True,
                "section": "",
                "scale": "",
                "options": [
                    [
                        "continue_fellowship_project",
                        "Direct continuation of my fellowship AI project",
                    ],
                    ["another_clinical_ai_project", "Another clinical AI project"],
                    ["msc_phd_in_ai", "MSc or PhD in AI"],
                    ["private_sector", "A private sector role"],
                    ["full_time_clinical", "Full-time clinical work"],
                    ["other", "Something else"],
                ],
                "rows": [],
            },
        ],
    },
    "alumni": {
        "title": "Alumni survey",
        "description": "Tell us where your career in clinical AI has gone since the "
        "fellowship. It takes about 5 minutes. We use the answers to show the "
        "programme's long-term benefits.",
        "audience": "Alumni of the fellowship",
        "audience_kind": "alumni",
        "anonymous": False,
        "questions": [
            {
                "key": "current_role",
                "kind": "single_choice",
                "text": "Which best describes your main role now?",
                "help_text": "",
                "required": True,
                "section": "Your role",
                "scale": "",
                "options": [
                    ["clinical_ai_lead", "A clinical AI role in the NHS"],
                    ["clinical_with_ai", "Clinical work with time for AI"],
                    ["academic", "Academic or research role"],
                    ["industry", "Industry or private sector role"],
                    ["full_time_clinical", "Full-time clinical work"],
                    ["other", "Something else"],
                ],
                "rows": [],
            },
            {
                "key": "ai_work_scope",
                "kind": "multiple_choice",
                "text": "What does your clinical AI work cover now?",
                "help_text": "Select all that apply.",
                "required": False,
                "section": "",
                "scale": "",
                "options": [
                    ["deployment", "Deploying AI in services"],
                    ["evaluation", "Evaluating AI"],
                    ["development", "Developing AI"],
                    ["research", "Research"],
                    ["education", "Teaching and training others"],
                    ["policy_regulation", "Policy, standards or regulation"],
                    ["leadership", "Leading AI strategy"],
                ],
                "rows": [],
            },
            {
                "key": "ai_work_reach",
                "kind": "single_choice",
                "text": "How far does your clinical AI work reach?",
                "help_text": "",
                "required": False,
                "section": "",
                "scale": "",
                "options": [
                    ["team", "My team or department"],
                    ["organisation", "My organisation"],
                    ["regional", "Regional"],
                    ["national", "National"],
                    ["international", "International"],
                ],
                "rows": [],
            },
            {
                "key": "achievements",
                "kind": "text",
                "text": "What have you achieved in clinical AI since the fellowship?",
                "help_text": "For example projects deployed, publications, grants, "
                "awards or new roles.",
                "required": False,
                "section": "Achievements and challenges",
                "scale": "",
                "options": [],
                "rows": [],
            },
            {
                "key": "challenges",
                "kind": "text",
                "text": "What challenges have you faced in continuing clinical AI work?",
                "help_text": "",
                "required": False,
                "section": "",
                "scale": "",
                "options": [],
                "rows": [],
            },
        ],
    },
}


def seed(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    for key, spec in TEMPLATES.items():
        if Survey.objects.filter(key=key, is_template=True).exists():
            continue
        fields = {k: v for k, v in spec.items() if k != "questions"}
        survey = Survey.objects.create(key=key, is_template=True, **fields)
        for position, question in enumerate(spec["questions"], start=1):
            Question.objects.create(survey=survey, position=position, **question)


def unseed(apps, schema_editor):
    apps.get_model("surveys", "Survey").objects.filter(key__in=TEMPLATES, is_template=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_builder_and_audiences"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
