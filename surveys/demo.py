"""Live demo data for surveys: workshop feedback waiting for fellow1, with a speaker who can read it
once it closes, the alumni survey waiting for the demo alumni, a closed anonymous survey of the
incoming fellows whose answers were released at closing (so its results show), and invented
industry and regulator speakers at every cohort's workshops (objective 6 of the benefits report
lists them by organisation and role). Built through the same services the pages use.
The exit surveys of earlier cohorts come from the history (fellowship/demo/history/exit_survey.csv).
Called by `manage.py load_demo`.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fellowship.enums import FellowStatus, SpeakerSector
from fellowship.models import Fellow, Speaker, User, Workshop

from . import builder, services
from .builder import ALUMNI_SURVEY, WORKSHOP_FEEDBACK
from .distribution import AudienceChoice, send
from .enums import Audience, QuestionKind


def build_demo() -> list[str]:
    faculty = User.objects.get(email="faculty1@fellowship.example")
    fellow = Fellow.objects.select_related("cohort").get(user__email="fellow1@fellowship.example")
    now = timezone.now()
    workshop = (
        Workshop.objects.filter(cohort=fellow.cohort, date__lt=timezone.localdate())
        .order_by("-date")
        .first()
    )
    notes: list[str] = []
    if workshop is not None:
        workshop.attendees.set(
            Fellow.objects.filter(cohort=fellow.cohort, status=FellowStatus.IN_POST)
        )
        speaker = User.objects.get(email="supervisor2@fellowship.example")
        Speaker.objects.get_or_create(
            workshop=workshop,
            user=speaker,
            defaults={
                "name": speaker.full_name,
                "affiliation": "Invented NHS Foundation Trust",
                "sector": SpeakerSector.NHS,
            },
        )
        feedback = services.create_from_template(
            WORKSHOP_FEEDBACK, by=faculty, title=f"Feedback: {workshop.title}"
        )
        send(
            feedback,
            AudienceChoice(kind=Audience.WORKSHOP_ATTENDEES, workshop=workshop),
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=14),
            by=faculty,
        )
        # fellow2 has answered already; fellow1's invitation is still open on their home page.
        answers = {
            q.key: "agree" for q in feedback.questions.all() if q.kind == QuestionKind.AGREEMENT
        }
        services.submit_response(
            feedback, person=User.objects.get(email="fellow2@fellowship.example"), answers=answers
        )
        notes.append(
            f"Workshop feedback on {workshop} sent to its {workshop.attendees.count()} attendees "
            f"(fellow1 has not answered yet); supervisor2 spoke there and can read the feedback "
            "once it closes (it is anonymous)."
        )
    notes.append(_guest_speakers())
    alumni = services.create_from_template(ALUMNI_SURVEY, by=faculty, title="Alumni survey 2026")
    invited = send(
        alumni,
        AudienceChoice(kind=Audience.ALUMNI),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=28),
        by=faculty,
    )
    notes.append(
        f"Alumni survey sent to the {len(invited)} alumni with accounts (alumnus1, alumnus2)."
    )
    notes += _closed_matching_feedback(faculty, now)
    return notes


MATCHING_COMMENTS = [
    "The project pages told me what each team wanted.",
    "More about the data each project uses would help.",
    "Clear, but the deadline to rank came quickly.",
    "",
    "Knowing the supervisors' availability would help.",
]


def _closed_matching_feedback(faculty: User, now) -> list[str]:
    """An anonymous survey of the incoming fellows (the projects demo's accounts) that five
    answered while it was open and that has since closed: their answers went into the pool and
    were released, in a random order, when it closed, so faculty can read its results."""
    incoming = list(
        User.objects.filter(
            email__startswith="incoming", email__endswith="@fellowship.example"
        ).order_by("email")
    )
    if len(incoming) <= len(MATCHING_COMMENTS):
        return []
    survey = builder.create_survey(
        by=faculty,
        title="Matching: were the project descriptions clear?",
        description="Tell us how the project descriptions helped you rank the projects.",
        anonymous=True,
    )
    builder.save_question(
        survey,
        by=faculty,
        kind=QuestionKind.AGREEMENT,
        key="descriptions_clear",
        text="The project descriptions told me what I needed to rank the projects.",
    )
    builder.save_question(
        survey,
        by=faculty,
        kind=QuestionKind.TEXT,
        key="comments",
        text="What else would have helped you rank the projects?",
        required=False,
    )
    builder.update_survey(
        survey, by=faculty, opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=1)
    )
    services.invite(survey, incoming, by=faculty)
    scale = ["strongly_agree", "agree", "agree", "neutral", "disagree"]
    for person, agreement, comment in zip(incoming, scale, MATCHING_COMMENTS, strict=False):
        services.submit_response(
            survey,
            person=person,
            answers={"descriptions_clear": agreement, "comments": comment},
        )
    # It closed a minute ago: closing releases the waiting answers.
    builder.update_survey(survey, by=faculty, closes_at=now - timedelta(minutes=1))
    services.release_answers(survey)
    return [
        f"{survey.title}: an anonymous survey of the {len(incoming)} incoming fellows, closed; "
        f"{len(MATCHING_COMMENTS)} answered and their answers were released at closing, so "
        "faculty1 can read its results."
    ]


# Invented organisations (regulators and public bodies are named by kind, not as the real ones).
GUEST_SPEAKERS = (
    ("Dr A. Example", "Chief Medical Officer", "Invented Imaging AI Ltd", SpeakerSector.INDUSTRY),
    ("B. Sample", "Head of Clinical Safety", "Example Health Analytics", SpeakerSector.INDUSTRY),
    ("C. Placeholder", "Director of Data Science", "Demo Diagnostics plc", SpeakerSector.INDUSTRY),
    (
        "D. Fictional",
        "Software as a Medical Device lead",
        "Invented Devices Regulator",
        SpeakerSector.REGULATOR,
    ),
    (
        "E. Madeup",
        "Head of Digital Health Technology Evaluation",
        "Invented Health Technology Body",
        SpeakerSector.REGULATOR,
    ),
    (
        "F. Notreal",
        "Chief Digital Officer",
        "Invented Regional NHS Region",
        SpeakerSector.REGULATOR,
    ),
)


def _guest_speakers() -> str:
    """Two industry and two regulator speakers per cohort, spread over its workshops in date order."""
    added = 0
    industry = [g for g in GUEST_SPEAKERS if g[3] == SpeakerSector.INDUSTRY]
    regulators = [g for g in GUEST_SPEAKERS if g[3] == SpeakerSector.REGULATOR]
    cohorts = Workshop.objects.order_by().values_list("cohort_id", flat=True).distinct()
    for cohort_id in cohorts:
        workshops = list(Workshop.objects.filter(cohort_id=cohort_id).order_by("date", "pk"))
        chosen = [
            group[(cohort_id + k) % len(group)] for group in (industry, regulators) for k in (0, 1)
        ]
        for i, (name, role, affiliation, sector) in enumerate(chosen):
            _, created = Speaker.objects.get_or_create(
                workshop=workshops[i % len(workshops)],
                name=name,
                defaults={"role_title": role, "affiliation": affiliation, "sector": sector},
            )
            added += created
    return f"{added} invented industry and regulator speakers at the cohorts' workshops."
