"""GA4 exploration CSV export (Explore → a free-form exploration → Export data → CSV): a few '#' comment
lines (the exploration's name, the segment, start and end date), then a header and one row per combination
of the chosen dimensions. Read dimensions: a page path, a session source, and the custom dimensions
fg_variant / fg_funnel / fg_step (funnelgen sends them with every event); metrics: users, sessions, views
or event count. https://support.google.com/analytics/answer/7579450 (explorations)."""

from __future__ import annotations

from .records import DIRECT, Problems, Row, csv_rows, find_column, norm, parse_count

PATH = ("Page path and screen class", "Page path", "Page path + query string", "Landing page",
        "Landing page + query string", "ページパスとスクリーン クラス", "ページパス", "ページパス + クエリ文字列",
        "ランディング ページ", "ランディング ページ + クエリ文字列")
SOURCE = ("Session source", "Session source / medium", "First user source", "Source", "First user source / medium",
          "セッションの参照元", "セッションの参照元 / メディア", "最初のユーザーの参照元", "参照元")
EVENT = ("Event name", "イベント名")
# Visitors, best first: users are what a split test assigns (sticky per browser), sessions and views come after.
METRICS = (("Active users", "アクティブ ユーザー"), ("Total users", "総ユーザー数"), ("Users", "ユーザー"),
           ("Sessions", "セッション"), ("Views", "表示回数"), ("Event count", "イベント数"))
TOTALS = {"total", "totals", "grand total", "合計", "総計"}


def looks_like(text: str, header: list[str]) -> bool:
    """A page path (or fg_step) dimension beside a visitor metric, or a page path under GA4's '#' comments."""
    has_metric = any(find_column(header, *names) is not None for names in METRICS)
    has_path = find_column(header, *PATH) is not None
    return (has_metric and (has_path or find_column(header, "fg_step") is not None)) or (
        has_path and text.lstrip("\ufeff").startswith("#"))


def tables(text: str):
    """(first line number, CSV text) of each table: '#' lines are comments, a blank line ends a table."""
    block, start = [], None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("#") or not line.strip():
            if block:
                yield start, "\n".join(block)
                block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, "\n".join(block)


DATES = {"start date": "start", "開始日": "start", "end date": "end", "終了日": "end"}


def period(text: str) -> dict[str, str]:
    """The exploration's date range from its '# Start date: 20261101' comment lines (YYYY-MM-DD)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#") and ":" in line:
            key, _, value = line[1:].partition(":")
            value = value.strip()
            if norm(key) in DATES and len(value) == 8 and value.isdigit():
                out[DATES[norm(key)]] = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return out


def read(text: str, catalog, problems: Problems, metric_used: list[str]) -> list[Row]:
    rows, outside = [], {}
    for start, table in tables(text):
        records = csv_rows(table, start)
        first = next(records, None)
        if first is None:
            continue
        header_line, header = first
        path_col, step_col = find_column(header, *PATH), find_column(header, "fg_step", contains="fg_step")
        metric = next(((names[0], i) for names in METRICS if (i := find_column(header, *names)) is not None), None)
        if (path_col is None and step_col is None) or metric is None:
            what = "page path (or fg_step) dimension" if metric else "users, sessions, views or event count metric"
            problems.error(f"the table has no {what}", header_line, "",
                           "Add the dimension 'Page path and screen class' and the metric 'Active users' to the "
                           "exploration (docs/report.md#ga4).")
            continue
        if metric[0] not in metric_used:
            metric_used.append(metric[0])
        source_col, event_col = find_column(header, *SOURCE), find_column(header, *EVENT)
        variant_col = find_column(header, "fg_variant", contains="fg_variant")
        funnel_col = find_column(header, "fg_funnel", contains="fg_funnel")
        for line, cells in records:
            if len(cells) != len(header):
                problems.error(f"{len(cells)} cells, the header has {len(header)}", line, "")
                continue
            dims = cells[step_col if step_col is not None else path_col].strip()
            if dims.lower() in TOTALS or not dims:
                continue  # the totals row
            if event_col is not None and cells[event_col].strip() not in ("page_view", ""):
                continue  # other events of the same page would count its visitors again
            count = parse_count(cells[metric[1]])
            if count is None:
                problems.error(f"'{cells[metric[1]]}' is not a whole number", line, header[metric[1]])
                continue
            step = dims if step_col is not None else catalog.step_for_path(dims)
            if not step or not catalog.knows(step):
                outside[dims] = outside.get(dims, 0) + count
                continue
            source = cells[source_col].split(" / ")[0].strip() or DIRECT if source_col is not None else None
            funnel = cells[funnel_col].strip() if funnel_col is not None else ""
            variant = cells[variant_col].strip() if variant_col is not None else ""
            rows.append(Row("visit", step, funnel=funnel or catalog.funnel_of(step),
                            variant=variant if variant and variant != "(not set)" else None,
                            source=source, count=count, where=f"{problems.file}:{line}"))
    if outside:
        pages = ", ".join(sorted(outside)[:5]) + (" …" if len(outside) > 5 else "")
        problems.note("outside_pages", count=sum(outside.values()), pages=pages)
    return rows
