"""The e-mails about surveys, with the ((placeholders)) faculty may use in their texts.

Each value is worked out from the context the service passes to notify(); see fellowship.emails.
"""

from __future__ import annotations

from django.conf import settings

from fellowship.emails import Placeholder, full_name, register, when

LONG_DATE_TIME = r"l j F Y \a\t g:ia"
PERSON_NAME = Placeholder(
    "person_name",
    "The full name of the person invited",
    lambda c: full_name(c["person"]),
    "Ada Lovelace",
)
SURVEY_TITLE = Placeholder(
    "survey_title", "The survey's title", lambda c: c["survey"].title, "Workshop 3 feedback"
)
SURVEY_LINK = Placeholder(
    "survey_link",
    "The link to answer the survey",
    lambda c: settings.SITE_URL + c["path"],
    "https://fellowship.example.nhs.uk/surveys/12/answer/",
)


def _answer_line(format: str):
    def value(context) -> str:
        closes_at = context["survey"].closes_at
        return (
            f"Answer the survey by {when(closes_at, format)}" if closes_at else "Answer the survey"
        )

    return value


def _opens_line(context) -> str:
    survey, now = context["survey"], context.get("now")
    if survey.opens_at and now and survey.opens_at > now:
        return f"The survey opens on {when(survey.opens_at, LONG_DATE_TIME)} (UK time)."
    return ""


def _anonymous_line(stop: str):
    def value(context) -> str:
        if not context["survey"].anonymous:
            return ""
        return (
            f"The survey is anonymous. We record that you have answered, so that we {stop}, "
            "but your answers are stored with no link to you."
        )

    return value


register(
    "survey_invitation",
    name="Survey invitation",
    when="The programme team sends a survey to people",
    placeholders=[
        PERSON_NAME,
        SURVEY_TITLE,
        Placeholder(
            "description",
            "The survey's description, or nothing",
            lambda c: c["survey"].description,
            "Tell us what worked and what to change.",
        ),
        Placeholder(
            "anonymous_line",
            "For an anonymous survey, a sentence that says so; otherwise nothing",
            _anonymous_line("do not remind you"),
            "The survey is anonymous. We record that you have answered, so that we do not remind you, "
            "but your answers are stored with no link to you.",
        ),
        Placeholder(
            "opens_line",
            "When the survey opens later, a sentence giving the date; otherwise nothing",
            _opens_line,
            "The survey opens on Monday 1 March 2027 at 9am (UK time).",
        ),
        Placeholder(
            "answer_line",
            "“Answer the survey”, with “by” and its closing date if it has one",
            _answer_line(LONG_DATE_TIME),
            "Answer the survey by Friday 12 March 2027 at 5pm",
        ),
        SURVEY_LINK,
    ],
)

register(
    "survey_reminder",
    name="Survey reminder",
    when="A reminder to people who have not answered a survey yet",
    placeholders=[
        PERSON_NAME,
        SURVEY_TITLE,
        Placeholder(
            "anonymous_line",
            "For an anonymous survey, a sentence that says so; otherwise nothing",
            _anonymous_line("stop reminding you"),
            "The survey is anonymous. We record that you have answered, so that we stop reminding you, "
            "but your answers are stored with no link to you.",
        ),
        Placeholder(
            "answer_line",
            "“Answer the survey”, with “by” and its closing date if it has one",
            _answer_line("l j F Y, H:i T"),
            "Answer the survey by Friday 12 March 2027, 17:00 GMT",
        ),
        SURVEY_LINK,
    ],
)
