"""The registry of e-mail kinds: each kind the service sends, with the ((placeholders)) it offers."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger("fellowship.notify")


@dataclass(frozen=True)
class Placeholder:
    """One ((name)) an e-mail offers: what it means, how its value is worked out, a sample."""

    name: str
    description: str
    value: Callable[[Mapping], object]
    sample: str

    @property
    def tag(self) -> str:
        return f"(({self.name}))"


@dataclass(frozen=True)
class EmailKind:
    """One kind of e-mail the service sends, named as faculty see it, with its placeholders."""

    key: str
    name: str
    when: str
    placeholders: tuple[Placeholder, ...] = field(default=())

    @property
    def by_name(self) -> dict[str, Placeholder]:
        return {p.name: p for p in self.placeholders}

    @property
    def tags(self) -> str:
        return ", ".join(p.tag for p in self.placeholders)

    def values(self, context: Mapping, names: Iterable[str]) -> dict[str, str]:
        """The worked-out value of each placeholder in `names` for this notify() context.

        A value that cannot be worked out (a missing object) is left empty and logged, as a
        template would have left it, so that the e-mail still goes.
        """
        offered = self.by_name
        values = {}
        for name in names:
            if name in values or name not in offered:
                continue
            try:
                value = offered[name].value(context)
            except Exception:
                log.exception("could not work out ((%s)) for %s", name, self.key)
                value = ""
            values[name] = "" if value is None else str(value)
        return values

    def samples(self) -> dict[str, str]:
        return {p.name: p.sample for p in self.placeholders}


# The registry ------------------------------------------------------------------------------------

kinds: dict[str, EmailKind] = {}


def _programme_name(context: Mapping) -> str:
    from ..models import programme  # models import this module's neighbours; keep it late

    return programme().name


COMMON = (
    Placeholder(
        "programme_name",
        "The programme's name, as set for the site (for example, NHS Fellowship in Clinical AI)",
        _programme_name,
        "NHS Fellowship in Clinical AI",
    ),
    Placeholder(
        "site_url",
        "The address of the Fellowship Manager, such as https://fellowship.example.nhs.uk",
        lambda context: context.get("site_url") or settings.SITE_URL,
        "https://fellowship.example.nhs.uk",
    ),
)


def register(
    key: str, *, name: str, when: str, placeholders: Iterable[Placeholder] = ()
) -> EmailKind:
    """Declare the e-mail `key` (templates/email/KEY_subject.txt and KEY_body.txt are its
    defaults), with a plain name, when it is sent, and the placeholders its texts may use."""
    if key in kinds:
        raise ImproperlyConfigured(f"The e-mail {key!r} is declared twice")
    own = tuple(placeholders)
    names = [p.name for p in (*COMMON, *own)]
    if len(set(names)) != len(names):
        raise ImproperlyConfigured(f"The e-mail {key!r} declares a placeholder twice")
    if any(not re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names):
        raise ImproperlyConfigured(
            f"The e-mail {key!r} has a placeholder name other than a-z, 0-9 and _"
        )
    kinds[key] = kind = EmailKind(key=key, name=name, when=when, placeholders=(*own, *COMMON))
    return kind


def get_kind(key: str) -> EmailKind:
    try:
        return kinds[key]
    except KeyError:
        raise ImproperlyConfigured(
            f"No e-mail kind {key!r} is declared in any app's emails.py"
        ) from None


def all_kinds() -> list[EmailKind]:
    return sorted(kinds.values(), key=lambda kind: kind.name.casefold())
