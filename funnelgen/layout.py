"""What the first screen of each step shows, and the bar that follows a phone visitor down the page.

A landing page converts when its one action is on the first screen (at 390×844 and 1366×900): the opt-in
form beside the copy, the offer card with its price and button, the download on a thank-you page. This
module decides, per step, which action the hero carries and what the sticky mobile bar says; the theme lays
it out (partials/hero.html and friends). On Japanese sites a checkout still leaves only from the order
section (特定商取引法12条の6): the hero's buy button scrolls there.

Post-purchase offers (upsell, downsell, cross-sell) show where the buyer is, computed from the funnel graph:
the purchase is STEP 1, each offer bought on top of it one step further, an offer that replaces a declined one
(a downsell) the same step as the one it replaces, and the end of the sequence the last step.
"""

from __future__ import annotations

import re
import unicodedata

from .urls import under_prefix

STICKY_EM = 16  # the sticky label fits one line on a 320 px screen (16 full-width characters at 1rem, bold)
_TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


def text_width(text: str) -> float:
    """Width in em: full-width characters 1, others about 0.6 (Latin letters and digits at bold 1rem)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def sticky_label(label: str, fallback: str) -> str:
    """The button's words if they fit one line of the bar, else without a trailing note 「（9,800円・税込）」,
    else the kind's short default."""
    for candidate in (label, _TRAILING_NOTE.sub("", label)):
        if candidate and text_width(candidate) <= STICKY_EM:
            return candidate
    return fallback


def _key_line(step, key: str) -> int | None:
    """The front-matter line of `key` (read again only when there is a problem to report)."""
    try:
        lines = step.source.read_text(encoding="utf-8").splitlines()
    except (AttributeError, OSError):
        return None
    return next((i for i, text in enumerate(lines, 1) if text.startswith(f"{key}:")), None)


class Layout:
    """Per site: the post-purchase sequence of every offer step (computed once), then one view per page."""

    def __init__(self, site, t: dict):
        self.site, self.t = site, t
        self.levels: dict[str, tuple[int, int, object]] = {}  # step id -> (STEP n, of total, offer bought first)
        self._sequence()

    def _sequence(self) -> None:
        steps = self.site.steps
        for root in steps.values():
            if root.traits.declinable or not root.sells_by_checkout or root.offer is None:
                continue
            found: dict[str, int] = {}
            todo = [(root.paid_target, 2)]
            while todo:
                sid, n = todo.pop()
                step = steps.get(sid or "")
                if step is None or not step.traits.declinable or found.get(sid, 0) >= n or n > len(steps) + 1:
                    continue
                found[sid] = n
                todo.append((step.edges.get(step.traits.paid_edge or "accept"), n + 1))
                todo.append((step.edges.get("decline"), n))  # a replacement keeps the step it replaces
            total = max(found.values(), default=1) + 1
            for sid, n in found.items():
                self.levels.setdefault(sid, (n, total, root.offer))

    def progress(self, step) -> dict | None:
        if step.id not in self.levels:
            return None
        n, total, first = self.levels[step.id]
        names = self.t["progress_steps"].split(",")
        middle = total - 2
        labels = [names[0]] + [names[1] + (f" {i + 1}" if middle > 1 else "") for i in range(middle)] + [names[2]]
        paid = self.site.purchase_offers(step)
        bought = paid[0] if paid else first
        line = self.t["progress_line"].format(n=n, total=total, bought=bought.name) if bought else \
            self.t["progress_line_plain"].format(n=n, total=total)
        return {"n": n, "total": total, "labels": labels, "line": line}

    def replaced(self, step):
        """The offer a downsell stands in for: the one on the step whose decline leads here."""
        if not step.traits.declinable:
            return None
        for other in self.site.steps.values():
            if other.edges.get("decline") == step.id and other.offer is not None and other.traits.sells:
                return other.offer
        return None

    def view(self, step, action: dict | None, offer_view) -> tuple[dict, list]:
        """(the `layout` the templates get, problems as (line, message, hint))."""
        t, meta, problems = self.t, step.meta, []
        application = step.traits.sells and step.form is not None
        hero_href = f"#fg-form-{step.form.id}" if step.form is not None else "#order"
        download = None
        if meta.get("download"):
            download = {"href": under_prefix(self.site.prefix, meta["download"]), "label": meta.get("download_label") or t["download"]}
        line = None
        if meta.get("line"):
            if self.site.settings.line_url:
                line = {"href": self.site.settings.line_url, "label": t["line_add"]}
            else:
                problems.append((_key_line(step, "line"), "line: true, but site.line_url is not set",
                                 "Add site.line_url: https://lin.ee/… (your LINE official account's add-friend URL)."))
        hero = None
        if step.form is not None and not step.traits.sells:
            hero = "form"
        elif step.traits.sells and step.offer is not None:
            hero = "offer"
        elif action is not None or download or line:
            hero = "next"
        sticky = None
        if action is not None and (step.traits.sells or step.form is not None):
            fallback = t[step.traits.button] if step.form is not None else t["buy"]
            sticky = {"href": hero_href, "label": meta.get("sticky") or sticky_label(action["label"], fallback)}
        replaced = self.replaced(step)
        return {
            "hero": hero, "hero_href": hero_href, "application": application,
            "progress": self.progress(step), "replaced": offer_view(replaced) if replaced else None,
            "download": download, "line": line, "sticky": sticky,
        }, problems
