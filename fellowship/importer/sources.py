"""The files of one import and the budget they are read against (decompressed bytes, rows)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from django.conf import settings

from .report import Problem


class Source(NamedTuple):
    """A file to import: its name and how to open it (binary, read from the start)."""

    name: str
    open: Callable[[], BinaryIO]


def read_sources(files: Iterable[tuple[str, Any]]) -> list[Source]:
    """The files to import as `Source`s; accepts (name, bytes) pairs, (name, opener) pairs or Sources.

    Nothing is read here: reading streams each file during the import.
    """
    sources = []
    for name, data in files:
        if isinstance(data, bytes | bytearray):
            sources.append(Source(name, lambda data=bytes(data): io.BytesIO(data)))
        else:
            sources.append(Source(name, data))
    return sources


def path_source(path: Path) -> Source:
    return Source(path.name, lambda: path.open("rb"))


class TooMuch(Exception):
    """The import is over one of its caps; reading stops here."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Budget:
    """The decompressed bytes and data rows one import may read (settings caps)."""

    def __init__(self) -> None:
        self.max_bytes = int(getattr(settings, "HISTORY_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
        self.max_rows = int(getattr(settings, "HISTORY_IMPORT_MAX_ROWS", 200_000))
        self.bytes = 0
        self.rows = 0

    def take_bytes(self, count: int, file: str, table: str = "") -> None:
        self.bytes += count
        if self.bytes > self.max_bytes:
            raise TooMuch(Problem(table, None, None, self.bytes_message(), file=file))

    def bytes_message(self) -> str:
        return f"the files expand to more than {self.max_bytes:,} bytes when decompressed; nothing was read further"

    def take_row(self, file: str, table: str, row: int) -> None:
        self.rows += 1
        if self.rows > self.max_rows:
            message = (
                f"the import holds more than {self.max_rows:,} rows, the most it takes at once"
            )
            raise TooMuch(Problem(table, row, None, message, file=file))


class Counted(io.RawIOBase):
    """A binary stream that counts what is read from it against the budget (declared sizes can lie)."""

    def __init__(self, stream: BinaryIO, budget: Budget, file: str, table: str = "") -> None:
        self._stream, self._budget, self._file, self._table = stream, budget, file, table

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        self._budget.take_bytes(len(data), self._file, self._table)
        buffer[: len(data)] = data
        return len(data)


@dataclass
class RawTable:
    """A table as read: its name (trimmed, lower case), where it came from, header and rows.

    `rows` yields (spreadsheet row number, cells) lazily while the file is open; a cell is a
    string, or a `CellError` for a cell the file itself marks as wrong (an #N/A).
    """

    name: str
    file: str
    label: str  # as named in the file: "Notes" sheet, "notes.csv"
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]


def check_declared(infos: list[zipfile.ZipInfo], name: str, budget: Budget) -> None:
    declared = sum(info.file_size for info in infos)
    if budget.bytes + declared > budget.max_bytes:
        raise TooMuch(Problem("", None, None, budget.bytes_message(), file=name))
