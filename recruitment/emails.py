"""The e-mails recruitment sends, with the ((placeholders)) faculty may use in their texts.

Each value is worked out from the context the service passes to notify(); see fellowship.emails.
"""

from __future__ import annotations

from fellowship.emails import Placeholder, full_name, link, plural, register, short_name, when

DATE_TIME = r"j F Y \a\t H:i T"
DAY_DATE_TIME = r"l j F Y \a\t H:i T"


def _application(context):
    return context["application"]


APPLICANT_NAME = Placeholder(
    "applicant_name",
    "The applicant's full name",
    lambda c: full_name(_application(c).applicant),
    "Ada Lovelace",
)
APPLICANT_SHORT_NAME = Placeholder(
    "applicant_short_name",
    "The applicant's first name",
    lambda c: short_name(_application(c).applicant),
    "Ada",
)
APPLICATION_REF = Placeholder(
    "application_ref",
    "The application's reference, such as R3-0042",
    lambda c: _application(c).ref,
    "R3-0042",
)
ROUND_NAME = Placeholder(
    "round_name",
    "The name of the recruitment round",
    lambda c: str(_application(c).round),
    "Cohort 5 recruitment",
)
APPLICATION_LINK = Placeholder(
    "application_link",
    "The link to the applicant's own page for this application",
    lambda c: link("application_overview", _application(c).ref),
    "https://fellowship.example.nhs.uk/apply/R3-0042/",
)
MANAGER_NAME = Placeholder(
    "manager_name",
    "The name of the manager the applicant gave",
    lambda c: _application(c).manager_name,
    "Grace Hopper",
)
CLOSES_AT = Placeholder(
    "deadline",
    "When the round closes, such as 3 March 2027 at 17:00 GMT",
    lambda c: when(_application(c).round.closes_at, DATE_TIME),
    "3 March 2027 at 17:00 GMT",
)
REGION = Placeholder(
    "region", "The region of the post offered", lambda c: str(c["post"].region), "North West"
)
FUNDER = Placeholder(
    "funder",
    "The funder of the post offered",
    lambda c: str(c["post"].funder),
    "North Health Education",
)
OFFERS_LINK = Placeholder(
    "offers_link",
    "The link to the round's offers page (for the programme team)",
    lambda c: link("offers", _application(c).round_id),
    "https://fellowship.example.nhs.uk/recruitment/rounds/3/offers/",
)


register(
    "application_submitted",
    name="Application received",
    when="An applicant submits their application",
    placeholders=[
        Placeholder(
            "applicant_name",
            "The applicant's full name",
            lambda c: full_name(c["user"]),
            "Ada Lovelace",
        ),
        APPLICATION_REF,
        ROUND_NAME,
        Placeholder(
            "submitted_at",
            "When the application was received, such as 3 February 2027 at 14:05 GMT",
            lambda c: when(_application(c).submitted_at, DATE_TIME),
            "3 February 2027 at 14:05 GMT",
        ),
        APPLICATION_LINK,
        Placeholder(
            "equality_link",
            "The link to the optional equality monitoring questions",
            lambda c: link("application_equality", _application(c).ref),
            "https://fellowship.example.nhs.uk/apply/R3-0042/equality/",
        ),
    ],
)

register(
    "application_withdrawn",
    name="Application withdrawn",
    when="An applicant withdraws their application",
    placeholders=[APPLICANT_NAME, APPLICATION_REF, ROUND_NAME],
)

register(
    "application_ineligible",
    name="Application not eligible",
    when="The programme team marks an application as not eligible",
    placeholders=[
        APPLICANT_NAME,
        APPLICATION_REF,
        ROUND_NAME,
        Placeholder(
            "reason",
            "Why the application is not eligible, as the programme team wrote it",
            lambda c: c["reason"],
            "Your post is outside the eligible regions.",
        ),
    ],
)

register(
    "deadline_reminder",
    name="Deadline reminder",
    when="48 and 24 hours before a round closes, to applicants with an unsubmitted application",
    placeholders=[
        APPLICANT_NAME,
        ROUND_NAME,
        APPLICATION_LINK,
        Placeholder("hours", "How many hours are left: 48 or 24", lambda c: c["hours"], "24"),
        Placeholder(
            "deadline",
            "When the round closes, such as Wednesday 3 March 2027 at 17:00 GMT",
            lambda c: when(_application(c).round.closes_at, DAY_DATE_TIME),
            "Wednesday 3 March 2027 at 17:00 GMT",
        ),
    ],
)

register(
    "manager_approval_request",
    name="Manager's approval: request",
    when="An applicant asks their manager to confirm their release",
    placeholders=[
        MANAGER_NAME,
        Placeholder(
            "applicant_name",
            "The applicant's full name",
            lambda c: full_name(c["applicant"]),
            "Ada Lovelace",
        ),
        ROUND_NAME,
        Placeholder(
            "employer",
            "The applicant's employer",
            lambda c: _application(c).employer,
            "Northtown NHS Trust",
        ),
        CLOSES_AT,
        Placeholder(
            "approval_link",
            "The manager's link to confirm (no account needed)",
            lambda c: link("manager_approval", c["token"]),
            "https://fellowship.example.nhs.uk/approval/abc123/",
        ),
    ],
)

register(
    "manager_approval_confirmed",
    name="Manager's approval: confirmed",
    when="The manager confirms the applicant's release through their link",
    placeholders=[APPLICANT_NAME, MANAGER_NAME, APPLICATION_REF, APPLICATION_LINK],
)

register(
    "manager_approval_declined",
    name="Manager's approval: not given",
    when="The manager says through their link that they do not approve the applicant's release",
    placeholders=[
        APPLICANT_NAME,
        MANAGER_NAME,
        APPLICATION_REF,
        CLOSES_AT,
        Placeholder(
            "decline_reason",
            "The manager's reason, as they wrote it",
            lambda c: _application(c).approval_decline_reason,
            "We cannot release staff from the ward this year.",
        ),
        Placeholder(
            "approval_link",
            "The link to the applicant's page about their employer's approval",
            lambda c: link("application_approval", _application(c).ref),
            "https://fellowship.example.nhs.uk/apply/R3-0042/approval/",
        ),
    ],
)

register(
    "equality_access_changed",
    name="Equality monitoring access changed",
    when="Someone gives or takes away a person's access to equality monitoring",
    placeholders=[
        Placeholder(
            "person_name",
            "The full name of the person whose access changed",
            lambda c: full_name(c["person"]),
            "Grace Hopper",
        ),
        Placeholder(
            "can_now_or_no_longer",
            "“can now” when access was given, “can no longer” when it was taken away",
            lambda c: "can now" if c["allowed"] else "can no longer",
            "can now",
        ),
        Placeholder(
            "changed_by",
            "The full name of the person who made the change",
            lambda c: full_name(c["by"]),
            "Ada Lovelace",
        ),
        Placeholder(
            "change",
            "What changed, with the person's name and e-mail address",
            lambda c: (
                f"given {full_name(c['person'])} ({c['person'].email}) access to equality monitoring"
                if c["allowed"]
                else f"taken away access to equality monitoring from {full_name(c['person'])} ({c['person'].email})"
            ),
            "given Grace Hopper (grace@example.nhs.uk) access to equality monitoring",
        ),
        Placeholder(
            "changed_at",
            "When, in UK time, such as 3 February 2027 at 2:05pm",
            lambda c: when(c["at"], r"j F Y \a\t g:ia"),
            "3 February 2027 at 2:05pm",
        ),
        Placeholder(
            "audit_log_link",
            "The link to the audit log",
            lambda c: link("audit_log"),
            "https://fellowship.example.nhs.uk/audit/",
        ),
    ],
)


# Shortlisting --------------------------------------------------------------------------------------

register(
    "shortlist_assigned",
    name="Applications to score",
    when="Applications are shared out to a reviewer for shortlisting",
    placeholders=[
        Placeholder(
            "reviewer_name",
            "The reviewer's first name",
            lambda c: short_name(c["reviewer"]),
            "Grace",
        ),
        Placeholder(
            "count", "How many new applications they have to score", lambda c: c["count"], "3"
        ),
        Placeholder(
            "applications",
            "“application” for one, “applications” for more",
            lambda c: plural(c["count"], "application", "applications"),
            "applications",
        ),
        Placeholder(
            "round_name",
            "The name of the recruitment round",
            lambda c: c["round"].name,
            "Cohort 5 recruitment",
        ),
        Placeholder(
            "reviews_link",
            "The link to the reviewer's shortlisting",
            lambda c: link("my_reviews"),
            "https://fellowship.example.nhs.uk/shortlisting/",
        ),
    ],
)

_ROUND_FROM_CONTEXT = Placeholder(
    "round_name",
    "The name of the recruitment round",
    lambda c: c["round"].name,
    "Cohort 5 recruitment",
)

register(
    "shortlist_shortlisted",
    name="Shortlisted",
    when="The programme team confirms the shortlist: to each applicant shortlisted",
    placeholders=[APPLICANT_SHORT_NAME, APPLICATION_REF, _ROUND_FROM_CONTEXT],
)

register(
    "shortlist_unsuccessful",
    name="Not shortlisted",
    when="The programme team confirms the shortlist: to each applicant not shortlisted",
    placeholders=[APPLICANT_SHORT_NAME, APPLICATION_REF, _ROUND_FROM_CONTEXT],
)


# Interviews ----------------------------------------------------------------------------------------

register(
    "interview_choose_slot",
    name="Choose an interview time",
    when="The programme team asks shortlisted candidates to choose an interview time",
    placeholders=[
        APPLICANT_NAME,
        APPLICATION_REF,
        Placeholder(
            "choose_link",
            "The link where the candidate chooses a time",
            lambda c: c["page_url"],
            "https://fellowship.example.nhs.uk/apply/R3-0042/interview/",
        ),
    ],
)


def _where(context) -> str:
    panel = context["panel"]
    lines = []
    if panel.location:
        lines.append(f"Where: {panel.location}")
    if panel.video_link:
        lines.append(f"Video link: {panel.video_link}")
    return "\n".join(lines)


register(
    "interview_invitation",
    name="Interview invitation",
    when="A candidate has an interview time (with a calendar file attached)",
    placeholders=[
        APPLICANT_NAME,
        APPLICATION_REF,
        Placeholder(
            "interview_date",
            "The day of the interview, such as Tuesday 9 March 2027",
            lambda c: when(c["slot"].starts_at, "l j F Y"),
            "Tuesday 9 March 2027",
        ),
        Placeholder(
            "interview_day",
            "The day of the interview, short, such as 9 March",
            lambda c: when(c["slot"].starts_at, "j F"),
            "9 March",
        ),
        Placeholder(
            "interview_start",
            "When it starts, such as 10:30",
            lambda c: when(c["slot"].starts_at, "H:i"),
            "10:30",
        ),
        Placeholder(
            "interview_end",
            "When it ends, such as 11:15 GMT",
            lambda c: when(c["slot"].ends_at, "H:i T"),
            "11:15 GMT",
        ),
        Placeholder(
            "where",
            "“Where: …” and “Video link: …” lines for the panel, each only if it has one",
            _where,
            "Where: Northtown Hospital, Seminar Room 2\nVideo link: https://meet.example.nhs.uk/panel-a",
        ),
        Placeholder(
            "interview_link",
            "The link to the candidate's interview page",
            lambda c: c["page_url"],
            "https://fellowship.example.nhs.uk/apply/R3-0042/interview/",
        ),
    ],
)


# Offers --------------------------------------------------------------------------------------------

RESPOND_BY = Placeholder(
    "respond_by",
    "The deadline to reply to the offer, such as Friday 12 March 2027, 17:00 GMT",
    lambda c: when(c["offer"].respond_by, "l j F Y, H:i T"),
    "Friday 12 March 2027, 17:00 GMT",
)

register(
    "offer_made",
    name="Offer of a post",
    when="The programme team offers a candidate a post",
    placeholders=[
        APPLICANT_NAME,
        ROUND_NAME,
        REGION,
        FUNDER,
        Placeholder(
            "theme_in_brackets",
            "The post's specialty theme in brackets, after a space, or nothing if it has none",
            lambda c: f" ({c['post'].specialty_theme})" if c["post"].specialty_theme else "",
            " (Radiology)",
        ),
        RESPOND_BY,
        Placeholder(
            "respond_by_date",
            "The deadline's date, such as 12 March 2027",
            lambda c: when(c["offer"].respond_by, "j F Y"),
            "12 March 2027",
        ),
        Placeholder(
            "respond_link",
            "The link where the candidate accepts or declines",
            lambda c: link("offer_respond", c["offer"].pk),
            "https://fellowship.example.nhs.uk/offers/12/",
        ),
    ],
)

register(
    "offer_accepted",
    name="Offer accepted (to the programme team)",
    when="A candidate accepts an offer",
    placeholders=[
        APPLICANT_NAME,
        APPLICATION_REF,
        REGION,
        FUNDER,
        Placeholder(
            "cohort", "The cohort the new fellow joins", lambda c: str(c["post"].cohort), "Cohort 5"
        ),
        OFFERS_LINK,
    ],
)

register(
    "offer_decline_confirmed",
    name="Offer declined (to the candidate)",
    when="A candidate declines an offer",
    placeholders=[APPLICANT_NAME, APPLICATION_REF, ROUND_NAME, REGION],
)

register(
    "offer_declined",
    name="Offer declined (to the programme team)",
    when="A candidate declines an offer",
    placeholders=[
        APPLICANT_NAME,
        APPLICATION_REF,
        REGION,
        FUNDER,
        Placeholder(
            "reason_line",
            "“Their reason: …” if the candidate gave one, or nothing",
            lambda c: f"Their reason: {c['reason']}" if c.get("reason") else "",
            "Their reason: I have accepted a post elsewhere.",
        ),
        OFFERS_LINK,
    ],
)

register(
    "offer_lapsed",
    name="Offer lapsed (to the programme team)",
    when="An offer's deadline passes with no reply",
    placeholders=[APPLICATION_REF, REGION, FUNDER, RESPOND_BY, OFFERS_LINK],
)


def _scores(context) -> str:
    scale_max = context["scale_max"]
    lines = []
    for criterion, score, note in context["feedback"]:
        line = f"- {criterion.title}: " + (
            "not scored" if score is None else f"{score} out of {scale_max}"
        )
        if note:
            line += f"\n  {note}"
        lines.append(line)
    return "\n".join(lines)


register(
    "unsuccessful_feedback",
    name="Not offered a post, with feedback",
    when="The programme team closes the round's offers: to each interviewed candidate without an offer",
    placeholders=[
        APPLICANT_NAME,
        APPLICATION_REF,
        ROUND_NAME,
        Placeholder(
            "scale_max", "The highest score for a criterion", lambda c: c["scale_max"], "4"
        ),
        Placeholder(
            "scores",
            "One line per criterion with the panel's agreed score, and its note if any",
            _scores,
            "- Leadership: 3 out of 4\n  Clear examples of leading change.\n- Digital skills: 2 out of 4",
        ),
    ],
)
