"""E-mail texts: the defaults and faculty's versions, the ((name)) renderer and validation."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.template.loader import get_template

from .kinds import EmailKind, get_kind

log = logging.getLogger("fellowship.notify")

# ((name)), allowing spaces inside the brackets as GOV.UK Notify does; a name has no brackets.
PLACEHOLDER = re.compile(r"\(\(\s*([^()]*?)\s*\)\)")
# Django template language (and comments), refused anywhere in a text faculty write.
TEMPLATE_SYNTAX = ("{{", "{%", "{#", "%}", "}}", "#}")
# Two or more blank lines (spaces allowed) in a rendered body close up to one.
BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
SUBJECT_MAX = 300
BODY_MAX = 20_000


def default_text(key: str) -> tuple[str, str]:
    """The subject and body in templates/email/, as written (placeholders not filled in)."""
    subject = get_template(f"email/{key}_subject.txt").template.source
    body = get_template(f"email/{key}_body.txt").template.source
    return subject.strip(), body


def current_text(key: str) -> tuple[str, str]:
    """Faculty's latest saved version of the subject and body, or the defaults."""
    from ..models import EmailText

    latest = EmailText.objects.latest_for(key)
    if latest is None or latest.is_default:
        return default_text(key)
    return latest.subject, latest.body


def fill(text: str, values: Mapping[str, str]) -> str:
    """Put each value in place of its ((name)), once: a value that itself looks like ((name)),
    such as someone's name, stays as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def used_names(*texts: str) -> list[str]:
    return [m.group(1) for text in texts for m in PLACEHOLDER.finditer(text)]


def render(subject: str, body: str, values: Mapping[str, str]) -> tuple[str, str]:
    """The subject on one line (whitespace collapsed) and the body, values put in as plain text.

    A placeholder whose value is empty (an optional line) leaves no gap: runs of blank lines in
    the body close up to one.
    """
    body = BLANK_LINES.sub("\n\n", fill(body, values))
    return " ".join(fill(subject, values).split()), body


def render_message(key: str, context: Mapping) -> tuple[str, str]:
    """The e-mail `key` for this notify() context, from the current text."""
    kind = get_kind(key)
    subject, body = current_text(key)
    if problems(kind, subject, part="subject") or problems(kind, body, part="body"):
        # A saved text that no longer fits (a placeholder since renamed) is not sent half-filled.
        log.warning(
            "the saved text of %s no longer fits its placeholders: sending the default", key
        )
        subject, body = default_text(key)
    return render(subject, body, kind.values(context, used_names(subject, body)))


def preview(kind: EmailKind, subject: str, body: str) -> tuple[str, str]:
    """The e-mail as it would read with each placeholder's sample value; saves nothing."""
    return render(subject, body, kind.samples())


# Validation --------------------------------------------------------------------------------------


def problems(kind: EmailKind, text: str, *, part: str) -> list[str]:
    """What is wrong with the `part` ("subject" or "body") of an e-mail, in plain words."""
    if not text.strip():
        return [f"Enter the {part} of the e-mail"]
    found = []
    syntax = next((s for s in TEMPLATE_SYNTAX if s in text), None)
    if syntax:
        found.append(
            f"The {part} contains “{syntax}”, which is not allowed: "
            "write each placeholder in double round brackets, like ((programme_name))"
        )
    unknown = list(dict.fromkeys(n for n in used_names(text) if n not in kind.by_name))
    for name in unknown:
        found.append(f"The {part} uses (({name})), which this e-mail does not have")
    rest = PLACEHOLDER.sub("", text)
    if "((" in rest:
        near = rest[rest.index("((") :][:30].split("\n")[0]
        found.append(f"The {part} has “((” with no “))” to close it, at “{near}”")
    if found:
        found.append(f"The placeholders this e-mail offers are {kind.tags}")
    limit = SUBJECT_MAX if part == "subject" else BODY_MAX
    if len(text) > limit:
        found.append(f"The {part} must be {limit:,} characters or fewer (it has {len(text):,})")
    return found


def validate(kind: EmailKind, subject: str, body: str) -> None:
    """Raise ValidationError, by part, if the subject or body cannot be used."""
    errors = {}
    if found := problems(kind, subject, part="subject"):
        errors["subject"] = found
    if found := problems(kind, body, part="body"):
        errors["body"] = found
    if errors:
        raise ValidationError(errors)
