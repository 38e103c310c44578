"""Hostile and broken files: each is refused with a message naming the file, table and row where
known, through the command (a CommandError, never a traceback) and the upload page (never a 500),
and nothing is written. Memory stays bounded: a zip bomb is refused in a process with a memory cap."""

from __future__ import annotations

import datetime
import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .history_runner import CommandRunner, PageRunner, table_counts, workbook

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FELLOW_HEADER = ["ref", "cohort", "region", "profession", "status"]
COHORTS = b"number\n1\n"


@pytest.fixture(params=["command", "page"])
def runner(request, tmp_path):
    if request.param == "command":
        return CommandRunner(tmp_path)
    return PageRunner(request.getfixturevalue("faculty_client"))


def rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = ()
) -> bytes:
    """The same zip (workbook) with some parts replaced or left out."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename in drop:
                continue
            target.writestr(
                info.filename, (replace or {}).get(info.filename, source.read(info.filename))
            )
    return out.getvalue()


def good_workbook() -> bytes:
    return workbook(
        {
            "cohorts": [["number"], [1]],
            "fellows": [FELLOW_HEADER, ["F-1", 1, "Wales", "nursing", "in_post"]],
        }
    )


def zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def lying_zip(name: str, data: bytes, *, declared: int) -> bytes:
    """A zip whose headers declare `declared` bytes for a member that holds more."""
    raw = bytearray(zip_of(name, data))
    real = len(data).to_bytes(4, "little")
    small = declared.to_bytes(4, "little")
    # The uncompressed size sits at offset 22 of the local header and 24 of the central one.
    local = raw.find(b"PK\x03\x04")
    central = raw.find(b"PK\x01\x02")
    assert raw[local + 22 : local + 26] == real and raw[central + 24 : central + 28] == real
    raw[local + 22 : local + 26] = small
    raw[central + 24 : central + 28] = small
    return bytes(raw)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


def sheet_xml(*rows: list[str]) -> bytes:
    """A worksheet part written by hand (openpyxl will not write a cell over Excel's limit)."""
    cells = "".join(
        f'<row r="{r}">'
        + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in row)
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return f'<worksheet xmlns="{main}"><sheetData>{cells}</sheetData></worksheet>'.encode()


def typed_cells_workbook() -> bytes:
    return workbook(
        {
            "cohorts": [["number"], [1]],
            "fellows": [
                FELLOW_HEADER,
                ["F-1", 1, "Wales", "nursing", "in_post"],
                ["F-2", datetime.datetime(2022, 1, 1), "Wales", "nursing", "in_post"],
                ["F-3", 1, "Wales", "nursing", True],
                ["F-4", 1, "Wales", "#N/A", "in_post"],
                ["F-5", 2**70, "Wales", "nursing", "in_post"],
            ],
            "workshops": [["cohort", "date", "title"], [1, False, "Day one"], [1, 3.5, "Day two"]],
        }
    )


CASES = {
    "oversized cell in a CSV": (
        {
            "cohorts.csv": COHORTS,
            "fellows.csv": b"ref,cohort,region,profession,status\nF-1,1,"
            + b"x" * 40_000
            + b",nursing,in_post\n",
        },
        ["fellows row 2, column region: is longer than 32,767 characters"],
    ),
    "cell beyond the CSV reader's own limit": (
        {
            "cohorts.csv": COHORTS,
            "fellows.csv": b"ref,cohort,region,profession,status\nF-1,1,"
            + b"x" * 200_000
            + b",nursing,in_post\n",
        },
        ["fellows.csv, fellows row 2: a cell is longer than 32,767 characters"],
    ),
    "oversized cell in a workbook": (
        {
            "history.xlsx": rezip(
                good_workbook(),
                replace={
                    "xl/worksheets/sheet2.xml": sheet_xml(
                        ["ref", "cohort", "region", "profession", "status"],
                        ["F-1", "1", "y" * 33_000, "nursing", "in_post"],
                    )
                },
            )
        },
        ["fellows row 2, column region: is longer than 32,767 characters"],
    ),
    "longer than its column holds": (
        {
            "cohorts.csv": COHORTS,
            "fellows.csv": b"ref,cohort,region,profession,status\nF-1,1,"
            + b"x" * 101
            + b",nursing,in_post\n",
        },
        ["fellows row 2, column region: is longer than 100 characters"],
    ),
    "number the database cannot hold (CSV)": (
        {"cohorts.csv": b"number\n99999999999999999999999999999\n9223372036854775808\n"},
        [
            "cohorts row 2, column number: is too large to store",
            "cohorts row 3, column number: is too large to store",
        ],
    ),
    "bad typed cells after row 1": (
        {"history.xlsx": typed_cells_workbook()},
        [
            "fellows row 3, column cohort: must be a whole number, not '2022-01-01'",
            "fellows row 4, column status: must be one of in_post, graduated, withdrawn, not 'yes'",
            "fellows row 5, column profession: holds the spreadsheet error #N/A",
            "fellows row 6, column cohort: is too large to store: at most 32767",
            "workshops row 2, column date: must be a date written as YYYY-MM-DD, not 'no'",
            "workshops row 3, column date: must be a date written as YYYY-MM-DD, not '3.5'",
        ],
    ),
    "NUL character": (
        {
            "cohorts.csv": COHORTS,
            "fellows.csv": b"ref,cohort,region,profession,status\nF-1\x00,1,Wales,nursing,in_post\n",
        },
        ["fellows row 2, column ref: contains a NUL character"],
    ),
    "CSV that is not UTF-8": (
        {"cohorts.csv": "number,start_date\n1,\n2,Décembre\n".encode("latin-1")},
        ["cohorts.csv, cohorts: is not UTF-8 text: save the file as CSV UTF-8"],
    ),
    "broken sheet XML": (
        {
            "history.xlsx": rezip(
                good_workbook(),
                replace={"xl/worksheets/sheet2.xml": b"<worksheet><sheetData><row><c>"},
            )
        },
        [
            "history.xlsx, fellows: the worksheet is not readable: a part of it is not well-formed XML"
        ],
    ),
    "missing workbook part": (
        {"history.xlsx": rezip(good_workbook(), drop=("xl/workbook.xml",))},
        ["history.xlsx: is not a readable Excel workbook: the part xl/workbook.xml is missing"],
    ),
    "missing sheet part": (
        {"history.xlsx": rezip(good_workbook(), drop=("xl/worksheets/sheet1.xml",))},
        [
            "history.xlsx, cohorts: the worksheet is not readable: the part xl/worksheets/sheet1.xml is missing"
        ],
    ),
    "XML entity bomb": (
        {
            "history.xlsx": rezip(
                good_workbook(), replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS}
            )
        },
        ["history.xlsx, cohorts: the worksheet is not readable"],
    ),
    "not a zip at all": (
        {"history.xlsx": b"PK\x03\x04 this is not really a workbook"},
        ["history.xlsx: is not a readable Excel workbook (.xlsx)"],
    ),
    "zip bomb (declared size)": (
        {"history.zip": zip_of("fellows.csv", b"ref,cohort\n" + b"0" * 3_000_000)},
        ["history.zip: the files expand to more than 2,000,000 bytes when decompressed"],
    ),
    "declared sizes that lie": (
        {"history.zip": lying_zip("cohorts.csv", b"number\n" + b"1\n" * 1_500_000, declared=50)},
        ["history.zip"],
    ),
    "plain file over the byte cap": (
        {"cohorts.csv": b"number\n" + b"".join(f"{n:<99}\n".encode() for n in range(1, 30_000))},
        ["cohorts.csv, cohorts: the files expand to more than 2,000,000 bytes"],
    ),
    "more rows than allowed": (
        {"cohorts.csv": b"number\n" + b"".join(f"{n}\n".encode() for n in range(1, 30))},
        ["cohorts.csv, cohorts row 22: the import holds more than 20 rows"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_files_are_refused_with_a_message_and_change_nothing(runner, case, settings):
    settings.HISTORY_IMPORT_MAX_BYTES = 2_000_000
    if case == "more rows than allowed":
        settings.HISTORY_IMPORT_MAX_ROWS = 20
    files, expected = CASES[case]
    before = table_counts()

    outcome = runner.run(files)

    assert not outcome.ok
    assert "Traceback" not in outcome.text
    for message in expected:
        assert message in outcome.text, outcome.text[-3000:]
    assert table_counts() == before


def test_a_workbook_dated_with_excel_date_cells_imports():
    from fellowship.importer import import_tables, read_sources
    from fellowship.models import Cohort

    data = workbook(
        {
            "cohorts": [
                ["number", "start_date"],
                [1, datetime.date(2021, 9, 1)],
                [2, datetime.datetime(2022, 9, 1)],
            ]
        }
    )
    import_tables(read_sources([("history.xlsx", data)]))
    assert [c.start_date for c in Cohort.objects.order_by("number")] == [
        datetime.date(2021, 9, 1),
        datetime.date(2022, 9, 1),
    ]


BOMB_SCRIPT = """
import os, resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fellowship.settings")
import django
django.setup()
from fellowship.importer import ImportFailed, import_tables, read_sources
from fellowship.management.commands.import_history import files_at
from pathlib import Path
try:
    import_tables(files_at(Path(sys.argv[1])))
except ImportFailed as failure:
    print("\\n".join(failure.messages))
    sys.exit(3)
print("imported")
"""


@pytest.mark.parametrize("kind", ["xlsx", "zip"])
def test_a_zip_bomb_is_refused_in_bounded_memory(tmp_path, kind):
    """A 400 MB sheet compressed to well under 1 MB, read by a process allowed 1.5 GB of address
    space in all (Python and Django included): it must be refused, not read."""
    huge = 400 * 1024 * 1024
    path = tmp_path / f"bomb.{kind}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        member = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "cohorts.csv"
        with archive.open(member, "w", force_zip64=True) as stream:
            stream.write(b"number\n" if kind == "zip" else b"<worksheet><sheetData><row><c><v>")
            block = b"1" * (1024 * 1024)
            for _ in range(huge // len(block)):
                stream.write(block)
    assert path.stat().st_size < 5 * 1024 * 1024
    env = {**os.environ, "DATABASE_URL": "sqlite:///" + str(tmp_path / "unused.sqlite3")}

    done = subprocess.run(
        [sys.executable, "-c", BOMB_SCRIPT, str(path), str(1536 * 1024 * 1024)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 3, done.stderr[-2000:]
    assert "expand to more than 52,428,800 bytes" in done.stdout
    assert "Traceback" not in done.stderr
    assert resource.getrlimit(resource.RLIMIT_AS)  # the limit applied to the child only
