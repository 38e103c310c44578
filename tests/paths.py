"""Where the tests find their data files: inside the repository, never beside it."""

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
# The example programme history of the project's format document (docs/history-format.md).
EXAMPLE_HISTORY = DATA / "example-history"
