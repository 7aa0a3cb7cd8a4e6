"""Absolute dates and times as users write them in site.yml and blocks (deadlines, event dates)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

JST = timezone(timedelta(hours=9))
_DT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def parse_datetime(text: str, language: str, end_of_day: bool = True) -> datetime | None:
    """Absolute time from `2026-12-31`, `2026-12-31 23:59`, `2026-12-31T23:59+09:00`; JST for ja sites
    and UTC otherwise when no zone is given. A date alone means the end of that day (a deadline) or,
    with `end_of_day=False`, its start. None when the text is not such a date."""
    m = _DT.match(str(text).strip())
    if not m:
        return None
    y, mo, d, hh, mm, ss, zone = m.groups()
    if zone in (None, ""):
        tz = JST if language == "ja" else timezone.utc
    elif zone == "Z":
        tz = timezone.utc
    else:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        if hh is None:
            if end_of_day:
                return datetime(int(y), int(mo), int(d), 23, 59, 59, tzinfo=tz)
            return datetime(int(y), int(mo), int(d), tzinfo=tz)
        return datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0), tzinfo=tz)
    except ValueError:
        return None


def parse_deadline(text: str, language: str) -> datetime | None:
    """A deadline: a date alone means the end of that day."""
    return parse_datetime(text, language, end_of_day=True)
