"""Reading the tables out of CSV files and zips of them, streaming (workbooks: see xlsx)."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from .cells import MAX_CELL_CHARS
from .report import Problem
from .sources import Budget, Counted, RawTable, Source, TooMuch, check_declared
from .xlsx import xlsx_tables

logger = logging.getLogger(__package__)


def iter_tables(
    sources: list[Source], budget: Budget, problems: list[Problem]
) -> Iterator[RawTable]:
    for source in sources:
        lower = source.name.lower()
        try:
            if lower.endswith(".csv"):
                with source.open() as stream:
                    yield from _csv_tables(
                        stream, source.name, Path(source.name).stem, budget, problems
                    )
            elif lower.endswith(".xlsx"):
                with source.open() as stream:
                    yield from xlsx_tables(stream, source.name, budget, problems)
            elif lower.endswith(".zip"):
                with source.open() as stream:
                    yield from _zip_tables(stream, source.name, budget, problems)
            else:
                problems.append(
                    Problem(
                        "",
                        None,
                        None,
                        "must be a .csv file, an .xlsx workbook or a .zip of CSV files",
                        file=source.name,
                    )
                )
        except TooMuch:
            raise
        except Exception as exc:
            logger.info("history import could not read %s: %r", source.name, exc)
            problems.append(
                Problem("", None, None, f"could not be read ({_describe(exc)})", file=source.name)
            )


def _describe(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "it is not a complete zip or .xlsx file"
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text: save it as CSV UTF-8"
    return type(exc).__name__


def _zip_tables(
    stream: BinaryIO, name: str, budget: Budget, problems: list[Problem]
) -> Iterator[RawTable]:
    with zipfile.ZipFile(stream) as archive:
        members = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith(".csv")
            and not PurePosixPath(info.filename).name.startswith(".")
            and "__MACOSX" not in info.filename
        ]
        check_declared(archive.infolist(), name, budget)
        for info in members:
            label = f"{name}/{info.filename}"
            with archive.open(info) as member:
                yield from _csv_tables(
                    member, label, PurePosixPath(info.filename).stem, budget, problems
                )


def _csv_tables(
    stream: BinaryIO, file: str, stem: str, budget: Budget, problems: list[Problem]
) -> Iterator[RawTable]:
    table = stem.strip().lower()
    buffered = io.BufferedReader(Counted(stream, budget, file, table), buffer_size=64 * 1024)
    wrapper = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
    reader = csv.reader(wrapper)
    state = {"row": 1}

    def rows() -> Iterator[tuple[int, list[Any]]]:
        while True:
            state["row"] += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                message = (
                    f"a cell is longer than {MAX_CELL_CHARS:,} characters"
                    if "field larger" in str(exc)
                    else f"is not readable as CSV ({exc})"
                )
                problems.append(Problem(table, state["row"], None, message, file=file))
                return
            except UnicodeDecodeError:
                problems.append(
                    Problem(
                        table,
                        None,
                        None,
                        "is not UTF-8 text: save the file as CSV UTF-8",
                        file=file,
                    )
                )
                return
            yield state["row"], cells

    try:
        header = next(reader, [])
    except csv.Error:
        problems.append(
            Problem(
                table,
                1,
                None,
                f"the header is not readable as CSV (a cell over {MAX_CELL_CHARS:,} characters?)",
                file=file,
            )
        )
        return
    except UnicodeDecodeError:
        problems.append(
            Problem(table, None, None, "is not UTF-8 text: save the file as CSV UTF-8", file=file)
        )
        return
    yield RawTable(table, file, Path(file).name, header, rows())
