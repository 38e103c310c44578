"""Who made a change and why, for the history tables.

django-simple-history reads the person and the reason from attributes it looks for on the
instance being saved or deleted; these functions set them, so that services say what they mean
and the type checker knows the attributes exist.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def changed_by(instance: models.Model, by: Any, *, reason: str | None = None) -> None:
    """Record `by` (a user, or None for the system) as the author of the instance's next saved
    or deleted version, with an optional reason shown in its history."""
    instance._history_user = by  # type: ignore[attr-defined]
    if reason is not None:
        instance._change_reason = reason  # type: ignore[attr-defined]


def change_reason(instance: models.Model, reason: str) -> None:
    """Record why the instance's next saved or deleted version was made."""
    instance._change_reason = reason  # type: ignore[attr-defined]
