"""What every export reader produces: rows of visits, form conversions and sales, in one shape.

Readers differ only in how they find these values in a file; everything after them (figures, statistics,
output) sees `Row`s. Problems name the file, the row (its line in the file) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import Problem, rel

DIRECT = "(direct)"  # the source of a visit or lead without utm_source (GA4's own word for it)
MAX_PROBLEMS = 20  # per file: past this, one more line says how many were left out


@dataclass
class Row:
    kind: str  # "visit" (GA4), "lead" (a form conversion) or "sale" (a payment)
    step: str
    funnel: str | None = None
    variant: str | None = None  # None: the export does not say (counts in the step's totals only)
    source: str | None = None  # None: the export does not say (counts in the totals only)
    count: int = 1
    amount: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    currency: str = ""
    where: str = ""  # "file:line", for messages
    key: str = ""  # the export's own id of the record (a Stripe payment id): counted once across files


class Problems:
    """Problems found while reading one file (errors stop the report; notes are printed and kept)."""

    def __init__(self, path: Path):
        self.file = rel(path)
        self.errors: list[Problem] = []
        self.notes: list[dict] = []  # {"code": …, params}: words.NOTES says them in the report's language
        self._dropped = 0

    def error(self, message: str, line: int | None = None, column: str = "", hint: str = "") -> None:
        if len(self.errors) >= MAX_PROBLEMS:
            self._dropped += 1
            return
        self.errors.append(Problem(self.file, message, key=column, line=line, hint=hint))

    def note(self, code: str, **params) -> None:
        self.notes.append({"code": code, "file": self.file, **params})

    def finish(self) -> list[Problem]:
        if self._dropped:
            self.errors.append(Problem(self.file, f"… and {self._dropped} more problems like these"))
        return self.errors


def read_text(path: Path) -> str:
    """The file as text: UTF-8 (with or without the BOM Excel writes), else Shift_JIS (Japanese Excel's CSV)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp932")


def norm(name: str) -> str:
    """A header for matching: lower case, no BOM, single spaces."""
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def find_column(header: list[str], *names: str, contains: str | None = None) -> int | None:
    """Index of the first column called one of `names` (case and spacing ignored), or containing `contains`."""
    normed = [norm(h) for h in header]
    for name in names:
        if norm(name) in normed:
            return normed.index(norm(name))
    if contains:
        for i, h in enumerate(normed):
            if contains in h:
                return i
    return None


def csv_rows(text: str, start_line: int = 1):
    """(line number, cells) of every non-empty CSV record; the line is where the record starts."""
    reader = csv.reader(io.StringIO(text))
    while True:
        line = start_line + reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"line {line}: {exc}") from exc
        if any(c.strip() for c in cells):
            yield line, cells


_MONEY_JUNK = re.compile(r"[,\s¥￥$€£円]")


def parse_amount(text: str) -> Decimal | None:
    """'1,980', '¥1,980', '1980.00', '1980円' -> Decimal; None when it is not a non-negative amount."""
    cleaned = _MONEY_JUNK.sub("", text or "")
    if not cleaned:
        return Decimal(0)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def parse_count(text: str) -> int | None:
    """'1,234' -> 1234; None when it is not a whole non-negative number."""
    cleaned = (text or "").replace(",", "").strip() or "0"
    if not cleaned.isdigit():
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            return None
        return int(value) if value.is_finite() and value >= 0 and value == int(value) else None
    return int(cleaned)
