"""Read every --data file: tell its format from its first lines, hand it to its reader, and collect every
problem of every file before stopping (a user fixes a batch per run, as with site.yml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BuildError, Problem, rel
from . import read_ga4, read_netlify, read_preview, read_stripe
from .records import Problems, Row, csv_rows, read_text

FORMATS = {"preview": "funnelgen preview submissions (.jsonl)", "netlify": "Netlify Forms CSV",
           "stripe": "Stripe payments CSV", "ga4": "GA4 exploration CSV"}


@dataclass
class Exports:
    rows: list[Row] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)  # {file, format, rows}
    notes: list[dict] = field(default_factory=list)
    visitor_metric: list[str] = field(default_factory=list)  # GA4 metric(s) read as visitors
    period: dict[str, str] = field(default_factory=dict)  # {"start", "end"} of the GA4 exports, if they say


def detect(text: str) -> tuple[str | None, list[str]]:
    """The format of an export and its header (first CSV record that is not a '#' comment)."""
    if read_preview.looks_like(text):
        return "preview", []
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    try:
        header = next(csv_rows(body), (0, []))[1]
    except ValueError:
        return None, []
    if read_ga4.looks_like(text, header):
        return "ga4", header
    if read_stripe.looks_like(header):
        return "stripe", header
    if read_netlify.looks_like(header):
        return "netlify", header
    return None, header


def read_exports(paths: list[Path], catalog) -> Exports:
    out, errors, seen_files, seen_keys = Exports(), [], set(), set()
    for path in paths:
        path = Path(path)
        if path.is_file() and path.resolve() in seen_files:
            errors.append(Problem(rel(path), "given twice", key="--data", hint="Pass each export once."))
            continue
        seen_files.add(path.resolve())
        if not path.is_file():
            errors.append(Problem(rel(path), "no such file" if not path.exists() else "not a file", key="--data",
                                  hint="Give the path of an exported file (docs/report.md lists the formats)."))
            continue
        problems = Problems(path)
        try:
            text = read_text(path)
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(Problem(rel(path), f"cannot be read as text ({exc})", key="--data",
                                  hint="Export it again as CSV (UTF-8) or JSON lines."))
            continue
        fmt, header = detect(text)
        if fmt is None:
            shown = ", ".join(header[:6]) + (" …" if len(header) > 6 else "") if header else "nothing"
            errors.append(Problem(rel(path), f"unknown export format (its header reads: {shown})", line=1,
                                  hint="Known: " + "; ".join(FORMATS.values()) + ". docs/report.md shows each one."))
            continue
        try:
            if fmt == "ga4":
                rows = read_ga4.read(text, catalog, problems, out.visitor_metric)
                dates = read_ga4.period(text)
                if dates.get("start") and (not out.period or dates["start"] < out.period["start"]):
                    out.period["start"] = dates["start"]
                if dates.get("end") and (not out.period.get("end") or dates["end"] > out.period["end"]):
                    out.period["end"] = dates["end"]
            else:
                rows = {"preview": read_preview, "netlify": read_netlify, "stripe": read_stripe}[fmt].read(
                    text, catalog, problems)
        except ValueError as exc:  # the CSV itself is broken (an unterminated quote …)
            problems.error(f"not readable as CSV: {exc}", hint="Export the file again without editing it.")
            rows = []
        errors += problems.finish()
        keyed = [r for r in rows if r.key]
        fresh = [r for r in rows if not r.key or r.key not in seen_keys]
        if len(fresh) < len(rows):  # overlapping exports (two months that share a day) count a payment once
            problems.note("duplicates", count=len(rows) - len(fresh))
        seen_keys.update(r.key for r in keyed)
        out.notes += problems.notes
        out.rows += fresh
        out.inputs.append({"file": problems.file, "format": fmt, "rows": len(rows)})
    if errors:
        raise BuildError(errors)
    return out
