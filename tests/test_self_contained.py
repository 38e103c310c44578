"""The project stands on its own: nothing in it names files outside the repository.

A clone anywhere else must run and pass its tests, so no code, test, document or script may read
a sibling folder of the checkout (such as the specification folder the developers keep beside it).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A path that climbs out of the checkout, or names the developers' specification folder.
OUTSIDE = re.compile(r"\.\./shared|shared/(spec|seeds|notes)\b|parents\[\d+\]\.parent")


# What is installed or generated, not written by us.
SKIPPED = {".git", ".venv", "node_modules", "var", "vendor", "__pycache__", ".pytest_cache"}
TEXT = {".py", ".md", ".html", ".txt", ".sh", ".toml", ".yml", ".yaml", ".cfg", ".js", ".css", ""}


def tracked_files() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*")
        if path.is_file()
        and path.suffix in TEXT
        and not SKIPPED.intersection(path.relative_to(ROOT).parts)
    ]


def test_no_tracked_file_reads_outside_the_repository():
    offenders = []
    for path in tracked_files():
        if path == Path(__file__):
            continue
        text = path.read_text(errors="ignore")
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "These lines reach outside the repository:\n" + "\n".join(offenders)


def test_the_example_history_is_kept_in_the_repository():
    from tests.paths import EXAMPLE_HISTORY

    assert EXAMPLE_HISTORY.is_relative_to(ROOT)
    assert sorted(p.name for p in EXAMPLE_HISTORY.glob("*.csv"))
