"""The report's words per objective: the paper's wording, or faculty's where they have edited it.

Faculty edit three things per objective (`ObjectiveWording`): the stakeholders (one per line), the
benefit realised (one block of text per evidence row of the objective's table) and evidence notes
of their own (e.g. external literature), which the report prints as an extra evidence row. A blank
field, or a row left out, falls back to the paper's wording in `reports.defaults`; text saved
unchanged from the paper's is stored blank, so the list of objectives only says "edited" when
someone changed the words.

The benefit is stored in one text field, as blocks headed by their row's key in brackets:

    [graduates]
    First paragraph.

    Second paragraph.

    [recommend]
    ...

`wording_for(n)` is JSON-safe, so a report job can keep `report_wording()` with its files and
render again from exactly the words it was built with.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from .defaults import OBJECTIVES, REPORTED, ROWS
from .models import ObjectiveWording

_ROW_HEADING = re.compile(r"^\[(\w+)\]\s*$", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


class UnknownObjective(LookupError):
    """The report has no such objective (1 to 8 are reported)."""


def _check(objective: int) -> None:
    if objective not in REPORTED:
        raise UnknownObjective(f"The report has no objective {objective}")


def paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, each with its white space tidied."""
    return [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]


def _as_text(paras: list[str]) -> str:
    return "\n\n".join(paras)


def stakeholder_list(text: str) -> list[str]:
    """One stakeholder per line (commas also separate them)."""
    return [name.strip() for line in text.splitlines() for name in line.split(",") if name.strip()]


def parse_benefit(objective: int, text: str) -> dict[str, str]:
    """The stored benefit as {row: text}; text before any heading belongs to the first row."""
    rows = list(ROWS[objective])
    found: dict[str, str] = {}
    parts = _ROW_HEADING.split(text)
    if parts[0].strip():
        found[rows[0]] = parts[0].strip()
    for key, body in zip(parts[1::2], parts[2::2], strict=True):
        if key in ROWS[objective] and body.strip():
            found[key] = (found.get(key, "") + "\n\n" + body.strip()).strip()
    return found


def format_benefit(blocks: dict[str, str]) -> str:
    """{row: text} as stored: only the rows that differ from the paper's, headed by their key."""
    return "\n\n".join(f"[{key}]\n{text.strip()}" for key, text in blocks.items() if text.strip())


def _stored(objective: int) -> ObjectiveWording | None:
    return ObjectiveWording.objects.select_related("updated_by").filter(objective=objective).first()


def _build(objective: int, stored: ObjectiveWording | None) -> dict[str, Any]:
    paper = OBJECTIVES[objective]
    stakeholders_text = stored.stakeholders.strip() if stored else ""
    benefit_blocks = parse_benefit(objective, stored.benefit) if stored else {}
    notes_text = stored.notes.strip() if stored else ""
    benefits = {}
    benefit_texts = {}
    benefits_edited = {}
    for key in ROWS[objective]:
        edited = paragraphs(benefit_blocks.get(key, ""))
        benefits[key] = edited or list(paper["benefits"].get(key, []))
        benefit_texts[key] = _as_text(benefits[key])
        benefits_edited[key] = bool(edited)
    stakeholders = stakeholder_list(stakeholders_text) or list(paper["stakeholders"])
    edited = (
        bool(stakeholder_list(stakeholders_text))
        or any(benefits_edited.values())
        or bool(notes_text)
    )
    by = stored.updated_by if stored else None
    return {
        "objective": objective,
        "title": paper["title"],
        "stakeholders": stakeholders,
        "benefits": benefits,
        "notes": paragraphs(notes_text),
        "rows": dict(ROWS[objective]),
        "benefit_rows": [
            {
                "key": key,
                "label": label,
                "paragraphs": benefits[key],
                "edited": benefits_edited[key],
            }
            for key, label in ROWS[objective].items()
        ],
        # The same, as the edit form shows them.
        "stakeholders_text": "\n".join(stakeholders),
        "benefit_texts": benefit_texts,
        "notes_text": notes_text,
        # Whose words they are.
        "edited": edited,
        "stakeholders_edited": bool(stakeholder_list(stakeholders_text)),
        "benefits_edited": benefits_edited,
        "updated_by": (by.get_full_name() or by.email) if (edited and by) else "",
        "updated_at": stored.updated_at.isoformat() if (edited and stored) else "",
        "updated_on": date_format(timezone.localtime(stored.updated_at), "j F Y")
        if (edited and stored)
        else "",
    }


def wording_for(objective: int) -> dict[str, Any]:
    """The wording the report uses for one objective now: faculty's where edited, else the paper's.

    JSON-safe. Raises UnknownObjective for an objective the report does not show.
    """
    _check(objective)
    return _build(objective, _stored(objective))


def report_wording() -> dict[str, dict[str, Any]]:
    """The wording of every reported objective, keyed by the objective as a string (JSON-safe):
    what a report is rendered with and what a report job keeps beside its files. One query."""
    stored = {w.objective: w for w in ObjectiveWording.objects.select_related("updated_by")}
    return {str(n): _build(n, stored.get(n)) for n in REPORTED}


def save_wording(
    objective: int,
    *,
    stakeholders: str,
    benefit: dict[str, str] | str,
    notes: str,
    by,
) -> ObjectiveWording:
    """Store faculty's wording for one objective.

    `stakeholders` is one per line; `benefit` is {row key: text} (or the stored bracketed form);
    `notes` free text. Blank means "the paper's wording", and text equal to the paper's is stored
    blank. Side effects: creates or updates the objective's ObjectiveWording, which records a
    history entry naming `by`. Raises UnknownObjective.
    """
    _check(objective)
    paper = OBJECTIVES[objective]
    blocks = parse_benefit(objective, benefit) if isinstance(benefit, str) else dict(benefit)
    unknown = set(blocks) - set(ROWS[objective])
    if unknown:
        raise ValueError(f"Objective {objective} has no evidence row {', '.join(sorted(unknown))}")
    kept = {
        key: _as_text(paragraphs(text))
        for key, text in blocks.items()
        if paragraphs(text) and paragraphs(text) != list(paper["benefits"].get(key, []))
    }
    names = stakeholder_list(stakeholders)
    with transaction.atomic():
        # One save, so one history entry per change (get_or_create would add a blank one first).
        wording = ObjectiveWording.objects.select_for_update().filter(
            objective=objective
        ).first() or ObjectiveWording(objective=objective)
        wording.stakeholders = "" if names == list(paper["stakeholders"]) else "\n".join(names)
        wording.benefit = format_benefit(kept)
        wording.notes = notes.strip()
        wording.updated_by = by
        wording.updated_at = timezone.now()
        wording._history_user = by  # simple_history: who made this change
        wording.save()
    return wording


def reset_wording(objective: int, *, by) -> ObjectiveWording:
    """Go back to the paper's wording for one objective, dropping faculty's notes too.

    Side effects: blanks the objective's ObjectiveWording (its history keeps the old words).
    """
    return save_wording(objective, stakeholders="", benefit={}, notes="", by=by)
