"""The steps of an application and how far along each one is.

The applicant meets the steps in a fixed order and ends on "Check your answers". A step is
complete when nothing that stops submission belongs to it (`recruitment.services.problems`), in
progress once anything of it has been filled in, and not started otherwise. Nothing here reads a
request: the pages and the resume link both use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Application

# The steps in the order the applicant meets them: (key, title, URL name).
STEPS = (
    ("eligibility", "Your eligibility", "application_eligibility"),
    ("statement", "Your personal statement", "application_statement"),
    ("documents", "Your CV and documents", "application_documents"),
    ("approval", "Your employer's approval", "application_approval"),
)
STEP_TITLES = {key: title for key, title, _ in STEPS}
STEP_URLS = {key: url for key, _, url in STEPS} | {"review": "application_review"}
NEXT_URL = {
    key: STEP_URLS[after]
    for (key, _, _), after in zip(STEPS, [*[s[0] for s in STEPS[1:]], "review"], strict=True)
}

COMPLETED, IN_PROGRESS, NOT_STARTED = "completed", "in_progress", "not_started"


def statement_texts(application: Application) -> dict[int, str]:
    """The applicant's statement per criterion id."""
    return {s.criterion_id: s.text for s in application.statements.all()}


def started(application: Application, texts: dict[int, str]) -> dict[str, bool]:
    """Whether anything of each step has been filled in."""
    return {
        "eligibility": any(
            [
                application.profession,
                application.registration_body,
                application.registration_number,
                application.grade,
                application.region_id,
                application.specialty,
                application.employer,
            ]
        ),
        "statement": any(t.strip() for t in texts.values()),
        "documents": bool(application.cv) or application.documents.exists(),
        "approval": any(
            [
                application.approval_method,
                application.approval_form,
                application.manager_name,
                application.manager_email,
            ]
        ),
    }


def step_statuses(application: Application, problem_steps: Iterable[str]) -> list[dict]:
    """Each step's key, title, URL name and status, in order.

    `problem_steps` are the steps of the problems that stop submission: a step with none is
    complete, whatever has been typed.
    """
    blocked = set(problem_steps)
    begun = started(application, statement_texts(application))
    statuses = []
    for key, title, url_name in STEPS:
        if key not in blocked:
            status = COMPLETED
        elif begun[key]:
            status = IN_PROGRESS
        else:
            status = NOT_STARTED
        statuses.append({"key": key, "title": title, "url_name": url_name, "status": status})
    return statuses


def is_filled(application: Application, field: str, texts: dict[int, str]) -> bool:
    """Whether the applicant has given an answer for `field` (a field of the application, or
    `criterion_<id>` for a statement); an uploaded document never counts as a flaggable answer."""
    if field.startswith("criterion_"):
        return bool(texts.get(int(field.removeprefix("criterion_")), "").strip())
    if field.startswith("document_"):
        return False
    if field == "region":
        return application.region_id is not None
    return bool(getattr(application, field, ""))
