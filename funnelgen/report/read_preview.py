"""The preview's captured form posts: SITE/.funnelgen/submissions.jsonl, one JSON object a line, as
funnelgen/serve/capture.py writes them ({time, form, provider, step, funnel, path, redirect, spam, fields})."""

from __future__ import annotations

import json

from .read_netlify import lead
from .records import Problems, Row


def looks_like(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.lstrip().startswith("{")


def read(text: str, catalog, problems: Problems) -> list[Row]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            problems.error(f"not a JSON object ({exc.msg})", number, "",
                           "A line torn by a crash of the preview: delete that line.")
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("fields"), dict):
            problems.error("a capture without 'fields'", number, "fields",
                           "Each line is one form post the preview captured; delete lines written by other tools.")
            continue
        if entry.get("spam"):
            continue
        fields = {str(k): v if isinstance(v, str) else "" for k, v in entry["fields"].items()}
        if isinstance(entry.get("step"), str) and entry["step"]:  # capture.py resolved the form's own field names
            fields["fg_step"] = entry["step"]
        if not fields.get("fg_funnel") and isinstance(entry.get("funnel"), str):
            fields["fg_funnel"] = entry["funnel"]
        row = lead(fields, catalog, problems, number, f"{problems.file}:{number}")
        if row:
            rows.append(row)
    return rows
