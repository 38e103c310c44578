"""Dates and times as the programme keeps them: aware, in the service's time zone (Europe/London)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the service's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def fellowship_month(start: dt.date | None, today: dt.date) -> int | None:
    """Which month of the fellowship year `today` falls in, counting the month from the start date
    as 1; None before the start or without a start date."""
    if start is None or today < start:
        return None
    elapsed = (today.year - start.year) * 12 + today.month - start.month - (today.day < start.day)
    return elapsed + 1
