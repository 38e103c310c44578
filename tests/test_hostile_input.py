"""Hostile input to every form of the service: no 500, and no script that a page renders unescaped.

For every URL that some role can open (EXPECTED in test_access.py, and the steps of a draft
application), the test opens the page as each such role, parses the forms that submit to one of
our views (search forms by GET too) and sends hostile values to each:
very long strings, right-to-left text, emoji and combining marks, NUL bytes, invalid UTF-8,
HTML and script, SQL fragments, letters in number and date fields, huge and negative numbers,
choices that do not exist, lists where one value is expected and HTML files named .pdf.
A fixed set of payloads runs first, then a few that hypothesis draws (derandomised, so the run
is repeatable). Every response must be something other than a 500, and no HTML page may contain
the script or attribute exactly as posted: a form either rejects it or the page escapes it.

A last test stores script through every form that accepts it, then opens every page as every
role, so that text saved on one page and shown on another is checked too.

Run it once against PostgreSQL as well (DATABASE_URL=postgres://...): PostgreSQL refuses NUL
bytes and overlong values where SQLite stores them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote_plus, urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitment.enums import ApprovalMethod

from .factories import ApplicationFactory, RoundFactory, complete_draft
from .test_access import EXPECTED, OUR_APPS, ROLES, build_world

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover=alert(1) x="'
SQL = "'; DROP TABLE x; --"
NUL = "before\x00after"
LONG = ("Long text " * 1_100)[:11_000]
UNICODE = "\u202eevil\u202c مرحبا בעולם 👩🏽‍⚕️🏥 e\u0301\u0302\u0303 Z\u0336\u0337 ﷽ \ufeff\u200b"
# "²" and "①" pass str.isdigit() but not int(); "٣" is an Arabic-Indic three that int() reads.
WRONG_NUMBERS = ["abc", str(10**30), "-1", "-99999999999", "1e309", "NaN", "½", "²", "①", "٣"]
WRONG_DATES = ["not a date", "2024-02-30", "0000-00-00", "99999-12-31", "31/31/9999", "-1"]
WRONG_CHOICES = ["999999999", "not-a-choice", "-1", "0", "²", SCRIPT]
# Raw bytes no browser should send: invalid UTF-8 and an encoded lone surrogate (U+D800).
RAW_BYTES = b"\xff\xfe\xed\xa0\x80%ED%A0%80%FF%00"
# What the unescaped payloads look like in a page: if either appears, a template printed input raw.
UNESCAPED = (SCRIPT, ATTRIBUTE)

TEXT_KINDS = {"text", "textarea", "email", "url", "tel", "password", "search", "hidden"}
NUMBER_KINDS = {"number", "range"}
DATE_KINDS = {"date", "time", "datetime-local", "month", "week"}
CHOICE_KINDS = {"select", "radio", "checkbox"}
CSRF = "csrfmiddlewaretoken"


# Reading forms -----------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str
    options: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # what the browser would send untouched
    multiple: bool = False


@dataclass
class Form:
    action: str
    multipart: bool
    method: str = "post"
    fields: dict[str, Field] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    def defaults(self, button: int = 0) -> dict[str, list[str]]:
        data = {name: list(f.values) for name, f in self.fields.items() if f.kind != "file"}
        if self.buttons:
            name, value = self.buttons[button % len(self.buttons)]
            data[name] = [value]
        return data


class FormParser(HTMLParser):
    """Collects the forms of a page: fields, their kinds, options and current values."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.option: dict | None = None
        self.textarea: Field | None = None
        self.links: list[Form] = []

    def field(self, name: str, kind: str) -> Field:
        assert self.form is not None
        return self.form.fields.setdefault(name, Field(name, kind))

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.link(urljoin(self.page_url, a["href"]))
            return
        if tag == "form":
            method = "post" if a.get("method", "get").lower() == "post" else "get"
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self.form = Form(action, "multipart" in a.get("enctype", ""), method)
            return
        if self.form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self.form.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                f = self.field(name, kind)
                f.options.append(a.get("value", "on"))
                f.multiple = f.multiple or kind == "checkbox"
                if "checked" in a:
                    f.values.append(a.get("value", "on"))
            elif kind not in ("button", "reset"):
                self.field(name, kind).values.append(a.get("value", ""))
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            self.form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = self.field(name, "textarea")
            self.textarea.values.append("")
        elif tag == "select" and name:
            self.select = self.field(name, "select")
            self.select.multiple = "multiple" in a
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}

    def link(self, href: str) -> None:
        """A link with a query string is a search form too: its parameters are its fields."""
        parts = urlsplit(href)
        form = Form(parts._replace(query="", fragment="").geturl(), False, "get")
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            form.fields.setdefault(name, Field(name, "text")).values.append(value)
        self.links.append(form)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.values[-1] += data
        if self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "textarea":
            if self.textarea is not None:  # HTML drops a newline straight after <textarea>
                self.textarea.values[-1] = self.textarea.values[-1].removeprefix("\n")
            self.textarea = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option["value"]
            value = self.option["text"].strip() if value is None else value
            self.select.options.append(value)
            if self.option["selected"]:
                self.select.values.append(value)
            self.option = None
        elif tag == "select" and self.select is not None:
            if not self.select.values and self.select.options and not self.select.multiple:
                self.select.values.append(self.select.options[0])
            self.select = None


def is_ours(url: str) -> bool:
    """Forms that post to our own views (not allauth's sign-out button in the header)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return False
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False
    return match.func.__module__.split(".")[0] in OUR_APPS


def forms_on(response, url: str) -> list[Form]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = FormParser(urljoin("http://testserver", url))
    parser.feed(response.content.decode("utf-8", "replace"))
    return [f for f in parser.forms + parser.links if is_ours(f.action)]


# Hostile payloads --------------------------------------------------------------------------


def hostile_file(name: str = "evidence.pdf") -> SimpleUploadedFile:
    """HTML with script, named as a PDF and sent as text/html."""
    body = f"<html><body>{SCRIPT}<img src=x onerror=alert(1)></body></html>".encode()
    return SimpleUploadedFile(name, body, content_type="text/html")


PLAUSIBLE = {
    "number": "1",
    "range": "1",
    "date": "2030-06-03",
    "time": "10:00",
    "datetime-local": "2030-06-03T10:00",
    "month": "2030-06",
}


def plausible(f: Field) -> list[str]:
    """A valid-looking value for an empty field that is not a text box."""
    if f.kind in CHOICE_KINDS:
        return [o for o in f.options if o][:1]  # the first real option; a declaration is ticked
    return [PLAUSIBLE[f.kind]] if f.kind in PLAUSIBLE else []


# Themes that put hostile text in the text boxes and sensible values elsewhere, so that the form
# is likely to be saved: the text reaches the database and is shown again on other pages.
IN_TEXT = {
    "nul": NUL,
    "long": LONG,
    "sql": SQL,
    "unicode": UNICODE,
    "attribute": ATTRIBUTE,
    "script": SCRIPT,
    "markup": f"{SCRIPT} {ATTRIBUTE}",
}
# Themes that spoil every field, hidden ones and choices included.
EVERYWHERE = {"nul everywhere": NUL, "long everywhere": LONG, "sql everywhere": SQL}


def in_text(f: Field, theme: str, n: int) -> list[str]:
    if f.kind == "email":  # valid addresses, one longer than a database column of 254
        return [("a" * 300 if theme == "long" else f"hostile.{n}") + "@example.com"]
    if f.kind == "url":  # valid links, one longer than a database column of 200
        return [f"https://example.com/{'a' * 2000 if theme == 'long' else '?q=' + SCRIPT}"]
    value = IN_TEXT[theme]
    return [value if theme == "long" else f"Hostile {value} {f.name}"]


def themed(form: Form, theme: str, n: int) -> dict:
    """Fill `form` for one named theme; the n-th theme also picks the n-th submit button."""
    data: dict = form.defaults(button=n)
    wrong = itertools.cycle(WRONG_NUMBERS[n % len(WRONG_NUMBERS) :] + WRONG_NUMBERS)
    wrong_date = itertools.cycle(WRONG_DATES[n % len(WRONG_DATES) :] + WRONG_DATES)
    for name, f in form.fields.items():
        if name == CSRF:
            continue
        if f.kind == "file":
            if theme != "empty":
                data[name] = hostile_file(f"{name}.pdf")
            continue
        if theme == "empty":
            data.pop(name, None)
        elif theme in IN_TEXT:
            if f.kind in TEXT_KINDS and f.kind != "hidden":
                data[name] = in_text(f, theme, n)
            elif not any(f.values):
                data[name] = plausible(f) or data.get(name, [])
        elif theme in EVERYWHERE:
            data[name] = [f"{(f.values or ['1'])[0]}{EVERYWHERE[theme]}"]
        elif theme == "wrong types":
            if f.kind in NUMBER_KINDS:
                data[name] = [next(wrong)]
            elif f.kind in DATE_KINDS:
                data[name] = [next(wrong_date)]
            elif f.kind in CHOICE_KINDS or f.kind == "hidden":
                data[name] = [WRONG_CHOICES[n % len(WRONG_CHOICES)]]
        elif theme == "big numbers":
            if f.kind in NUMBER_KINDS | CHOICE_KINDS or f.kind == "hidden":
                data[name] = [str(10**30 if n % 2 else -(10**30))]
            elif f.kind in DATE_KINDS:
                data[name] = ["99999-12-31"]
        elif theme == "lists":
            data[name] = [*(f.values or ["1"]), SCRIPT, *f.options[:3]]
    return data


THEMES = [
    "empty",
    *EVERYWHERE,
    "wrong types",
    "big numbers",
    "lists",
    "raw bytes",
    "nul",
    "long",
    "sql",
    "unicode",
    "attribute",
    "script",
]

hostile_text = st.one_of(
    st.sampled_from(
        [SCRIPT, ATTRIBUTE, SQL, NUL, LONG, UNICODE, "", " ", *WRONG_NUMBERS, *WRONG_DATES]
    ),
    st.text(min_size=1, max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.builds(
        lambda a, b: a + b, st.sampled_from([SCRIPT, SQL, NUL, ATTRIBUTE]), st.text(max_size=20)
    ),
)


def random_value(draw, f: Field) -> list[str] | None:
    """A value for one field: hostile text, an option it offers, or nothing at all."""
    choices = [st.lists(hostile_text, min_size=1, max_size=3), st.just(None)]
    if f.options:
        choices.append(st.lists(st.sampled_from(f.options), min_size=1, max_size=3))
    if f.values:
        choices.append(st.just(f.values))
    return draw(st.one_of(*choices))


# Posting and checking ----------------------------------------------------------------------


def summary(data) -> str:
    if isinstance(data, bytes):
        return repr(data[:200])
    out = {}
    for k, v in data.items():
        if isinstance(v, SimpleUploadedFile):
            out[k] = f"<file {v.name} {v.content_type}>"
        else:
            out[k] = [x[:60] + f"…({len(x)} chars)" if len(x) > 60 else x for x in v]
    return repr(out)


def unescaped_in(response) -> list[str]:
    if "html" not in response.get("Content-Type", ""):
        return []
    body = response.content.decode("utf-8", "replace")
    return [p for p in UNESCAPED if p in body]


def post(client, form: Form, data) -> list[str]:
    """Send `data` with `form` (a search form by GET) and follow a redirect; the problems seen."""
    problems = []
    where = f"{form.method.upper()} {form.action} with {summary(data)}"
    try:
        # A savepoint, so that a database error in one post leaves the test's transaction usable.
        with transaction.atomic():
            if form.method == "get":
                response = client.get(form.action, {k: v for k, v in data.items() if k != CSRF})
            elif isinstance(data, bytes):
                response = client.post(
                    form.action, data=data, content_type="application/x-www-form-urlencoded"
                )
            elif form.multipart:
                response = client.post(form.action, data)
            else:
                plain = [(k, x) for k, v in data.items() for x in v]
                response = client.post(
                    form.action,
                    data=urlencode(plain, encoding="utf-8", errors="surrogatepass"),
                    content_type="application/x-www-form-urlencoded",
                )
    except Exception as exc:  # the test client re-raises the view's exception: that is a 500
        return [f"{where}: raised {exc.__class__.__name__}: {str(exc)[:300]}"]
    if response.status_code >= 500:
        return [f"{where}: status {response.status_code}"]
    problems += [f"{where}: page shows {p!r} unescaped" for p in unescaped_in(response)]
    if response.status_code in (301, 302, 303) and is_ours(response["Location"]):
        location = response["Location"]
        try:
            with transaction.atomic():
                followed = client.get(location)
        except Exception as exc:
            return [f"{where}, then GET {location}: raised {exc.__class__.__name__}: {exc}"]
        if followed.status_code >= 500:
            problems.append(f"{where}, then GET {location}: status {followed.status_code}")
        problems += [
            f"{where}, then GET {location}: shows {p!r} unescaped" for p in unescaped_in(followed)
        ]
    return problems


def raw_body(form: Form) -> bytes:
    """The form's defaults with invalid UTF-8 in every field but the CSRF token, as raw bytes."""
    parts = []
    for name, values in form.defaults().items():
        for value in values:
            if name == CSRF:
                parts.append(urlencode({name: value}).encode())
            else:
                parts.append(quote_plus(name).encode() + b"=" + RAW_BYTES)
    return b"&".join(parts)


def stored_nul() -> list[str]:
    """Text columns of our apps that hold a NUL byte: a form should have refused it."""
    if connection.vendor == "postgresql":
        return []  # PostgreSQL cannot store one
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        # Read in Python: SQLite's LIKE stops at a NUL, so `__contains` would match every row.
        for row in model._default_manager.values_list(*names) if names else ():
            found |= {
                f"{model._meta.label}.{n}"
                for n, v in zip(names, row, strict=True)
                if v and "\x00" in v
            }
    return sorted(found)


def client_for(role: str, world, client, login):
    return client if role == "anonymous" else login(world["users"][role])


def _draft(w):
    return {"ref": w["draft_application"].ref}


# Pages that test_access reaches only as a redirect: the steps of an application still in draft.
DRAFT_PAGES = {
    f"{name} (draft)": (name, _draft, ["applicant"])
    for name in (
        "application_overview",
        "application_eligibility",
        "application_statement",
        "application_documents",
        "application_approval",
        "application_review",
        "application_withdraw",
        "application_equality",
    )
}
DRAFT_PAGES["manager_approval (draft)"] = (
    "manager_approval",
    lambda w: {"token": w["draft_application"].approval_token},
    ["anonymous"],
)

# Each page that some role can open: (URL name, kwargs builder, the roles that get a 200).
PAGES = {
    name: (name, build, [role for role in ROLES if expected[role] == 200])
    for name, (build, expected) in sorted(EXPECTED.items())
    if 200 in expected.values()
} | DRAFT_PAGES


def url_for(page: str, world) -> str:
    name, build, _ = PAGES[page]
    return reverse(name, kwargs=build(world) if build else None)


RANDOM_EXAMPLES = 3


@pytest.fixture
def world(role_users):
    """test_access's world, and a complete draft whose manager is asked by e-mailed link."""
    world = build_world(role_users)
    draft = complete_draft(
        ApplicationFactory(
            round=RoundFactory(cohort=world["cohort"]), applicant=role_users["applicant"]
        )
    )
    draft.approval_method = ApprovalMethod.MANAGER_LINK
    draft.approval_token = "a-draft-manager-link-token"
    draft.save()
    return {**world, "draft_application": draft}


@pytest.fixture
def clients(world, client, login):
    return {role: client_for(role, world, client, login) for role in ROLES}


def forms_of(name: str, world, clients) -> list[tuple[str, object, Form]]:
    """(role, client, form) for each distinct form on the page across the roles that open it."""
    url, seen, found = url_for(name, world), set(), []
    for role in PAGES[name][2]:
        for form in forms_on(clients[role].get(url), url):
            shape = (
                form.method,
                urlsplit(form.action).path,
                tuple(form.fields),
                tuple(form.buttons),
            )
            if shape not in seen:
                seen.add(shape)
                found.append((role, clients[role], form))
    return found


@pytest.mark.parametrize("name", sorted(PAGES))
def test_forms_survive_hostile_input(name, world, clients):
    forms = forms_of(name, world, clients)
    if not forms:
        pytest.skip(f"{name} has no form for our views")
    problems: list[str] = []
    for n, theme in enumerate(THEMES):
        # The forms as first read: an earlier post may have changed the page, but the hostile
        # values still go to the same views (and the test client does not check CSRF tokens).
        for i, (role, c, form) in enumerate(forms):
            if theme == "raw bytes" and form.method == "get":
                continue  # a query string is text: the test client cannot send it invalid UTF-8
            data = raw_body(form) if theme == "raw bytes" else themed(form, theme, n + i)
            problems += [f"[{theme}] as {role}: {p}" for p in post(c, form, data)]
    assert not problems, "\n".join(problems)
    assert stored_nul() == [], "these columns took a NUL byte that a form should have refused"

    @settings(
        max_examples=RANDOM_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def random_payloads(data):
        for role, c, form in forms:
            payload = form.defaults(button=data.draw(st.integers(0, 5)))
            for fname, f in form.fields.items():
                if fname == CSRF:
                    continue
                if f.kind == "file":
                    if data.draw(st.booleans()):
                        payload[fname] = hostile_file(
                            data.draw(st.sampled_from(["a.pdf", "a.html", "a"]))
                        )
                    continue
                value = random_value(data.draw, f)
                if value is None:
                    payload.pop(fname, None)
                else:
                    payload[fname] = value
            found = post(c, form, payload)
            assert not found, f"as {role}: " + "\n".join(found)

    random_payloads()


def test_stored_script_is_escaped_on_every_page(world, clients):
    """Store script through every form that takes it, then open every page as every role."""
    problems: list[str] = []
    for name in PAGES:
        for i, (role, c, form) in enumerate(forms_of(name, world, clients)):
            problems += [f"as {role}: {p}" for p in post(c, form, themed(form, "markup", i))]
    for name, (_, _, roles) in PAGES.items():
        try:
            url = url_for(name, world)
        except AttributeError:  # an object the posts deleted (a survey's only question)
            continue
        for role in roles:
            try:
                with transaction.atomic():
                    response = clients[role].get(url)
            except Exception as exc:
                problems.append(f"GET {url} as {role}: raised {exc.__class__.__name__}: {exc}")
                continue
            if response.status_code >= 500:
                problems.append(f"GET {url} as {role}: status {response.status_code}")
            problems += [
                f"GET {url} as {role}: shows {p!r} unescaped" for p in unescaped_in(response)
            ]
    assert not problems, "\n".join(problems)
