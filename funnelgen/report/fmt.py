"""Numbers as a marketer reads them (17.5%, 32,500円 / ¥32,500) and Japanese-aware column widths."""

from __future__ import annotations

import unicodedata

BLOCKS = " ▏▎▍▌▋▊▉█"


def count(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def pct(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x * 100:.{digits}f}%"


def signed_pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.1f}%"


def interval(ci: list | None) -> str:
    return "—" if not ci else f"{ci[0] * 100:.1f}–{ci[1] * 100:.1f}%"


def money(value, currency: str | None, language: str) -> str:
    if value is None:
        return "—"
    if currency in (None, "JPY"):
        return f"{value:,}円" if language == "ja" else f"¥{value:,}"
    return f"{value:,.2f} {currency}"


def p_value(p: float | None) -> str:
    return "—" if p is None else "<0.001" if p < 0.001 else f"{p:.3f}"


def width(text: str) -> int:
    """Terminal cells: East Asian wide and fullwidth characters take two (Unicode UAX #11)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def fit(text: str, cells: int, right: bool = False) -> str:
    """`text` cut (with …) or padded to exactly `cells` terminal cells."""
    if width(text) > cells:
        out = ""
        for c in text:
            if width(out + c) > cells - 1:
                break
            out += c
        text = out + "…"
    pad = " " * (cells - width(text))
    return pad + text if right else text + pad


def bar(fraction: float | None, cells: int = 12) -> str:
    """A horizontal bar in eighths of a cell: 0.5 of 12 cells is '██████'."""
    if fraction is None:
        return ""
    eighths = round(max(0.0, min(1.0, fraction)) * cells * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (BLOCKS[rest] if rest else "")
