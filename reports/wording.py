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

from fellowship.changes import changed_by

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
        changed_by(wording, by)
        wording.save()
    return wording


def reset_wording(objective: int, *, by) -> ObjectiveWording:
    """Go back to the paper's wording for one objective, dropping faculty's notes too.

    Side effects: blanks the objective's ObjectiveWording (its history keeps the old words).
    """
    return save_wording(objective, stakeholders="", benefit={}, notes="", by=by)


# Key figures -----------------------------------------------------------------------------------


def key_figures(evidence) -> dict[str, Any]:
    """The figures a report's claims and narrative defaults are built from, JSON-safe: kept on the
    report job when it renders, so the editor checks claims against the report's own figures."""
    o1, o2, o3, o4 = (
        evidence.objective1,
        evidence.objective2,
        evidence.objective3,
        evidence.objective4,
    )
    o5, o6, o7, o8 = (
        evidence.objective5,
        evidence.objective6,
        evidence.objective7,
        evidence.objective8,
    )
    strongly = next((s for s in o1.recommend if s.label.lower().startswith("strongly")), None)
    recommending = [
        s for s in o1.recommend if "recommend" in s.label.lower() and "not" not in s.label.lower()
    ]
    answered = max((s.answered for s in o1.recommend), default=0)
    return {
        "cohort": evidence.cohort,
        "cohorts": list(evidence.data.cohorts),
        "fellows": sum(g.fellows for g in o7.growth),
        "graduates": o1.graduates,
        "in_post": o1.in_post,
        "survey_responses": o1.survey.responses if o1.survey else 0,
        "recommend_strongly": [strongly.count, strongly.answered] if strongly else None,
        "recommend_any": [sum(s.count for s in recommending), answered] if recommending else None,
        "themes_achieved": [[t.label, t.achieved.count, t.achieved.answered] for t in o2.themes],
        "themes_apply": [[t.label, t.apply.count, t.apply.answered] for t in o2.themes],
        "components": [[c.label, c.count, c.answered] for c in o2.components],
        "matched_projects": o3.matched_projects,
        "host_organisations": o3.host_organisations,
        "domains": len(o3.top_domains),
        "non_medic_fellows": o4.non_medic_fellows,
        "non_medic_share": o4.non_medic_share,
        "regional_showcases": o6.regional_showcases,
        "mentor_pairs": o5.mentor_pairs,
        "publications": o6.publications,
        "publications_with_academics": o6.publications_with_academics,
        "industry_speakers": len(o6.industry_speakers),
        "regulator_speakers": len(o6.regulator_speakers),
        "growth": [[g.cohort, g.fellows, g.regions] for g in o7.growth],
        "alumni_supervisors": o8.alumni_supervisors,
        "onward_fellows": o8.fellows_on_onward_programmes,
    }


# Claims ----------------------------------------------------------------------------------------


def check_claims(
    figures: dict, wording: dict, decisions: dict | None = None
) -> list[dict[str, Any]]:
    """Every claim of the paper's wording whose condition the figures do not meet, with how it
    stands for this report: [{key, objective, row, label, sentence, condition, figure, data_true,
    decision (a ClaimDecision or None), resolved}]. A claim faculty reworded for every report
    (`ObjectiveWording`) is theirs, not the paper's, and is not checked."""
    from .defaults import CLAIMS

    decisions = decisions or {}
    flagged = []
    for claim in CLAIMS:
        words = wording[str(claim.objective)]
        if words["benefits_edited"].get(claim.row):
            continue
        try:
            holds = claim.test(figures)
        except (KeyError, TypeError, IndexError):
            holds = False  # figures of a report built before this claim was checked
        if holds:
            continue
        try:
            figure, data_true = claim.figure(figures), claim.data_true(figures)
        except (KeyError, TypeError, IndexError):
            figure, data_true = "not recorded for this report", ""
        decision = decisions.get(claim.key)
        flagged.append(
            {
                "key": claim.key,
                "objective": claim.objective,
                "row": claim.row,
                "label": ROWS[claim.objective][claim.row],
                "sentence": claim.sentence,
                "condition": claim.condition,
                "figure": figure,
                "data_true": data_true,
                "decision": decision,
                "resolved": decision is not None,
            }
        )
    return flagged


def claims_record(flagged: list[dict]) -> list[dict[str, Any]]:
    """The resolved claims as a report keeps them and its appendix prints them (JSON-safe):
    the sentence, the figure checked, rewritten or confirmed, by whom and when."""
    out = []
    for claim in flagged:
        decision = claim["decision"]
        if decision is None:
            continue
        by = decision.decided_by
        out.append(
            {
                "key": claim["key"],
                "objective": claim["objective"],
                "label": claim["label"],
                "sentence": claim["sentence"],
                "text": decision.text,
                "confirmed": decision.confirmed,
                "figure": claim["figure"],
                "by": (by.get_full_name() or by.email) if by else "",
                "at": decision.decided_at.isoformat(),
                "on": date_format(timezone.localtime(decision.decided_at), "j F Y, H:i"),
            }
        )
    return out


def claim_by_key(key: str):
    from .defaults import CLAIMS

    return next((c for c in CLAIMS if c.key == key), None)


def apply_decisions(wording: dict, decisions) -> dict:
    """The wording with this report's rewritten claims in place of the paper's sentences (a copy)."""
    import copy

    out = copy.deepcopy(wording)
    for decision in decisions:
        claim = claim_by_key(decision.key)
        if claim is None or not decision.text.strip():
            continue
        words = out[str(claim.objective)]
        if words["benefits_edited"].get(claim.row):
            continue
        paras = words["benefits"][claim.row]
        if claim.index < len(paras):
            paras[claim.index] = " ".join(decision.text.split())
    return out


# Narrative sections ----------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*[-*\u2022]\s+")


def blocks(text: str) -> list[dict[str, Any]]:
    """Markdown-lite: paragraphs separated by blank lines, and bullet lists (lines starting
    "- " or "* "). Nothing else is markup: the template escapes every word."""
    out: list[dict[str, Any]] = []
    for chunk in _PARAGRAPH_BREAK.split(text.strip()):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        para: list[str] = []
        for line in lines:
            if _BULLET.match(line):
                if para:
                    out.append({"kind": "p", "text": " ".join(" ".join(para).split())})
                    para = []
                if not out or out[-1]["kind"] != "ul" or out[-1].get("closed"):
                    out.append({"kind": "ul", "items": []})
                out[-1]["items"].append(" ".join(_BULLET.sub("", line).split()))
            elif out and out[-1]["kind"] == "ul" and not para and line[:1].isspace():
                out[-1]["items"][-1] += " " + " ".join(line.split())  # a wrapped bullet
            else:
                para.append(line)
        if para:
            out.append({"kind": "p", "text": " ".join(" ".join(para).split())})
        if out and out[-1]["kind"] == "ul":
            out[-1]["closed"] = True
    for block in out:
        block.pop("closed", None)
    return out


def default_sections(figures: dict, *, programme_name: str) -> dict[str, str]:
    """Each narrative section's text as built from the report's figures and the paper."""
    from fellowship.figures import pct

    from .defaults import (
        LESSONS_TEXT,
        METHODOLOGY_TEXT,
        NEXT_STEPS_TEXT,
        PROBLEM_TEXT,
        SOLUTION_TEXT,
    )

    f = figures
    cohorts = f.get("cohorts") or []
    span = (
        f"cohort {cohorts[0]}"
        if len(cohorts) == 1
        else f"cohorts {cohorts[0]} to {cohorts[-1]}"
        if cohorts
        else "no cohorts"
    )
    summary = [
        f"This report sets out the benefits realised by {programme_name} across {span}, from the "
        "programme's own records.",
    ]
    people = f"{f.get('fellows', 0)} fellow places have been filled"
    people += (
        f"; {f.get('graduates', 0)} fellows have graduated and {f.get('in_post', 0)} are in post."
    )
    summary.append(people)
    key = [
        f"- {f.get('matched_projects', 0)} clinical AI projects matched to fellows at "
        f"{f.get('host_organisations', 0)} host organisations",
    ]
    if f.get("recommend_any") and f["recommend_any"][1]:
        count, answered = f["recommend_any"]
        key.append(
            f"- {pct(count, answered)} of graduates who answered would recommend the fellowship"
        )
    key.append(f"- {f.get('non_medic_fellows', 0)} multiprofessional (non-medic) fellows")
    key.append(
        f"- {f.get('publications', 0)} publications recorded in fellows' portfolios, "
        f"{f.get('publications_with_academics', 0)} with academic co-authors"
    )
    alumni = f.get("alumni_supervisors", 0)
    key.append(
        f"- {alumni} {'alumnus' if alumni == 1 else 'alumni'} returned as AI project supervisors"
    )
    summary.append("Key figures:\n" + "\n".join(key))
    return {
        "summary": "\n\n".join(summary),
        "problem": PROBLEM_TEXT,
        "solution": SOLUTION_TEXT.format(name=programme_name),
        "methodology": METHODOLOGY_TEXT,
        "lessons": LESSONS_TEXT,
        "next_steps": NEXT_STEPS_TEXT,
    }


def report_sections(
    job, *, programme_name: str, figures: dict | None = None
) -> dict[str, dict[str, Any]]:
    """Each narrative section of a report job (None: a report drawn without one, the preview):
    {key: {key, heading, text, default, edited, blocks, updated_by, updated_on}}, faculty's text
    where stored, else the default built from `figures` (default: those the job kept)."""
    from .defaults import SECTIONS

    if figures is None:
        figures = job.built_from.get("figures", {}) if job is not None else {}
    defaults = default_sections(figures, programme_name=programme_name)
    stored = (
        {s.key: s for s in job.sections.select_related("updated_by")} if job is not None else {}
    )
    out = {}
    for key, heading in SECTIONS.items():
        section = stored.get(key)
        text = section.text if section else defaults[key]
        by = section.updated_by if section else None
        out[key] = {
            "key": key,
            "heading": heading,
            "text": text,
            "default": defaults[key],
            "edited": section is not None,
            "blocks": blocks(text),
            "updated_by": (by.get_full_name() or by.email) if by else "",
            "updated_on": date_format(timezone.localtime(section.updated_at), "j F Y")
            if section
            else "",
        }
    return out


# What changed since the last report ------------------------------------------------------------

# The key figures compared with the previous released report, in the report's order.
COMPARED = (
    ("fellows", "Fellow places filled"),
    ("graduates", "Graduates"),
    ("in_post", "Fellows in post"),
    ("matched_projects", "Matched AI projects"),
    ("host_organisations", "Host organisations"),
    ("domains", "Clinical domains (top)"),
    ("non_medic_fellows", "Multiprofessional (non-medic) fellows"),
    ("regional_showcases", "Regional showcase workshops"),
    ("publications", "Publications"),
    ("publications_with_academics", "Publications with academic co-authors"),
    ("industry_speakers", "Industry speakers"),
    ("regulator_speakers", "Regulator and public sector speakers"),
    ("alumni_supervisors", "Alumni who became supervisors"),
    ("onward_fellows", "Fellows on onward programmes"),
)


def figure_changes(previous: dict, current: dict) -> list[dict[str, Any]]:
    """Each compared key figure in the previous report and this one, with the change in words:
    [{label, before, now, change}]; a figure either report lacks is left out."""
    rows = []
    for key, label in COMPARED:
        before, now = previous.get(key), current.get(key)
        if not isinstance(before, int) or not isinstance(now, int):
            continue
        diff = now - before
        sign = "+" if diff > 0 else "\u2212"  # a minus sign, not a hyphen
        change = "No change" if diff == 0 else f"{sign}{abs(diff)}"
        rows.append({"label": label, "before": before, "now": now, "change": change})
    return rows
