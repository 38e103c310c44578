"""How the programme writes numbers: whole percentages rounded half up, `162 (53%)`, `14% (9/63)`.

Pure functions with no Django import, shared by the equality view and the benefits report.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def percent(part: int, whole: int) -> int | None:
    """`part` as a whole percentage of `whole`, rounded half up; None when nobody answered."""
    if whole <= 0:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pct(part: int, whole: int) -> str:
    """`53%`, or an en dash when the share is undefined."""
    value = percent(part, whole)
    return "–" if value is None else f"{value}%"


def count_pct(part: int, whole: int) -> str:
    """`162 (53%)`."""
    value = percent(part, whole)
    return f"{part}" if value is None else f"{part} ({value}%)"


def share(part: int, whole: int) -> str:
    """`14% (9/63)`."""
    return f"{pct(part, whole)} ({part}/{whole})"
