"""Helpers the apps' e-mail declarations use to work out placeholder values (links, dates, names)."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone


def link(view: str, *args) -> str:
    """The full address of one of the service's pages."""
    return settings.SITE_URL + reverse(view, args=args)


def when(value: datetime | date | None, format: str = "j F Y") -> str:
    """A date or time in UK time, in Django's date format (`l j F Y \\a\\t H:i T`)."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, format)


def full_name(user) -> str:
    return user.get_full_name() if user is not None else ""


def short_name(user) -> str:
    return user.get_short_name() if user is not None else ""


def plural(count: int, singular: str = "", many: str = "s") -> str:
    return singular if count == 1 else many
