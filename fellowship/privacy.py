"""A person's rights over their data: everything the service holds about them as one ZIP, and erasure.

Both walk the holders registered in `fellowship.personal_data` (each app's `personal_data.py`);
this module adds what is the core's alone: finding the person, packing the ZIP, and, for an
erasure, the account and fellow records themselves, the history rows of every record a holder
de-identified, the audit log and the erasure's own record.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from . import audit
from .enums import AuditAction, AuditSubject
from .models import AuditEvent, Fellow, User
from .models import Erasure as ErasureRecord
from .personal_data import Erasure, Part, Person, PlanLine, holders, plain

README = """\
Everything {programme} holds about you, as it was on {when}.

Each .json file holds one kind of record, as a list of records with their fields. Dates and
times are in UTC. The files you uploaded, and the files about you (such as your poster), are in the
files folder, named as the JSON records name them.

Some things are not here because they are not about you alone: the reports, which hold no one's
name, and other people's notes. Scores given to you are here once your round has closed.
"""


def find_person(email: str) -> Person:
    """The person with this e-mail address: their account and their fellow records.

    Raises LookupError when the service holds neither an account nor a fellow record for it.
    """
    email = email.strip()
    user = User.objects.filter(email__iexact=email).first()
    fellows = Fellow.objects.filter(
        Q(email__iexact=email) | Q(user=user) if user else Q(email__iexact=email)
    ).select_related("cohort", "user")
    if user is None and not fellows:
        raise LookupError(f"The service holds no account and no fellow record for {email}")
    return Person(email=user.email if user else email.lower(), user=user, fellows=list(fellows))


def person_of(user: User) -> Person:
    """The signed-in person, for their own download."""
    return find_person(user.email)


# Right of access -------------------------------------------------------------------------------


def parts(person: Person) -> list[Part]:
    """Every holder's parts for this person, empty ones left out."""
    return [part for one in holders for part in one.export(person) if part.records or part.files]


def write_export(person: Person, stream, *, programme: str) -> list[str]:
    """Write the person's ZIP to a binary `stream`; the names of the files in it.

    JSON files name files by their path in the ZIP; a file missing from storage is listed in
    missing-files.json rather than failing the whole export.
    """
    names: list[str] = []
    missing: list[str] = []
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        when = timezone.localtime().strftime("%-d %B %Y at %H:%M")
        archive.writestr("README.txt", README.format(programme=programme, when=when))
        names.append("README.txt")
        for part in parts(person):
            name = f"{part.name}.json"
            archive.writestr(name, json.dumps(plain(part.records), indent=2, ensure_ascii=False))
            names.append(name)
            for path, file in part.files:
                try:
                    with file.storage.open(file.name, "rb") as source:
                        archive.writestr(path, source.read())
                except (FileNotFoundError, OSError):
                    missing.append(path)
                    continue
                names.append(path)
        if missing:
            archive.writestr("missing-files.json", json.dumps(missing, indent=2))
            names.append("missing-files.json")
    return names


def export_person_data(person: Person, *, by: User | None, programme: str) -> bytes:
    """The person's ZIP as bytes.

    Side effects: an audit event (who produced whose export; the person's account id, not their
    address).
    """
    buffer = io.BytesIO()
    write_export(person, buffer, programme=programme)
    audit.record(
        AuditAction.EXPORTED,
        AuditSubject.PERSONAL_DATA,
        by=by,
        reference=_reference(person),
        summary="everything held about the person, as a ZIP",
    )
    return buffer.getvalue()


def _reference(person: Person) -> str:
    if person.user is not None:
        return f"account {person.user.pk}"
    return "fellow " + ", ".join(fellow.ref for fellow in person.fellows)


# Erasure ---------------------------------------------------------------------------------------


def blockers(person: Person) -> list[str]:
    """Why the person cannot be erased yet (what to reassign first); empty when they can."""
    return [reason for one in holders for reason in one.blockers(person)]


def plan(person: Person) -> list[PlanLine]:
    """What an erasure would remove, de-identify and keep (and why), holder by holder."""
    return [line for one in holders for line in one.plan(person) if line.count]


def new_pseudonym() -> str:
    while True:
        pseudonym = f"Erased person {secrets.token_hex(3).upper()}"
        if not ErasureRecord.objects.filter(pseudonym=pseudonym).exists():
            return pseudonym


def erase_person(
    person: Person, *, by: User | None, requested_by: str, request_received: date | None = None
) -> ErasureRecord:
    """Erase the person: identity and files go; what the reports count stays, de-identified.

    Raises ValidationError listing the blockers when something must be reassigned first, and
    when `by` is the person themselves (someone else carries out an erasure).
    Side effects, in one transaction: each holder erases its records (deleting the person's files
    from storage once the transaction commits); the history rows of every record a holder
    de-identified lose the same fields, and those of removed records are deleted; audit entries by
    or about the person name the pseudonym instead; an Erasure record (pseudonym, who asked, when,
    who carried it out, counts per kind) and an audit event. Nothing is e-mailed: the address is gone.
    """
    if by is not None and person.user is not None and by.pk == person.user.pk:
        raise ValidationError("Someone else must carry out your erasure: ask the programme team")
    if reasons := blockers(person):
        raise ValidationError(reasons)
    with transaction.atomic():
        # It gathers what identifies them (`identity`) before the holders blank it.
        erasure = Erasure(person=person, pseudonym=new_pseudonym(), by=by)
        for one in holders:
            one.erase(person, erasure)
        scrub_history(erasure)
        _pseudonymise_audit(person, erasure)
        record = ErasureRecord.objects.create(
            pseudonym=erasure.pseudonym,
            requested_by=requested_by,
            request_received=request_received or timezone.localdate(),
            carried_out_by=by,
            counts=erasure.counts,
        )
        audit.record(
            AuditAction.ERASED,
            AuditSubject.PERSONAL_DATA,
            by=by,
            reference=erasure.pseudonym,
            summary=f"erased at the request of {requested_by}"[:300],
        )
    return record


def _history_model(model: type[models.Model]):
    manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager_name).model if manager_name else None


def scrub_history(erasure: Erasure) -> None:
    """History rows keep every past value: give them the de-identified values their records now
    have, and delete the history of records that are gone."""
    for model, (pks, fields) in erasure.touched.items():
        history = _history_model(model)
        if history is None or not pks:
            continue
        live = {
            row["pk"]: row for row in model._base_manager.filter(pk__in=pks).values("pk", *fields)
        }
        gone = [pk for pk in pks if pk not in live]
        if gone:
            erasure.count("history rows deleted", history.objects.filter(id__in=gone).delete()[0])
        for pk, values in live.items():
            values = {name: value for name, value in values.items() if name != "pk"}
            if values:
                erasure.count(
                    "history rows de-identified", history.objects.filter(id=pk).update(**values)
                )
    # Who made each change stays a link to the (now pseudonymous) account.


def _pseudonymise_audit(person: Person, erasure: Erasure) -> None:
    """Audit entries stay; the person's address and names in them become the pseudonym."""
    needles = erasure.identity
    query = Q(actor=person.user) if person.user is not None else Q(pk__in=[])
    for needle in needles:
        query |= (
            Q(actor_email__iexact=needle)
            | Q(summary__icontains=needle)
            | Q(reference__icontains=needle)
        )
    changed = 0
    for event in AuditEvent.objects.filter(query).iterator():
        event.actor_email = erasure.pseudonym if event.actor_email else ""
        event.summary = erasure.pseudonymise(event.summary)[:300]
        event.reference = erasure.pseudonymise(event.reference)[:100]
        event.save(update_fields=["actor_email", "summary", "reference"])
        changed += 1
    erasure.count("audit entries pseudonymised", changed)
    # The support site's own log names the records it changed: the same replacement there.
    from django.contrib.admin.models import LogEntry

    query = Q(pk__in=[])
    for needle in needles:
        query |= Q(object_repr__icontains=needle) | Q(change_message__icontains=needle)
    for entry in LogEntry.objects.filter(query).iterator():
        entry.object_repr = erasure.pseudonymise(entry.object_repr)[:200]
        entry.change_message = erasure.pseudonymise(entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])
