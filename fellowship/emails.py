"""E-mail texts that faculty edit: the registry of e-mail kinds, the ((name)) renderer and validation.

Every e-mail goes through `fellowship.notifications.notify(kind, to=, context=)`. Its subject and
body are plain text with named placeholders in GOV.UK Notify style, `((applicant_name))`, never
Django template language: faculty write these texts, and a template would let them reach any
attribute of the objects in the context. Each kind declares its placeholders (a plain
description, how the value is worked out from the notify() context, and a sample for previews)
in its own app's emails.py, which FellowshipConfig.ready() loads, so the core never imports a
feature app. The default texts are templates/email/KIND_subject.txt and KIND_body.txt; faculty's
latest saved version, if there is one, replaces them. Each save, restore or reset is a version.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils import dateformat, timezone

log = logging.getLogger("fellowship.notify")

# ((name)), allowing spaces inside the brackets as GOV.UK Notify does; a name has no brackets.
PLACEHOLDER = re.compile(r"\(\(\s*([^()]*?)\s*\)\)")
# Django template language (and comments), refused anywhere in a text faculty write.
TEMPLATE_SYNTAX = ("{{", "{%", "{#", "%}", "}}", "#}")
# Two or more blank lines (spaces allowed) in a rendered body close up to one.
BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
SUBJECT_MAX = 300
BODY_MAX = 20_000


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
    from .models import programme  # models import this module's neighbours; keep it late

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


# Helpers the apps' declarations use to work out values -------------------------------------------


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


# Texts -------------------------------------------------------------------------------------------


def default_text(key: str) -> tuple[str, str]:
    """The subject and body in templates/email/, as written (placeholders not filled in)."""
    subject = get_template(f"email/{key}_subject.txt").template.source
    body = get_template(f"email/{key}_body.txt").template.source
    return subject.strip(), body


def current_text(key: str) -> tuple[str, str]:
    """Faculty's latest saved version of the subject and body, or the defaults."""
    from .models import EmailText

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


# Services ----------------------------------------------------------------------------------------


def _record(kind: EmailKind, summary: str, *, by) -> None:
    from .audit import record
    from .enums import AuditAction, AuditSubject

    record(AuditAction.CHANGED, AuditSubject.EMAIL_TEXT, by=by, reference=kind.key, summary=summary)


def _check_latest(kind: EmailKind, based_on: int | None) -> None:
    """Refuse a change made from a page older than the latest version, so no one's edit is lost."""
    from .models import EmailText

    if based_on is None:
        return
    latest = EmailText.objects.select_for_update().filter(kind=kind.key).order_by("-pk").first()
    if (latest.pk if latest else 0) != based_on:
        raise ValidationError(
            "Someone else saved this e-mail while you were editing it. Your text is below: "
            "check the latest version in the history, then save again."
        )


def save_text(kind: EmailKind, *, subject: str, body: str, by, based_on: int | None = None):
    """Save faculty's subject and body for `kind` as its new version, used from the next e-mail.

    Raises ValidationError (nothing saved) for an unknown or unclosed placeholder, template
    language or an empty part. Side effects: an EmailText version; an audit event.
    """
    from .models import EmailText

    subject = subject.strip()
    validate(kind, subject, body)
    with transaction.atomic():
        _check_latest(kind, based_on)
        version = EmailText.objects.create(kind=kind.key, subject=subject, body=body, created_by=by)
        _record(kind, f"Saved version {version.pk} of the e-mail “{kind.name}”", by=by)
    return version


def restore_version(version, *, by):
    """Make an earlier version of an e-mail's text the current one, as a new version.

    Raises ValidationError if the text no longer suits the e-mail (a placeholder it used has
    gone). Side effects: an EmailText version marked as restored from `version`; an audit event.
    """
    from .models import EmailText

    kind = get_kind(version.kind)
    if version.is_default:
        return reset_to_default(kind, by=by)
    validate(kind, version.subject, version.body)
    with transaction.atomic():
        new = EmailText.objects.create(
            kind=kind.key,
            subject=version.subject,
            body=version.body,
            restored_from=version,
            created_by=by,
        )
        _record(kind, f"Restored version {version.pk} of the e-mail “{kind.name}”", by=by)
    return new


def reset_to_default(kind: EmailKind, *, by):
    """Go back to the default text in templates/email/, recorded as a version marked default.

    Side effects: an EmailText version (is_default, holding the default text as it was); an audit event.
    """
    from .models import EmailText

    subject, body = default_text(kind.key)
    with transaction.atomic():
        version = EmailText.objects.create(
            kind=kind.key, subject=subject, body=body, is_default=True, created_by=by
        )
        _record(kind, f"Reset the e-mail “{kind.name}” to its default text", by=by)
    return version


# The programme core's own e-mails -----------------------------------------------------------------

MFA_SENTENCE = (
    "Because this role lets you see other people's personal data, you will be asked to set up an "
    "authenticator app {when}."
)

register(
    "role_granted",
    name="Role given",
    when="The programme team gives someone a role",
    placeholders=[
        Placeholder(
            "user_name",
            "The person's full name",
            lambda c: full_name(c.get("user")),
            "Grace Hopper",
        ),
        Placeholder("role", "The role given, such as Panellist", lambda c: c["role"], "Panellist"),
        Placeholder(
            "for_funder",
            "For the funder role, “ for ” and the funder's name; otherwise nothing",
            lambda c: f" for {c['funder']}" if c.get("funder") else "",
            " for North Health Education",
        ),
        Placeholder(
            "mfa_line",
            "For roles that see personal data, a sentence saying they must set up an authenticator app",
            lambda c: (
                MFA_SENTENCE.format(when="the next time you sign in")
                if c["role"] in ("Faculty", "Panellist", "Funder")
                else ""
            ),
            MFA_SENTENCE.format(when="the next time you sign in"),
        ),
    ],
)

register(
    "invitation",
    name="Invitation to a role",
    when="The programme team invites someone by e-mail (or sends the invitation again)",
    placeholders=[
        Placeholder(
            "inviter",
            "The full name of who sent the invitation",
            lambda c: c["inviter"],
            "Dr Grace Hopper",
        ),
        Placeholder(
            "roles",
            "The roles offered, such as “Panellist and Funder”",
            lambda c: " and ".join(c["roles"]),
            "Panellist",
        ),
        Placeholder(
            "this_role_or_these_roles",
            "“this role” for one role, “these roles” for more",
            lambda c: "this role" if len(c["roles"]) == 1 else "these roles",
            "this role",
        ),
        Placeholder(
            "role_list",
            "One line per role, starting “- ”, with the funder for the funder role",
            lambda c: "\n".join(
                f"- {role}"
                + (f", acting for {c['funder']}" if role == "Funder" and c.get("funder") else "")
                for role in c["roles"]
            ),
            "- Panellist",
        ),
        Placeholder(
            "fellow_line",
            "When the invitation is for a fellow's record, a sentence naming it; otherwise nothing",
            lambda c: (
                f"Your account will be linked to your fellowship record {c['fellow'].ref} in {c['fellow'].cohort}."
                if c.get("fellow")
                else ""
            ),
            "Your account will be linked to your fellowship record F4-012 in Cohort 4.",
        ),
        Placeholder(
            "expires_at",
            "When the link stops working, such as Friday 12 March 2027 at 5:00pm",
            lambda c: when(c["expires_at"], r"l j F Y \a\t g:ia"),
            "Friday 12 March 2027 at 5:00pm",
        ),
        Placeholder(
            "link",
            "The link to accept the invitation (it works only for this person)",
            lambda c: c["link"],
            "https://fellowship.example.nhs.uk/invitation/abc.def/",
        ),
        Placeholder(
            "email",
            "The e-mail address invited",
            lambda c: c["invitation"].email,
            "grace@example.nhs.uk",
        ),
        Placeholder(
            "mfa_line",
            "For roles that see personal data, a sentence saying they must set up an authenticator app",
            lambda c: (
                MFA_SENTENCE.format(when="on your phone when you accept")
                if c.get("needs_mfa")
                else ""
            ),
            MFA_SENTENCE.format(when="on your phone when you accept"),
        ),
    ],
)

register(
    "fellow_appointed",
    name="Welcome to a cohort",
    when="A candidate accepts an offer, or the programme team adds a fellow with an account",
    placeholders=[
        Placeholder(
            "fellow_name",
            "The fellow's full name",
            lambda c: full_name(c.get("user")),
            "Dr Ada Lovelace",
        ),
        Placeholder(
            "cohort",
            "The fellow's cohort, such as Cohort 5",
            lambda c: str(c["fellow"].cohort),
            "Cohort 5",
        ),
        Placeholder("fellow_ref", "The fellow's reference", lambda c: c["fellow"].ref, "F5-012"),
        Placeholder(
            "region",
            "The region of the fellow's post",
            lambda c: str(c["fellow"].region),
            "North West",
        ),
        Placeholder(
            "funded_by",
            "“, funded by ” and the funder, if the post has one; otherwise nothing",
            lambda c: f", funded by {c['fellow'].funder}" if c["fellow"].funder else "",
            ", funded by North Health Education",
        ),
    ],
)

MENTORING_LINK = Placeholder(
    "mentoring_link",
    "The link to the person's mentoring page",
    lambda c: link("my_mentoring"),
    "https://fellowship.example.nhs.uk/mentoring/",
)
MENTORING_COHORT = Placeholder(
    "cohort", "The fellows' cohort, such as Cohort 5", lambda c: str(c["cohort"]), "Cohort 5"
)

register(
    "mentoring_published_mentee",
    name="Mentor pairs published (to each fellow)",
    when="The programme team publishes the mentor pairs for a cohort",
    placeholders=[
        Placeholder(
            "mentee_name",
            "The fellow's name",
            lambda c: c["mentee"].display_name,
            "Dr Ada Lovelace",
        ),
        MENTORING_COHORT,
        Placeholder(
            "mentor_name",
            "The mentor's name",
            lambda c: c["mentor"].display_name,
            "Dr Grace Hopper",
        ),
        Placeholder(
            "mentor_cohort",
            "The cohort the mentor was in",
            lambda c: str(c["mentor"].cohort),
            "Cohort 2",
        ),
        Placeholder(
            "mentor_contact",
            "“E-mail: ” and the mentor's address, or that the programme team will introduce them",
            lambda c: (
                f"E-mail: {c['mentor'].user.email}"
                if c["mentor"].user_id
                else "The programme team will introduce you."
            ),
            "E-mail: grace@example.nhs.uk",
        ),
        Placeholder(
            "reason",
            "Why they were paired",
            lambda c: c["reason"],
            "Same region (North West) and clinical specialty (Radiology)",
        ),
        MENTORING_LINK,
    ],
)


def _mentee_list(context) -> str:
    items = []
    for mentee, reason in context["mentees"]:
        line = f"- {mentee.display_name}, {mentee.region}"
        line += f", {mentee.specialty}" if mentee.specialty else ""
        line += f" ({mentee.user.email})" if mentee.user_id else ""
        items.append(f"{line}\n  Why you were paired: {reason}.")
    return "\n\n".join(items)


register(
    "mentoring_published_mentor",
    name="Mentor pairs published (to each mentor)",
    when="The programme team publishes the mentor pairs for a cohort",
    placeholders=[
        Placeholder(
            "mentor_name",
            "The mentor's name",
            lambda c: c["mentor"].display_name,
            "Dr Grace Hopper",
        ),
        MENTORING_COHORT,
        Placeholder(
            "mentee_count", "How many fellows they mentor", lambda c: len(c["mentees"]), "2"
        ),
        Placeholder(
            "fellows",
            "“fellow” for one, “fellows” for more",
            lambda c: plural(len(c["mentees"]), "fellow", "fellows"),
            "fellows",
        ),
        Placeholder(
            "mentees",
            "“mentee” for one, “mentees” for more",
            lambda c: plural(len(c["mentees"]), "mentee", "mentees"),
            "mentees",
        ),
        Placeholder(
            "mentee_list",
            "Each fellow's name, region, specialty, e-mail address and why they were paired",
            _mentee_list,
            "- Dr Ada Lovelace, North West, Radiology (ada@example.nhs.uk)\n"
            "  Why you were paired: Same region (North West) and clinical specialty (Radiology).",
        ),
        MENTORING_LINK,
    ],
)
