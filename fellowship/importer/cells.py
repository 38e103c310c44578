"""Cell parsers of the history import: each turns one cell's text into a value or raises CellError."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
SMALL_INT_MAX = 32_767  # PostgreSQL smallint: cohort numbers


class CellError(ValueError):
    """A cell's value is not acceptable; the message is shown to the person importing."""


def text(value: str) -> str:
    return value.strip()


def required_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise CellError("is required")
    return value


def whole_number(*, minimum: int = 1, maximum: int = SMALL_INT_MAX) -> Callable[[str], int]:
    """A whole number the database can hold (cohort numbers are small integers)."""

    def parse(value: str) -> int:
        value = value.strip()
        if not re.fullmatch(r"[+-]?\d+", value):
            raise CellError(f"must be a whole number, not {value[:40]!r}")
        if len(value.lstrip("+-0")) > len(str(maximum)) or int(value) > maximum:
            raise CellError(f"is too large to store: at most {maximum}")
        number = int(value)
        if number < minimum:
            raise CellError(f"must be {minimum} or more")
        return number

    return parse


positive_int = whole_number()


def iso_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CellError(f"must be a date written as YYYY-MM-DD, not {value[:40]!r}") from None


def yes_no(value: str) -> bool | None:
    value = value.strip().lower()
    if not value:
        return None
    if value in {"yes", "y", "true", "1"}:
        return True
    if value in {"no", "n", "false", "0"}:
        return False
    raise CellError(f"must be yes or no, not {value[:40]!r}")


def choice(choices: Iterable[str], *, blank: bool = False) -> Callable[[str], str]:
    allowed = list(choices)

    def parse(value: str) -> str:
        value = value.strip().lower()
        if not value and blank:
            return ""
        if value not in allowed:
            raise CellError(f"must be one of {', '.join(allowed)}, not {value[:40]!r}")
        return value

    return parse


def multi_choice(choices: Iterable[str]) -> Callable[[str], list[str]]:
    """A `;`-separated multiple pick; blank means the question was not answered."""
    allowed = list(choices)

    def parse(value: str) -> list[str]:
        picks = [v.strip().lower() for v in value.split(";") if v.strip()]
        wrong = [p[:40] for p in picks if p not in allowed]
        if wrong:
            raise CellError(f"{', '.join(wrong)} not one of {', '.join(allowed)}")
        return list(dict.fromkeys(picks))

    return parse


def email_address(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    value = value.strip().lower()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(
            f"must be an e-mail address such as name@example.nhs.uk, not {value[:60]!r}"
        ) from None
    return value
