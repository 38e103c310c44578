"""The e-mails about AI projects and matching, with the ((placeholders)) faculty may use in their texts.

Each value is worked out from the context the service passes to notify(); see fellowship.emails.
"""

from __future__ import annotations

from fellowship.emails import Placeholder, full_name, link, register

PROJECT_TITLE = Placeholder(
    "project_title",
    "The project's title",
    lambda c: c["project"].title,
    "Predicting sepsis from ward observations",
)
PROPOSAL_LINK = Placeholder(
    "proposal_link",
    "The link to the proposal",
    lambda c: link("proposal_detail", c["project"].ref),
    "https://fellowship.example.nhs.uk/projects/P5-007/",
)
COHORT = Placeholder(
    "cohort", "The cohort, such as Cohort 5", lambda c: str(c["cohort"]), "Cohort 5"
)


def _next_step(context) -> str:
    status = context["project"].status
    if status == "revise":
        return (
            "Please read the feedback on each checklist item, revise your proposal and resubmit it:"
        )
    if status == "approved":
        return "Your project is now in the catalogue that fellows browse before they choose:"
    return "You can read the feedback here:"


register(
    "proposal_submitted",
    name="AI project proposal submitted (to the programme team)",
    when="A supervisor submits or resubmits an AI project proposal",
    placeholders=[
        Placeholder(
            "supervisor_name",
            "The supervisor's full name (or “A supervisor”)",
            lambda c: full_name(c["project"].supervisor) or "A supervisor",
            "Dr Grace Hopper",
        ),
        Placeholder(
            "submitted",
            "“submitted”, or “resubmitted” for a later version",
            lambda c: "resubmitted" if c["version"].number > 1 else "submitted",
            "submitted",
        ),
        Placeholder(
            "submitted_with_version",
            "“submitted”, or “resubmitted (version 2)” for a later version",
            lambda c: (
                f"resubmitted (version {c['version'].number})"
                if c["version"].number > 1
                else "submitted"
            ),
            "submitted",
        ),
        PROJECT_TITLE,
        Placeholder(
            "cohort",
            "The cohort the project is for",
            lambda c: str(c["project"].cohort),
            "Cohort 5",
        ),
        Placeholder(
            "host_organisation",
            "The organisation hosting the project",
            lambda c: str(c["project"].host_organisation or ""),
            "Northtown NHS Trust",
        ),
        Placeholder(
            "region", "The project's region", lambda c: str(c["project"].region or ""), "North West"
        ),
        Placeholder(
            "review_link",
            "The link where the programme team vets the proposal",
            lambda c: link("proposal_review", c["project"].ref),
            "https://fellowship.example.nhs.uk/projects/P5-007/review/",
        ),
    ],
)

register(
    "proposal_decided",
    name="AI project proposal vetted (to the supervisor)",
    when="The programme team records its decision on a proposal",
    placeholders=[
        Placeholder(
            "supervisor_name",
            "The supervisor's full name",
            lambda c: full_name(c["project"].supervisor),
            "Dr Grace Hopper",
        ),
        PROJECT_TITLE,
        Placeholder(
            "status",
            "The proposal's status, in lower case, such as “approved”",
            lambda c: c["project"].get_status_display().lower(),
            "approved",
        ),
        Placeholder(
            "decision",
            "The decision, such as Approved",
            lambda c: c["review"].get_decision_display(),
            "Approved",
        ),
        Placeholder(
            "comments",
            "The programme team's overall comments, or nothing",
            lambda c: c["review"].comments,
            "A clear, well-scoped project.",
        ),
        Placeholder(
            "next_step",
            "What the supervisor does next, which depends on the decision",
            _next_step,
            "Your project is now in the catalogue that fellows browse before they choose:",
        ),
        PROPOSAL_LINK,
    ],
)


def _outcome(context) -> str:
    project, proposed = context["project"], context["proposed"]
    if project is None:
        return (
            "We could not match you to a project this time. "
            "The programme team will contact you to agree what happens next."
        )
    rank = f" your choice number {proposed.choice_rank}" if proposed.choice_rank else ""
    place = project.title + (f", {project.host_organisation}" if project.host_organisation else "")
    return (
        f"You have been matched to{rank}:\n{place}\n{link('proposal_detail', project.ref)}\n\n"
        "Your supervisor will contact you about starting work on the project."
    )


def _result_intro(context) -> str:
    project, proposed = context["project"], context["proposed"]
    if project and proposed.choice_rank == 1:
        return "See your result:"
    why = (
        ", including why you did not get the projects you ranked higher"
        if proposed.choice_rank or not project
        else ""
    )
    return f"See how the matching worked for you{why}:"


register(
    "matching_published_fellow",
    name="Matching published (to each fellow)",
    when="The programme team publishes the matching of fellows to AI projects",
    placeholders=[
        Placeholder(
            "fellow_name",
            "The fellow's name",
            lambda c: c["fellow"].display_name,
            "Dr Ada Lovelace",
        ),
        COHORT,
        Placeholder(
            "matched_project",
            "The title of the project the fellow was matched to, or “no project this time”",
            lambda c: c["project"].title if c["project"] else "no project this time",
            "Predicting sepsis from ward observations",
        ),
        Placeholder(
            "outcome",
            "The project the fellow was matched to, with its link, or that they were not matched",
            _outcome,
            "You have been matched to your choice number 2:\nPredicting sepsis from ward observations, "
            "Northtown NHS Trust\nhttps://fellowship.example.nhs.uk/projects/P5-007/\n\n"
            "Your supervisor will contact you about starting work on the project.",
        ),
        Placeholder(
            "result_intro",
            "The line before the result link, which says more when they did not get their first choice",
            _result_intro,
            "See how the matching worked for you, including why you did not get the projects you ranked higher:",
        ),
        Placeholder(
            "result_link",
            "The link to the fellow's matching result",
            lambda c: link("matching_result"),
            "https://fellowship.example.nhs.uk/projects/choices/result/",
        ),
    ],
)


def _placements(context) -> str:
    lines = []
    for row in context["placements"]:
        email = f" ({row.fellow.user.email})" if row.fellow.user else ""
        lines.append(f"- {row.fellow.display_name}{email}: {row.project.title}")
    return "\n".join(lines)


def _project_links(context) -> str:
    refs = list(dict.fromkeys(row.project.ref for row in context["placements"]))
    return "\n".join(link("proposal_detail", ref) for ref in refs)


register(
    "matching_published_supervisor",
    name="Matching published (to each supervisor)",
    when="The programme team publishes the matching, to supervisors with fellows placed on their projects",
    placeholders=[
        Placeholder(
            "supervisor_name",
            "The supervisor's full name",
            lambda c: full_name(c["supervisor"]),
            "Dr Grace Hopper",
        ),
        COHORT,
        Placeholder(
            "placements",
            "One line per fellow placed: name, e-mail address and project",
            _placements,
            "- Dr Ada Lovelace (ada@example.nhs.uk): Predicting sepsis from ward observations",
        ),
        Placeholder(
            "project_links",
            "The link to each of the supervisor's projects, one a line",
            _project_links,
            "https://fellowship.example.nhs.uk/projects/P5-007/",
        ),
    ],
)
