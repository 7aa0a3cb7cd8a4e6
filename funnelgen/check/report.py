"""Report formatting for `funnelgen check`: grouped by file (one Markdown file = one page), or JSON for CI."""

from __future__ import annotations

import json

from ..errors import Problem


def counts(problems: list[Problem]) -> tuple[int, int]:
    errors = sum(1 for p in problems if p.severity == "error")
    return errors, len(problems) - errors


def grouped(problems: list[Problem]) -> dict[str, list[Problem]]:
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.file, []).append(p)
    for items in groups.values():
        items.sort(key=lambda p: (p.severity != "error", p.line or 0))
    return groups


def format_text(problems: list[Problem], color=None) -> str:
    """Human report; `color(text, severity)` may add terminal colours."""
    paint = color or (lambda text, _severity: text)
    lines: list[str] = []
    for file, items in grouped(problems).items():
        lines.append(paint(file, "header"))
        for p in items:
            where = f"line {p.line}" if p.line else ""
            head = "  ".join(x for x in (f"  {p.severity}", where, p.key) if x)
            lines.append(paint(f"{head}: {p.message}" + (f"  [{p.rule}]" if p.rule else ""), p.severity))
            if p.why:
                lines.append(f"      why: {p.why}")
            if p.hint:
                lines.append(f"      fix: {p.hint}")
        lines.append("")
    errors, warnings = counts(problems)
    if problems:
        lines.append(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    else:
        lines.append("no problems found")
    return "\n".join(lines)


def format_json(problems: list[Problem]) -> str:
    errors, warnings = counts(problems)
    return json.dumps({"ok": errors == 0, "errors": errors, "warnings": warnings,
                       "files": {file: [p.as_dict() for p in items] for file, items in grouped(problems).items()},
                       "problems": [p.as_dict() for p in problems]}, ensure_ascii=False, indent=2)
