"""Spreadsheets never run what people typed: every CSV and XLSX file goes through one export
helper (fellowship.exports), which neutralises text that a spreadsheet program would run as a
formula and writes every text cell of a workbook as a string, never as a formula.

The end-to-end tests plant formula text in every field a person can edit that reaches a download,
download each export as the person allowed to, and read the files the way an attacker hopes a
spreadsheet program will: a `<f>` element in a sheet's XML is a live formula; a CSV cell that
starts with = + - @, a tab or a carriage return is run by Excel and LibreOffice.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from fellowship import exports
from fellowship.enums import Role, SpeakerSector
from fellowship.models import Cohort, Organisation, Speaker, Workshop
from portfolio.enums import EntryKind
from projects.models import ClinicalDomain
from recruitment.models import Application
from reports import services as report_services
from reports.enums import ReportState
from surveys import services as survey_services
from surveys.enums import QuestionKind
from surveys.models import Answer, Question, Response

from .conftest import make_person
from .factories import (
    ApplicationFactory,
    FundedPostFactory,
    PortfolioEntryFactory,
    RegionFactory,
    RoundFactory,
    UserFactory,
    submitted,
)
from .reports.history import load_small_history

PAYLOADS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        }


def assert_no_formulas(data: bytes, where: str) -> None:
    sheets = sheet_xml(data)
    assert sheets, f"{where}: no worksheet in the file"
    for name, xml in sheets.items():
        assert "<f>" not in xml and "<f " not in xml, f"{where} ({name}) holds a formula"


def workbook_texts(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    return [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


def csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_csv_defused(data: bytes, where: str) -> None:
    for cell in csv_cells(data):
        # A number is a number (a negative count is not a formula); any other text must not start
        # with a character that makes a spreadsheet program run it.
        if NUMBER.fullmatch(cell):
            continue
        assert not cell.startswith(FORMULA_START), f"{where}: {cell!r} would run as a formula"


def assert_planted_arrived(texts: list[str], where: str, payloads=PAYLOADS) -> None:
    """Each planted payload is in the file, neutralised: the test really reached the field."""
    for payload in payloads:
        # XML keeps no carriage return: a workbook reads it back as a line feed.
        starts = ("'" + payload, "'" + payload.replace("\r", "\n"))
        assert any(text.startswith(starts) for text in texts), f"{where}: {payload!r} missing"


# The helper itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [*PAYLOADS, " =1+1", "\n=1+1", "＝1+1", "=", "-", "+"])
def test_text_that_a_spreadsheet_would_run_is_prefixed_with_a_quote(payload):
    assert exports.safe_cell(payload) == "'" + payload


@pytest.mark.parametrize(
    "value", ["Ada Lovelace", "", "O'Brien", "a=b", "1+1", "cohort-2", "e-mail@x", "'=already"]
)
def test_ordinary_text_is_left_as_typed(value):
    assert exports.safe_cell(value) == value


@pytest.mark.parametrize(
    "value",
    [-2, 0, 3.5, Decimal("-1.5"), None, True, datetime.date(2024, 1, 2)],
)
def test_numbers_dates_and_blanks_are_not_text(value):
    assert exports.safe_cell(value) == value


@given(st.text())
def test_no_text_leaves_the_helper_as_a_formula(text):
    safe = exports.safe_cell(text)
    assert safe in (text, "'" + text)  # the text itself is kept, as typed
    if safe == text:
        # Unchanged only if no spreadsheet program would run it, even past blanks and controls.
        start = text.lstrip("".join(chr(c) for c in range(33)) + "\u00a0\u3000")
        assert not text.startswith(("\t", "\r"))
        assert not start.startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠"))


def test_csv_cells_are_neutralised_and_numbers_stay_numbers():
    data = exports.csv_bytes([["name", "count"], ["=1+1", -2], ["\t=x", 3], [None, 0.5]])
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert rows == [["name", "count"], ["'=1+1", "-2"], ["'\t=x", "3"], ["", "0.5"]]
    assert exports.csv_bytes([["x"]], bom=True).startswith("\ufeff".encode())


def test_workbook_text_is_written_as_strings_never_formulas():
    data = exports.xlsx_bytes(
        [("Sheet", [["Text", "Number"], ["=1+1", -2], ["#N/A", 7], ["+SUM(A1)", 1.5]])]
    )
    assert_no_formulas(data, "the helper's workbook")
    sheet = load_workbook(io.BytesIO(data))["Sheet"]
    assert [c.value for c in sheet["A"]] == ["Text", "'=1+1", "#N/A", "'+SUM(A1)"]
    assert all(c.data_type == "s" for c in sheet["A"])  # "#N/A" is text, not Excel's error
    assert [c.value for c in sheet["B"][1:]] == [-2, 7, 1.5]
    assert all(c.data_type == "n" for c in sheet["B"][1:])


def test_append_row_writes_strings_in_a_formatted_workbook():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    exports.append_row(sheet, ['=HYPERLINK("http://evil","x")', 5, None])
    exports.append_row(sheet, [])
    exports.append_row(sheet, ["ok", datetime.datetime(2024, 5, 1, 9, 30)])
    assert sheet["A1"].value == '\'=HYPERLINK("http://evil","x")'
    assert sheet["A1"].data_type == "s" and sheet["B1"].value == 5
    assert sheet["B3"].data_type == "d"
    out = io.BytesIO()
    book.save(out)
    assert_no_formulas(out.getvalue(), "a formatted workbook")


def test_characters_a_workbook_cannot_hold_are_dropped_not_a_crash():
    """openpyxl refuses control characters; a pasted one must not make the download fail."""
    data = exports.xlsx_bytes([("Sheet", [["\x0b=1+1 and\x01 more"]])])
    assert load_workbook(io.BytesIO(data))["Sheet"]["A1"].value == "'=1+1 and more"


# Every export, end to end ---------------------------------------------------------------------


@pytest.mark.django_db
def test_applications_export_defuses_everything_an_applicant_or_faculty_typed(login):
    rnd = RoundFactory()
    for i, payload in enumerate(PAYLOADS):
        application = submitted(
            ApplicationFactory(
                round=rnd,
                applicant=UserFactory(full_name=payload, email=f"=1+{i}@example.org"),
            )
        )
        Application.objects.filter(pk=application.pk).update(
            employer=payload,
            specialty=payload,
            grade=payload,
            registration_number=payload,
            region=RegionFactory(name=f"{payload} region {i}"),
        )
    faculty = login(make_person(Role.FACULTY))

    got = faculty.get(reverse("application_export", args=[rnd.pk, "csv"]))
    assert got.status_code == 200
    assert_csv_defused(got.content, "the applications CSV")
    cells = csv_cells(got.content)
    assert_planted_arrived(cells, "the applications CSV")
    assert "'=1+0@example.org" in cells

    got = faculty.get(reverse("application_export", args=[rnd.pk, "xlsx"]))
    assert got.status_code == 200
    assert_no_formulas(got.content, "the applications workbook")
    assert_planted_arrived(workbook_texts(got.content), "the applications workbook")


@pytest.mark.django_db
def test_survey_export_defuses_answers_names_keys_and_choices(login):
    survey = survey_services.create_from_template("alumni", by=None, title="Alumni")
    survey.questions.update(required=False)
    text = Question.objects.create(
        survey=survey, key="-2-3", kind=QuestionKind.TEXT, text="=cmd|' /C calc'!A0", position=90
    )
    picks = Question.objects.create(
        survey=survey,
        key="picks",
        kind=QuestionKind.MULTIPLE_CHOICE,
        text="Pick",
        options=[["=1+1", "One"], ["b", "Two"]],
        position=91,
    )
    number = Question.objects.create(
        survey=survey, key="number", kind=QuestionKind.NUMBER, text="How many", position=92
    )
    achievements = survey.questions.get(key="achievements")
    for i, payload in enumerate(PAYLOADS):
        person = UserFactory(full_name=payload, email=f"-{i}+1@example.org")
        response = Response.objects.create(
            survey=survey, respondent=person, submitted_on=timezone.localdate()
        )
        Answer.objects.bulk_create(
            [
                Answer(response=response, question=achievements, value=payload),
                Answer(response=response, question=text, value=payload),
                Answer(response=response, question=picks, value=["=1+1", "b"]),
                Answer(response=response, question=number, value=-i),
            ]
        )
    faculty = login(make_person(Role.FACULTY))

    got = faculty.get(reverse("survey_export", args=[survey.pk, "csv"]))
    assert got.status_code == 200, got
    assert_csv_defused(got.content, "the survey CSV")
    cells = csv_cells(got.content)
    assert_planted_arrived(cells, "the survey CSV", [*PAYLOADS, "-2-3", "=1+1;b", "-0+1@"])
    assert "-5" in cells  # a negative number answer is still a number

    got = faculty.get(reverse("survey_export", args=[survey.pk, "xlsx"]))
    assert got.status_code == 200
    assert_no_formulas(got.content, "the survey workbook")
    texts = workbook_texts(got.content)
    assert_planted_arrived(texts, "the survey workbook", [*PAYLOADS, "-2-3", "=1+1;b"])
    values = [c.value for row in load_workbook(io.BytesIO(got.content)).active for c in row]
    assert -5 in values


@pytest.mark.django_db
def test_funders_benefits_workbook_defuses_titles_names_and_organisations(
    login, django_capture_on_commit_callbacks
):
    load_small_history()
    cohort = Cohort.objects.get(number=2)
    fellows = list(cohort.fellows.all())
    for i, payload in enumerate(PAYLOADS):
        # A fellow's onward programme (a portfolio entry the fellow titles).
        PortfolioEntryFactory(
            fellow=fellows[i % len(fellows)], kind=EntryKind.ONWARD_PROGRAMME, title=payload
        )
        # A regional showcase hosted by an organisation, with industry and regulator speakers.
        host = Organisation.objects.create(name=f"{payload} host {i}")
        showcase = Workshop.objects.create(
            cohort=cohort,
            date=datetime.date(2023, 3, 1) + datetime.timedelta(days=i),
            title=payload,
            host_organisation=host,
            regional_showcase=True,
        )
        Speaker.objects.create(
            workshop=showcase, name=payload, affiliation=payload, sector=SpeakerSector.INDUSTRY
        )
        Speaker.objects.create(
            workshop=showcase, name="x", role_title=payload, sector=SpeakerSector.REGULATOR
        )
    for i, domain in enumerate(ClinicalDomain.objects.all()):
        domain.name = f"{PAYLOADS[i % len(PAYLOADS)]} domain {i}"
        domain.save()

    faculty = make_person(Role.FACULTY)
    with django_capture_on_commit_callbacks(execute=False):
        job, _ = report_services.request_report(cohort, suppress_below=5, by=faculty)
    report_services.run_report(job.pk)
    job.refresh_from_db()
    assert job.state == ReportState.DONE, job.failure_reason
    from .reports.drafts import confirm_and_release

    confirm_and_release(job, by=faculty)  # funders read released reports only

    funder_user = make_person(Role.FUNDER)
    FundedPostFactory(funder=funder_user.role_grants.get().funder, cohort=cohort)
    got = login(funder_user).get(reverse("report_download", args=[job.pk, "xlsx"]))
    assert got.status_code == 200
    data = b"".join(got.streaming_content)
    assert_no_formulas(data, "the benefits workbook")
    texts = workbook_texts(data)
    assert_planted_arrived(texts, "the benefits workbook")
    domains = [t for t in texts if " domain " in t]
    assert domains and all(t.startswith("'") for t in domains)  # the clinical domains arrived
