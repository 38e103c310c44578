"""Links of portfolio entries: DOIs recognised and written as https://doi.org links, other
addresses checked to be http(s). Pure: no Django import, so it is tested alone.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

DOI_RESOLVER = "https://doi.org/"
# A DOI: "10.", a registrant code of 4 to 9 digits (with optional .sub-codes), "/", a suffix.
DOI = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
# The ways people write one: bare, "doi:10...", or a doi.org / dx.doi.org address.
DOI_PREFIXES = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
HOST = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$|^localhost$",
    re.IGNORECASE,
)

NOT_A_DOI = "Enter the DOI in full, such as 10.1234/abcd.5678"
NOT_A_LINK = "Enter a web address starting with https://, or a DOI such as 10.1234/abcd.5678"


class LinkError(ValueError):
    """The link is neither a DOI nor an http(s) address; the message says what to enter."""


def doi_of(link: str) -> str:
    """The DOI a normalised link resolves, or "" if it is not a doi.org link."""
    if link.startswith(DOI_RESOLVER):
        return link[len(DOI_RESOLVER) :]
    return ""


def normalise_link(value: str) -> str:
    """A DOI becomes https://doi.org/10...; a web address must be http(s). Blank stays blank.

    Raises LinkError with a message for the person typing it.
    """
    value = value.strip()
    if not value:
        return ""
    prefixed = DOI_PREFIXES.match(value)
    candidate = value[prefixed.end() :] if prefixed else value
    if prefixed or candidate.startswith("10."):
        candidate = unquote(candidate).strip()
        if not DOI.fullmatch(candidate):
            raise LinkError(NOT_A_DOI)
        return DOI_RESOLVER + candidate
    if any(c.isspace() for c in value):
        raise LinkError(NOT_A_LINK)
    try:
        parts = urlsplit(value)
    except ValueError:  # a malformed address, such as an unclosed [IPv6 bracket
        raise LinkError(NOT_A_LINK) from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or not HOST.match(parts.hostname)
    ):
        raise LinkError(NOT_A_LINK)
    return value
