"""What the service holds about a person, app by app: the registry that access and erasure walk.

Each app that stores something about a person registers one `Holder` from its own
`personal_data.py` (loaded by FellowshipConfig.ready() like the apps' history tables). A holder
says, link by link, which records are the person's own and which only record the person acting
on someone else's record, and it knows how to export, and how to erase, what it holds:

* `own` links (e.g. `recruitment.Application.applicant`) make a record the person's: exported in
  full, then erased. Erasure removes identity (names, e-mail addresses, registration numbers,
  addresses, free text the person wrote) and files; what the programme must keep for its reported
  figures (cohort, stage reached, profession, region, scores, the equality answers of a submitted
  application) stays, in a row that no longer says whose it is.
* `acts` links (e.g. `recruitment.Offer.made_by`) record that the person acted: the link stays,
  pointing at the account, which erasure turns into a pseudonym, so the record still shows that
  someone decided, not who. Each has the reason it is kept, shown before an erasure.

tests/fellowship/test_personal_data.py finds every model with a link to a person (an account or a
fellow) or to a record a person owns, and fails when one is not covered by a holder: a new model
cannot quietly escape the right of access or erasure.

The core (`fellowship.privacy`) turns the holders' parts into a ZIP of JSON and files, and carries
out an erasure in one transaction: the accounts and fellow records themselves, the history rows of
every erased record, the audit log (entries kept, the person replaced by the pseudonym) and the
erasure's own record.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models
from django.db.models.fields.files import FieldFile

from .uploads import delete_files_on_commit

# A link names a model's field that points at a person or at a person's record: "app_label.Model.field".
Link = str


@dataclass
class Person:
    """Everyone the service may know as one person: their account (if they have one) and the
    fellow records that are theirs (linked to the account, or holding the same e-mail address)."""

    email: str
    user: Any = None  # fellowship.User or None
    fellows: list = field(default_factory=list)  # fellowship.Fellow

    @property
    def fellow_ids(self) -> list[int]:
        return [fellow.pk for fellow in self.fellows]

    @property
    def names(self) -> list[str]:
        """The names the service holds for this person (to find them in free text and the audit log)."""
        found = {self.user.full_name if self.user else ""} | {
            fellow.full_name for fellow in self.fellows
        }
        return sorted((name for name in found if name.strip()), key=len, reverse=True)


@dataclass
class Part:
    """One section of a person's export: records as plain data, and the files to put beside them."""

    name: str  # the JSON file's name in the ZIP, e.g. "applications"
    records: list[dict]
    files: list[tuple[str, FieldFile]] = field(default_factory=list)  # (path in the ZIP, file)


@dataclass(frozen=True)
class PlanLine:
    """What an erasure does to one kind of record: how many, and removed, de-identified or kept, and why."""

    what: str  # "applications", "uploaded documents"
    count: int
    fate: str  # REMOVED, DE_IDENTIFIED or KEPT
    why: str = ""


REMOVED = "removed"
DE_IDENTIFIED = "de-identified"
KEPT = "kept"


@dataclass
class Erasure:
    """The erasure under way: who, the pseudonym that replaces them, and what each holder erased.

    Holders report the rows they de-identified with `scrubbed(model, pks, fields)` (and the rows
    they deleted with `scrubbed(model, pks)`), so that the core gives those rows' history the same
    treatment, and `count(what, n)` for the erasure's record."""

    person: Person
    pseudonym: str
    by: Any = None  # who carries it out (fellowship.User), or None from the command line
    counts: dict[str, int] = field(default_factory=dict)
    # model -> (primary keys, names of the fields blanked) whose history rows follow suit.
    touched: dict[type[models.Model], tuple[set, set]] = field(default_factory=dict)
    # The person's addresses and names as they were when the erasure began, longest first: holders
    # that run after the core has blanked the account and fellow records still find them in text.
    identity: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.identity:
            found = [self.person.email, *(f.email for f in self.person.fellows), *self.person.names]
            self.identity = sorted({t for t in found if t and t.strip()}, key=len, reverse=True)

    def pseudonymise(self, value: Any) -> Any:
        """`value` (text, or JSON of lists and mappings) with the person's addresses and names,
        in any case, replaced by the pseudonym."""
        if isinstance(value, str):
            for text in self.identity:
                value = re.sub(re.escape(text), self.pseudonym, value, flags=re.IGNORECASE)
            return value
        if isinstance(value, list):
            return [self.pseudonymise(item) for item in value]
        if isinstance(value, dict):
            return {key: self.pseudonymise(item) for key, item in value.items()}
        return value

    def count(self, what: str, n: int) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n

    def scrubbed(
        self, model: type[models.Model], pks: Iterable, fields: Iterable[str] = ()
    ) -> None:
        """Rows of `model` whose `fields` were blanked (or which were deleted: no fields)."""
        known_pks, known_fields = self.touched.setdefault(model, (set(), set()))
        known_pks.update(pks)
        known_fields.update(fields)

    def delete_files(self, *files: FieldFile) -> int:
        """Delete these files from storage (local disk or object store) once the erasure commits;
        how many there are."""
        deleted = delete_files_on_commit(files)
        self.count("files removed from storage", deleted)
        return deleted


class Holder(Protocol):
    """One app's part of a person's data (see the module docstring)."""

    own: dict[Link, str]  # link -> what the records are, in words ("applications")
    acts: dict[Link, str]  # link -> why the record is kept when the person is erased

    def export(self, person: Person) -> Iterable[Part]: ...

    def plan(self, person: Person) -> Iterable[PlanLine]: ...

    def blockers(self, person: Person) -> Iterable[str]: ...

    def erase(self, person: Person, erasure: Erasure) -> None: ...

    # Optional: `references(person) -> Iterable[str]`, the audit log's references to the person's
    # records (e.g. application references), so that their export holds the entries about them.


holders: list[Holder] = []


def holder(cls):
    """Register a class as a holder of personal data (one instance is made)."""
    holders.append(cls())
    return cls


# Turning records into plain data ----------------------------------------------------------------


def plain(value: Any) -> Any:
    """A JSON-ready form of a field's value."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def record(
    instance: models.Model, *, exclude: Iterable[str] = (), extra: dict | None = None
) -> dict:
    """A record's own fields as plain data: choices as their labels, links as the linked record's
    text (never another person's details beyond what the page showed them), files by name."""
    skip = set(exclude) | {"password"}
    data: dict[str, Any] = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.name in skip:
            continue
        if model_field.is_relation:
            related = getattr(instance, model_field.name)
            data[model_field.name] = str(related) if related is not None else None
            continue
        value = getattr(instance, model_field.attname)
        if model_field.choices and value not in (None, ""):
            value = getattr(instance, f"get_{model_field.name}_display")()
        data[model_field.name] = plain(value)
    data.update(plain(extra or {}))
    return data


def records(instances: Iterable[models.Model], **kwargs) -> list[dict]:
    return [record(instance, **kwargs) for instance in instances]


def links() -> Iterator[tuple[Link, str, Holder]]:
    """Every declared link: (link, "own" or "acts", its holder)."""
    for one in holders:
        for link in one.own:
            yield link, "own", one
        for link in one.acts:
            yield link, "acts", one


# The core's own parts, registered first: its records, then copies of the e-mails sent.
from . import account_data, outbox  # noqa: E402, F401
from .public import personal_data as _interest_list  # noqa: E402, F401
