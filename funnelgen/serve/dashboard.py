"""The preview dashboard at `/_fg/`: build state, the funnel map, offers, forms and what was captured.

The funnel map is `graph.funnel_map` drawn by the ui partial `funnel_map.html`, the same drawing as
the verify storyboard's.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from .. import ui
from ..graph import funnel_map
from ..prices import price_label
from .capture import ORDERS, SUBMISSIONS, Store, netlify_names
from .server import RESERVED

MAX_LOOSE = 500  # pages outside funnels listed at most


def map_data(site) -> list[dict]:
    """Every funnel with every step its visitors can reach, prices in the site's language."""
    return [m.as_dict() for m in funnel_map(site)]


def split_rows(site) -> list[dict]:
    """Every split test with a link to each variant: ?fg_variant= forces it for that tab (docs/experiments.md)."""
    rows = []
    for step in site.steps.values():
        split = step.split
        if split is None or not split.variants:
            continue
        total = sum(w for _vid, w in split.weights()) or 1
        rows.append({"step": step.id, "url": step.url, "experiment": split.experiment, "winner": split.winner,
                     "since": split.winner_since, "variants": [{
                         "id": v.id, "share": f"{100 * v.weight / total:.4g}%", "page": v.page or step.page,
                         "url": f"{step.url}?fg_variant={quote(v.id, safe='')}",
                         "headline": v.meta.get("headline") or v.meta.get("title") or "",
                         "offer": v.offer.id if v.offer else (step.offer_id or "")} for v in split.variants]})
    return rows


def field_pairs(fields) -> list[tuple[str, str]]:
    """A captured post's fields as (name, value) lines; repeated fields are joined."""
    if not isinstance(fields, dict):
        return [("", json.dumps(fields, ensure_ascii=False))] if fields else []
    return [(str(k), ", ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in fields.items()]


_PICTURE: dict = {}  # the last site's picture: drawing it runs Graphviz, and a site changes only per full build


def picture(site):
    """The funnel map as inline SVG (funnelgen.diagram), the same picture as the verify storyboard."""
    from markupsafe import Markup

    from ..diagram import svg_picture

    if _PICTURE.get("site") is not site:
        _PICTURE.update(site=site, svg=svg_picture(site))
    return Markup(_PICTURE["svg"]) if _PICTURE["svg"] else None


def dashboard_html(site, renderer, store: Store, status: dict) -> str:
    lang = site.language
    offers = [{
        "id": o.id, "name": o.name, "price": price_label(o, lang),
        # an offer nobody pays for on the site (only applied for, through a form) has no checkout to test
        "test_url": f"{RESERVED}checkout/{quote(o.id, safe='')}" if site.success_targets(o.id) else "",
        "checkout": o.checkout or "", "success": site.success_url(o) or "",
        "applied": any(s.offer_id == o.id and s.form_id and s.traits.sells for s in site.steps.values()),
    } for o in site.offers.values()]
    names = {}  # form id -> its placed names (Netlify lists one form per name: hosts.form_name)
    for name, form in netlify_names(site).items():
        names.setdefault(form.id, []).append(name)
    forms = [{
        "id": f.id, "provider": f.provider, "fields": ", ".join(x.name for x in f.fields),
        "action": f.action or "", "names": ", ".join(names.get(f.id, [])),
    } for f in site.forms.values()]
    loose = [s for s in site.steps.values() if not s.funnels]
    submissions = [{
        "time": str(s.get("time", "")), "form": str(s.get("form", "")), "spam": bool(s.get("spam")),
        "step": str(s.get("step") or ""), "fields": field_pairs(s.get("fields")),
    } for s in store.read(SUBMISSIONS)]
    orders = [{
        "time": str(o.get("time", "")), "offer": str(o.get("offer", "")), "redirect": str(o.get("redirect") or ""),
    } for o in store.read(ORDERS)]
    return ui.render(
        "dashboard.html", lang=lang, accent=site.settings.accent_color,
        css=renderer.css if renderer is not None else "", title="funnelgen preview", site_title=site.settings.title,
        build=status.get("build", 0), ok=status.get("ok", True), problems=status.get("problems", []),
        src=str(site.src), submissions_file=str(store.cache / SUBMISSIONS), funnels=map_data(site), map_links=True,
        picture=picture(site), splits=split_rows(site),
        loose=loose[:MAX_LOOSE], loose_count=len(loose), offers=offers, forms=forms, submissions=submissions,
        orders=orders)
