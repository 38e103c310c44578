"""E-mail texts that faculty edit: the registry of e-mail kinds, the ((name)) renderer and validation.

Every e-mail goes through `fellowship.notifications.notify(kind, to=, context=)`. Its subject and
body are plain text with named placeholders in GOV.UK Notify style, `((applicant_name))`, never
Django template language: faculty write these texts, and a template would let them reach any
attribute of the objects in the context. Each kind declares its placeholders (a plain
description, how the value is worked out from the notify() context, and a sample for previews)
in its own app's emails.py, which FellowshipConfig.ready() loads, so the core never imports a
feature app. The default texts are templates/email/KIND_subject.txt and KIND_body.txt; faculty's
latest saved version, if there is one, replaces them. Each save, restore or reset is a version.

The modules: `kinds` (the registry), `values` (helpers for working out placeholder values),
`texts` (default and current texts, rendering, validation), `versions` (the services that save,
restore and reset a text) and `core` (the programme core's own e-mails, declared on import).
"""

from . import core  # noqa: F401  (declares the programme core's own e-mails)
from .core import MENTORING_COHORT, MENTORING_LINK, MFA_SENTENCE
from .kinds import COMMON, EmailKind, Placeholder, all_kinds, get_kind, kinds, register
from .texts import (
    BLANK_LINES,
    BODY_MAX,
    PLACEHOLDER,
    SUBJECT_MAX,
    TEMPLATE_SYNTAX,
    current_text,
    default_text,
    fill,
    preview,
    problems,
    render,
    render_message,
    used_names,
    validate,
)
from .values import full_name, link, plural, short_name, when
from .versions import reset_to_default, restore_version, save_text

__all__ = [
    "BLANK_LINES",
    "BODY_MAX",
    "COMMON",
    "MENTORING_COHORT",
    "MENTORING_LINK",
    "MFA_SENTENCE",
    "PLACEHOLDER",
    "SUBJECT_MAX",
    "TEMPLATE_SYNTAX",
    "EmailKind",
    "Placeholder",
    "all_kinds",
    "current_text",
    "default_text",
    "fill",
    "full_name",
    "get_kind",
    "kinds",
    "link",
    "plural",
    "preview",
    "problems",
    "register",
    "render",
    "render_message",
    "reset_to_default",
    "restore_version",
    "save_text",
    "short_name",
    "used_names",
    "validate",
    "when",
]
