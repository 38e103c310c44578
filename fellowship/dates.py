"""Dates and times as the programme keeps them: aware, in the service's time zone (Europe/London)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the service's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
