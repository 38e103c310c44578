"""The interview's calendar file (RFC 5545) and e-mail attachments through notify."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from fellowship.notifications import notify
from recruitment import ics

LONDON = ZoneInfo("Europe/London")
STAMP = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def make(**kwargs) -> str:
    values = {
        "uid": "interview-slot-1@example.org",
        "start": datetime(2026, 6, 1, 9, 30, tzinfo=LONDON),
        "end": datetime(2026, 6, 1, 10, 0, tzinfo=LONDON),
        "summary": "Fellowship interview",
        "stamp": STAMP,
        "location": "Room 4, Skipton House",
        "description": "Bring ID.",
    }
    return ics.event(**{**values, **kwargs})


def test_event_has_the_required_fields_in_a_calendar():
    lines = unfold(make())
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert "UID:interview-slot-1@example.org" in lines
    assert "DTSTAMP:20260501T120000Z" in lines
    assert "SUMMARY:Fellowship interview" in lines
    assert "LOCATION:Room 4\\, Skipton House" in lines
    assert "DESCRIPTION:Bring ID." in lines
    assert lines[-2:] == ["END:VCALENDAR", ""]
    assert lines.index("BEGIN:VEVENT") < lines.index("END:VEVENT")


def test_summer_times_are_written_in_utc_an_hour_earlier():
    lines = unfold(make())  # 1 June: BST, UTC+1
    assert "DTSTART:20260601T083000Z" in lines
    assert "DTEND:20260601T090000Z" in lines


def test_winter_times_are_written_in_utc_unchanged():
    lines = unfold(
        make(
            start=datetime(2026, 12, 1, 9, 30, tzinfo=LONDON),
            end=datetime(2026, 12, 1, 10, tzinfo=LONDON),
        )
    )
    assert "DTSTART:20261201T093000Z" in lines
    assert "DTEND:20261201T100000Z" in lines


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        make(start=datetime(2026, 6, 1, 9, 30))


def test_every_line_ends_in_crlf():
    text = make()
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    description = "Café – " * 40  # multi-byte characters throughout
    text = make(description=description)
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert f"DESCRIPTION:{description}" in unfold(text)


def test_fold_leaves_short_lines_alone_and_continues_with_a_space():
    assert ics.fold("SUMMARY:short") == "SUMMARY:short"
    folded = ics.fold("X:" + "a" * 200)
    parts = folded.split("\r\n")
    assert len(parts[0]) == 75
    assert all(p.startswith(" ") and len(p) <= 75 for p in parts[1:])


def test_text_escapes_commas_semicolons_backslashes_and_new_lines():
    assert ics.escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    lines = unfold(make(summary="Panel A; room 2, floor 3", description="Line one\nLine two"))
    assert "SUMMARY:Panel A\\; room 2\\, floor 3" in lines
    assert "DESCRIPTION:Line one\\nLine two" in lines


def test_a_blank_location_is_left_out():
    assert not any(line.startswith("LOCATION") for line in unfold(make(location="")))


@pytest.mark.django_db
def test_notify_attaches_files_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            "role_granted",
            to="someone@example.org",
            context={"role": "Panellist", "user": None},
            attachments=[("interview.ics", make(), "text/calendar")],
        )
    message = mail.outbox[-1]
    assert message.attachments[0][0] == "interview.ics"
    assert message.attachments[0][2].startswith("text/calendar")
    assert "BEGIN:VEVENT" in message.attachments[0][1]


@pytest.mark.django_db
def test_notify_without_attachments_still_sends_plain_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            "role_granted", to=["someone@example.org"], context={"role": "Panellist", "user": None}
        )
    assert mail.outbox[-1].attachments == []


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
        max_size=400,
    )
)
def test_folding_any_text_keeps_it_whole_and_short(text):
    folded = ics.fold("DESCRIPTION:" + text)
    assert all(len(line.encode("utf-8")) <= 75 for line in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + text
