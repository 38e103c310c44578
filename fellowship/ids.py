"""The type of the identifiers the pure matching modules take: hashable and ordered.

The allocation and the mentor assignment break ties by id, so their results never depend on the
order of a dict; any ids that compare with each other (all int, or all str) will do."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Protocol


class SortableId(Hashable, Protocol):
    def __lt__(self, other: Any, /) -> bool: ...
