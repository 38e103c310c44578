"""The report's objective tables as descriptors, drawn one by one by `reports/_objective_table.html`.

Each objective's table has the same columns (objective, stakeholders, evidence, benefit realised)
and one row per piece of evidence. A row's evidence cell is its own template,
`reports/results/o<objective>_<row>.html`; its benefit realised is the wording's paragraphs for
that row (`reports.defaults.ROWS`). The cohort-by-cohort trend rows have no benefit of their own
and are drawn only when there is more than one cohort to compare; faculty's further evidence, when
they wrote some, closes the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template

register = template.Library()

# Each objective's evidence rows, in the report's order.
LAYOUT: dict[int, tuple[str, ...]] = {
    1: ("graduates", "recommend", "archetypes", "careers", "trend_recommend"),
    2: ("themes", "components", "trend_themes"),
    3: ("projects", "domains"),
    4: ("gender", "trend_gender", "non_medics"),
    5: ("showcases", "mentoring", "policy", "media"),
    6: ("publications", "showcases", "industry", "regulators"),
    7: ("growth",),
    8: ("supervisors", "onward"),
}

# Rows drawn only when their evidence has something to compare; every other row is always drawn.
SHOWN_WHEN: dict[str, Callable[[Any], bool]] = {
    "trend_recommend": lambda e: bool(e.trends) and len(e.trends.recommend) > 1,
    "trend_themes": lambda e: bool(e.trends and e.trends.themes) and len(e.trends.recommend) > 1,
    "trend_gender": lambda e: bool(e.trends) and len(e.trends.gender) > 1,
}


def objective_table(number: int, wording: dict[str, Any], evidence) -> dict[str, Any]:
    """One objective's table: its wording (`o`), its evidence (`ob`) and the rows to draw."""
    benefits = wording.get("benefits") or {}
    rows = [
        {"template": f"reports/results/o{number}_{key}.html", "benefits": benefits.get(key, ())}
        for key in LAYOUT[number]
        if key not in SHOWN_WHEN or SHOWN_WHEN[key](evidence)
    ]
    if wording.get("notes"):
        rows.append({"template": "reports/results/notes.html", "benefits": (), "notes": True})
    return {
        "number": number,
        "o": wording,
        "ob": getattr(evidence, f"objective{number}"),
        "rows": rows,
    }


@register.simple_tag
def objective_tables(wording: dict[str, dict[str, Any]], evidence) -> list[dict[str, Any]]:
    """The tables of objectives 1 to 8; `wording` is keyed `o1` to `o8`, as the report's `o`."""
    return [objective_table(number, wording[f"o{number}"], evidence) for number in LAYOUT]
