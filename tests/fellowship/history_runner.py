"""Run the history import the two ways people do: the command and the faculty upload page.

Both return an Outcome with everything the person saw as plain text, so one test can hold the
command and the page to the same promise. Also: a count of every table's rows, to prove that a
refused import wrote nothing, and small builders of CSV and XLSX files.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

APPS = ("fellowship", "recruitment", "projects", "surveys", "portfolio", "sites")


@dataclass
class Outcome:
    ok: bool
    text: str  # what the person saw: the command's output, or the pages' text

    def summary(self, table: str) -> tuple[int, int, int]:
        """(created, updated, unchanged) the output reports for `table`."""
        found = re.findall(rf"\b{table}: (\d+) created, (\d+) updated, (\d+) unchanged", self.text)
        assert found, self.text
        return tuple(int(n) for n in found[-1])


def table_counts() -> dict[str, int]:
    """The number of rows of every model of our apps (and the site record)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in APPS
    }


def csv_bytes(text: str) -> bytes:
    return text.encode()


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class CommandRunner:
    name = "command"

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.runs = 0

    def run(self, files: dict[str, bytes], *, dry_run: bool = False) -> Outcome:
        self.runs += 1
        folder = self.tmp_path / f"run{self.runs}"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        single = [n for n in files if not n.lower().endswith(".csv")]
        target = folder / single[0] if single else folder
        out, err = io.StringIO(), io.StringIO()
        args = [str(target), *(["--dry-run"] if dry_run else [])]
        try:
            call_command("import_history", *args, stdout=out, stderr=err)
        except CommandError as exc:
            return Outcome(False, f"{out.getvalue()}\n{err.getvalue()}\n{exc}")
        return Outcome(True, f"{out.getvalue()}\n{err.getvalue()}")


class PageRunner:
    name = "page"

    def __init__(self, client) -> None:
        self.client = client

    def preview(self, files: dict[str, bytes]):
        uploads = [SimpleUploadedFile(name, data) for name, data in files.items()]
        return self.client.post(reverse("history_import"), {"files": uploads})

    def run(self, files: dict[str, bytes], *, dry_run: bool = False) -> Outcome:
        response = self.preview(files)
        assert response.status_code in (200, 400), response.status_code
        text = page_text(response)
        if response.status_code == 400:
            return Outcome(False, text)
        if dry_run:
            return Outcome(True, text + "\n" + preview_summary(response))
        token = response.context["token"]
        done = self.client.post(reverse("history_import"), {"token": token}, follow=True)
        assert done.redirect_chain, page_text(done)
        told = "\n".join(str(m) for m in done.context["messages"])
        return Outcome(True, text + "\n" + preview_summary(response) + "\n" + told)


def page_text(response) -> str:
    """The page's text with tags dropped and entities decoded (a message as a person reads it)."""
    content = response.content.decode()
    content = re.sub(r"<[^>]+>", " ", content)
    return re.sub(r"[ \t]+", " ", html.unescape(content))


def preview_summary(response) -> str:
    """The preview table as 'TABLE: C created, U updated, N unchanged' lines."""
    return "\n".join(
        f"{t.table}: {t.created} created, {t.updated} updated, {t.unchanged} unchanged"
        for t in response.context["result"].tables
    )
