"""The questions of the programme's standard surveys: workshop feedback, exit survey, alumni survey.

Migration 0004 wrote these templates out as they were; `surveys.builder.seeded_template` writes
one again when it is missing (transactional tests empty the tables that migrations seeded).
Keys are stable: exports and the history import's exit_survey table use them as column names.
"""

from __future__ import annotations

from typing import Any

WORKSHOP_FEEDBACK = "workshop_feedback"
EXIT_SURVEY = "exit_survey"
ALUMNI_SURVEY = "alumni"

THEMES = [
    ["ai_fundamentals", "AI Fundamentals"],
    ["regulation_standards", "Regulation & Standards"],
    ["validation_evaluation", "Validation & Evaluation"],
    ["integration_systems", "Integration & Systems Impact"],
    ["strategy_culture", "Strategy & Culture"],
]
COMPONENTS = [
    ["project_placement", "Project placement"],
    ["masterclass_workshops", "Masterclasses and workshops"],
    ["networking", "Networking"],
    ["datacamp", "DataCamp"],
    ["kcl_innovation_scholars", "KCL Innovation Scholars"],
]


def _q(key, kind, text, *, help_text="", required=True, section="", scale="", options=(), rows=()):
    return {
        "key": key,
        "kind": kind,
        "text": text,
        "help_text": help_text,
        "required": required,
        "section": section,
        "scale": scale,
        "options": [list(o) for o in options],
        "rows": [list(r) for r in rows],
    }


# The seeded templates, as migration 0004 created them. Keys are stable: exports and the history
# import's exit_survey table use them as column names.
TEMPLATES: dict[str, dict[str, Any]] = {
    WORKSHOP_FEEDBACK: {
        "title": "Workshop feedback",
        "description": (
            "Tell us what you thought of this workshop. It takes about 2 minutes. "
            "We share the feedback with the speakers and use it to improve future workshops."
        ),
        "audience": "Those who attended the workshop",
        "audience_kind": "workshop_attendees",
        "anonymous": True,
        "questions": [
            _q("relevance", "agreement", "The workshop was relevant to the curriculum."),
            _q("engagement", "agreement", "The workshop kept me engaged."),
            _q("clarity", "agreement", "The content was presented clearly."),
            _q("interactivity", "agreement", "The workshop was interactive enough."),
            _q("depth", "agreement", "The content went into enough depth."),
            _q(
                "comments",
                "text",
                "Is there anything else you would like to tell us about the workshop?",
                help_text="For example what worked well, and what we could do better.",
                required=False,
            ),
        ],
    },
    EXIT_SURVEY: {
        "title": "Exit survey",
        "description": (
            "As you graduate, tell us about your fellowship and what you plan to do next. "
            "It takes about 5 minutes. We use the answers to improve the programme and to "
            "report its benefits."
        ),
        "audience": "Fellows of the cohort, on graduation",
        "audience_kind": "cohort_fellows",
        "anonymous": True,
        "questions": [
            _q(
                "recommend",
                "single_choice",
                "Would you recommend this fellowship to an eligible colleague interested in a "
                "career in clinical AI?",
                section="Your fellowship",
                options=[
                    ["strongly_recommend", "Strongly recommend"],
                    ["recommend", "Recommend"],
                    ["neutral", "Neutral"],
                    ["not_recommend", "Would not recommend"],
                    ["strongly_not_recommend", "Strongly would not recommend"],
                ],
            ),
            _q(
                "achieved",
                "grid",
                "Did you achieve the learning objectives of each curriculum theme?",
                section="The curriculum",
                scale="yes_no",
                rows=THEMES,
            ),
            _q(
                "apply",
                "grid",
                "Are you confident you can apply each curriculum theme in practice?",
                scale="yes_no",
                rows=THEMES,
            ),
            _q(
                "valuable",
                "grid",
                "This course component was educationally valuable for me.",
                help_text="Leave a row blank if you did not take part in that component.",
                required=False,
                scale="agreement",
                rows=COMPONENTS,
            ),
            _q(
                "archetypes",
                "multiple_choice",
                "What archetype roles in the clinical AI ecosystem are you interested in "
                "pursuing after this fellowship?",
                help_text="Select all that apply.",
                section="What next",
                options=[
                    ["shaper", "Shaper: set the direction for AI in health and care"],
                    ["driver", "Driver: champion and lead AI development and deployment"],
                    ["creator", "Creator: design and build AI technologies"],
                    ["embedder", "Embedder: implement, evaluate and monitor AI in healthcare"],
                    ["user", "User: use AI technologies in clinical practice"],
                ],
            ),
            _q(
                "career_next_12_months",
                "multiple_choice",
                "What is your onward career in the next 12 months?",
                help_text="Select all that apply.",
                options=[
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
            ),
        ],
    },
    ALUMNI_SURVEY: {
        "title": "Alumni survey",
        "description": (
            "Tell us where your career in clinical AI has gone since the fellowship. "
            "It takes about 5 minutes. We use the answers to show the programme's long-term benefits."
        ),
        "audience": "Alumni of the fellowship",
        "audience_kind": "alumni",
        "anonymous": False,
        "questions": [
            _q(
                "current_role",
                "single_choice",
                "Which best describes your main role now?",
                section="Your role",
                options=[
                    ["clinical_ai_lead", "A clinical AI role in the NHS"],
                    ["clinical_with_ai", "Clinical work with time for AI"],
                    ["academic", "Academic or research role"],
                    ["industry", "Industry or private sector role"],
                    ["full_time_clinical", "Full-time clinical work"],
                    ["other", "Something else"],
                ],
            ),
            _q(
                "ai_work_scope",
                "multiple_choice",
                "What does your clinical AI work cover now?",
                help_text="Select all that apply.",
                required=False,
                options=[
                    ["deployment", "Deploying AI in services"],
                    ["evaluation", "Evaluating AI"],
                    ["development", "Developing AI"],
                    ["research", "Research"],
                    ["education", "Teaching and training others"],
                    ["policy_regulation", "Policy, standards or regulation"],
                    ["leadership", "Leading AI strategy"],
                ],
            ),
            _q(
                "ai_work_reach",
                "single_choice",
                "How far does your clinical AI work reach?",
                required=False,
                options=[
                    ["team", "My team or department"],
                    ["organisation", "My organisation"],
                    ["regional", "Regional"],
                    ["national", "National"],
                    ["international", "International"],
                ],
            ),
            _q(
                "achievements",
                "text",
                "What have you achieved in clinical AI since the fellowship?",
                help_text="For example projects deployed, publications, grants, awards or new roles.",
                section="Achievements and challenges",
                required=False,
            ),
            _q(
                "challenges",
                "text",
                "What challenges have you faced in continuing clinical AI work?",
                required=False,
            ),
        ],
    },
}
