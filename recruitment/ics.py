"""iCalendar (RFC 5545) text for an interview slot, to attach to the invitation e-mail.

Pure Python, no Django import: `event()` takes plain values; `for_slot()` reads a slot's
attributes. Times are written in UTC ("Z"), so calendars show them right across GMT and BST
without a VTIMEZONE block. Lines end in CRLF and are folded at 75 octets, never inside a
UTF-8 character; text values escape backslashes, semicolons, commas and new lines.
"""

from __future__ import annotations

from datetime import UTC, datetime

PRODID = "-//Fellowship Manager//Interview calendar//EN"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and new lines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def utc_stamp(moment: datetime) -> str:
    """An aware datetime as a UTC DATE-TIME, e.g. 20260601T083000Z."""
    if moment.tzinfo is None:
        raise ValueError("iCalendar times must be aware datetimes")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, continuations starting with a space."""
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    start, limit = 0, LINE_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a multi-byte character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, LINE_OCTETS - 1  # the leading space of a continuation counts
    return "\r\n ".join(parts)


def event(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    stamp: datetime,
    location: str = "",
    description: str = "",
    url: str = "",
) -> str:
    """A VCALENDAR with one VEVENT, as text with CRLF line endings."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(start)}",
        f"DTEND:{utc_stamp(end)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def for_slot(slot, *, stamp: datetime, domain: str, page_url: str = "") -> str:
    """The calendar entry for an interview slot: the panel's place, or its video link."""
    panel = slot.panel
    where = panel.location or panel.video_link
    from fellowship.models import programme

    details = [f"Interview for the {programme().name} with {panel.name}."]
    if panel.location and panel.video_link:
        details.append(f"Video link: {panel.video_link}")
    elif panel.video_link:
        details.append(f"Join by video: {panel.video_link}")
    if page_url:
        details.append(f"Your interview: {page_url}")
    return event(
        uid=f"interview-slot-{slot.pk}@{domain}",
        start=slot.starts_at,
        end=slot.ends_at,
        summary="Fellowship interview",
        stamp=stamp,
        location=where,
        description="\n".join(details),
        url=page_url,
    )
