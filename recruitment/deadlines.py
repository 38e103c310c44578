"""Deadlines in words: the time left, and the message when it has passed (shown in Europe/London)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def time_left(closes_at: datetime, now: datetime | None = None) -> str:
    """How long until the deadline, in words: "3 days 4 hours left", "" once it has passed."""
    seconds = int((closes_at - (now or timezone.now())).total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60

    def n(value: int, unit: str) -> str:
        return f"{value} {unit}{'' if value == 1 else 's'}"

    if days:
        parts = [n(days, "day")] + ([n(hours, "hour")] if hours else [])
    elif hours:
        parts = [n(hours, "hour")] + ([n(minutes, "minute")] if minutes else [])
    elif minutes:
        parts = [n(minutes, "minute")]
    else:
        return "less than a minute left"
    return " ".join(parts) + " left"


def deadline_passed_message(round) -> str:
    """What an applicant is told when they act after the round closed."""
    closes = timezone.localtime(round.closes_at)
    return (
        f"The deadline was {closes:%-d %B %Y at %H:%M} {closes.tzname()}. "
        "You can no longer change or submit this application."
    )
