"""Netlify Forms CSV export (site → Forms → a form → Download as CSV): one row per verified submission,
one column per form field, funnelgen's hidden fields among them (fg_funnel, fg_step, fg_variant, utm_*),
plus Netlify's own columns such as created_at. https://docs.netlify.com/forms/submissions/"""

from __future__ import annotations

from ..errors import did_you_mean
from .records import DIRECT, Problems, Row, csv_rows, find_column

SOURCE_NAMES = ("utm_source", "登録経路")  # 登録経路: the registration-route column of Japanese list tools


def looks_like(header: list[str]) -> bool:
    return find_column(header, "fg_step") is not None


def lead(values: dict[str, str], catalog, problems: Problems, line: int, where: str) -> Row | None:
    """One form conversion from a submission's fields; a problem (and None) when it names no known step."""
    step = (values.get("fg_step") or "").strip()
    if not step:
        problems.error("the submission has no fg_step (which step's form sent it)", line, "fg_step",
                       "Submissions from forms built by funnelgen carry it; delete rows from other forms.")
        return None
    if not catalog.knows(step):
        problems.error(f"unknown step '{step}'.{did_you_mean(step, catalog.steps)}", line, "fg_step",
                       f"Steps in site.yml: {', '.join(catalog.steps)}.")
        return None
    source = next((values[k].strip() for k in SOURCE_NAMES if (values.get(k) or "").strip()), DIRECT)
    return Row("lead", step, funnel=(values.get("fg_funnel") or "").strip() or catalog.funnel_of(step),
               variant=(values.get("fg_variant") or "").strip() or None, source=source, where=where)


def read(text: str, catalog, problems: Problems) -> list[Row]:
    records = csv_rows(text)
    first = next(records, None)
    if first is None:
        return []
    header = first[1]
    columns = {name: i for name in ("fg_step", "fg_funnel", "fg_variant") + SOURCE_NAMES
               if (i := find_column(header, name)) is not None}
    rows = []
    for line, cells in records:
        if len(cells) != len(header):
            problems.error(f"{len(cells)} cells, the header has {len(header)}", line, "",
                           "Re-export the file; a value with a comma must be in double quotes.")
            continue
        values = {name: cells[i] for name, i in columns.items()}
        row = lead(values, catalog, problems, line, f"{problems.file}:{line}")
        if row:
            rows.append(row)
    return rows
