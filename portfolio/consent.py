"""The wording of the consents a fellow gives (about their testimonial, and to show their public
profile and poster on the website), in one place.

Each consent record keeps the exact words the fellow was shown and this version label, so that a
change of wording is visible on every consent given afterwards. Change the words here and give
the change a new `WORDING_VERSION`; never edit a wording without changing the version.
"""

from __future__ import annotations

from .enums import ConsentPurpose, QuoteAs, WebsitePurpose

WORDING_VERSION = "2025-09"
# The version recorded for consents carried over from the yes/no answers kept before consents
# were recorded one by one: nobody knows the exact words those fellows saw.
LEGACY_VERSION = "before consent records"

_UNTIL_WITHDRAWN = "I can withdraw this at any time from my portfolio."

WORDINGS: dict[tuple[str, str], str] = {
    (ConsentPurpose.QUOTE_IN_REPORTS, QuoteAs.NAMED): (
        "I agree that the programme may quote my testimonial in its reports, credited with my "
        "name and cohort. " + _UNTIL_WITHDRAWN + " Reports made after I withdraw will not quote it."
    ),
    (ConsentPurpose.QUOTE_IN_REPORTS, QuoteAs.ANONYMOUS): (
        "I agree that the programme may quote my testimonial in its reports anonymously, credited "
        "only as “a fellow of cohort N”. " + _UNTIL_WITHDRAWN + " Reports made after I withdraw "
        "will not quote it."
    ),
    (ConsentPurpose.PUBLISH_ON_WEBSITE, ""): (
        "I agree that the programme may publish my testimonial on its public website, credited as "
        "I chose for reports. " + _UNTIL_WITHDRAWN + " It will then be taken off the website."
    ),
}

LEGACY_WORDINGS: dict[tuple[str, str], str] = {
    (
        ConsentPurpose.QUOTE_IN_REPORTS,
        QuoteAs.NAMED,
    ): "May be quoted in reports: yes, with my name and cohort.",
    (
        ConsentPurpose.QUOTE_IN_REPORTS,
        QuoteAs.ANONYMOUS,
    ): "May be quoted in reports: yes, anonymously.",
    (ConsentPurpose.PUBLISH_ON_WEBSITE, ""): "May be published on the programme's website: yes.",
}


def wording(purpose: str, quote_as: str = "") -> str:
    """The words a fellow is shown, and agrees to, when giving this consent."""
    return WORDINGS[(purpose, quote_as if purpose == ConsentPurpose.QUOTE_IN_REPORTS else "")]


def shown_wordings() -> list[dict[str, str]]:
    """The words the testimonial page shows before the fellow answers, in the order asked."""
    return [
        {"when": "If you agree to be quoted with your name", "text": WORDINGS[(ConsentPurpose.QUOTE_IN_REPORTS, QuoteAs.NAMED)]},
        {"when": "If you agree to be quoted anonymously", "text": WORDINGS[(ConsentPurpose.QUOTE_IN_REPORTS, QuoteAs.ANONYMOUS)]},
        {"when": "If you agree to publication on the website", "text": WORDINGS[(ConsentPurpose.PUBLISH_ON_WEBSITE, "")]},
    ]  # fmt: skip


# The website: a fellow's public profile and their graduation poster ------------------------------

WEBSITE_WORDING_VERSION = "2026-12"

WEBSITE_WORDINGS: dict[str, str] = {
    WebsitePurpose.PUBLIC_PROFILE: (
        "I agree that the programme may show my profile on the fellows and alumni page of its "
        "public website, with only the parts I choose to show. " + _UNTIL_WITHDRAWN + " My "
        "profile will then be taken off the website at once."
    ),
    WebsitePurpose.POSTER: (
        "I agree that the programme may publish my graduation poster on the projects page of its "
        "public website, where anyone can see and download it. " + _UNTIL_WITHDRAWN + " My "
        "poster will then be taken off the website at once."
    ),
}


def website_wording(purpose: str) -> str:
    """The words a fellow is shown, and agrees to, when letting the website show something of theirs."""
    return WEBSITE_WORDINGS[purpose]
