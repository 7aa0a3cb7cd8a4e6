"""Dated events (seminars, webinars): when they start and end, how the date reads, and the reminder a
registrant takes home: an iCalendar file (RFC 5545) and a Google Calendar link.

The date comes from the registration page's front matter (`starts_at`, `duration`, `venue`); a date
without a zone is Japan time on Japanese sites, UTC otherwise (funnelgen.dates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from .dates import parse_datetime

WEEKDAYS_JA = "月火水木金土日"
DEFAULT_MINUTES = 60
# https://github.com/InteractionDesignFoundation/add-event-to-calendar-docs/blob/main/services/google.md
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"


@dataclass(frozen=True)
class EventDate:
    starts: datetime
    ends: datetime
    venue: str = ""

    def text(self, language: str) -> str:
        """「2026年12月20日（日）20:00〜21:30（日本時間）」 / "Sun, Dec 20, 2026, 20:00–21:30 (UTC+09:00)"."""
        s, e = self.starts, self.ends.astimezone(self.starts.tzinfo)
        same_day = s.date() == e.date()
        if language == "ja":
            zone = "日本時間" if s.utcoffset() == timedelta(hours=9) else _zone(s)
            day = f"{s.year}年{s.month}月{s.day}日（{WEEKDAYS_JA[s.weekday()]}）"
            end = f"{e:%H:%M}" if same_day else f"{e.month}月{e.day}日 {e:%H:%M}"
            return f"{day}{s:%H:%M}〜{end}（{zone}）"
        end = f"{e:%H:%M}" if same_day else f"{e:%a, %b} {e.day}, {e:%H:%M}"
        return f"{s:%a, %b} {s.day}, {s.year}, {s:%H:%M}–{end} ({_zone(s)})"

    def iso(self) -> str:
        return self.starts.isoformat()


def _zone(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def event_date(meta: dict, language: str) -> EventDate | None:
    """The event a page announces, from its front matter; None when it has no (valid) starts_at."""
    starts = parse_datetime(str(meta.get("starts_at") or ""), language, end_of_day=False)
    if starts is None:
        return None
    minutes = meta.get("duration") or DEFAULT_MINUTES
    return EventDate(starts, starts + timedelta(minutes=int(minutes)), str(meta.get("venue") or ""))


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _ics_text(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF + space (RFC 5545 §3.1), never inside a character."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def ics(event: EventDate, *, uid: str, title: str, url: str, stamp: datetime | None = None) -> str:
    """A one-event iCalendar file; DTSTAMP is the start time unless given, so builds stay reproducible."""
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//funnelgen//funnelgen//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{_utc(stamp or event.starts)}",
        f"DTSTART:{_utc(event.starts)}", f"DTEND:{_utc(event.ends)}", f"SUMMARY:{_ics_text(title)}",
        f"URL:{url}", f"DESCRIPTION:{_ics_text(url)}",
    ]
    if event.venue:
        lines.append(f"LOCATION:{_ics_text(event.venue)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def google_calendar_url(event: EventDate, *, title: str, url: str) -> str:
    params = {"action": "TEMPLATE", "text": title, "dates": f"{_utc(event.starts)}/{_utc(event.ends)}",
              "details": url}
    if event.venue:
        params["location"] = event.venue
    return f"{GOOGLE_CALENDAR}?{urlencode(params)}"
