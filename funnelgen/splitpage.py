"""One page for a split test: every variant in the step's one file, the visitor's chosen before first paint.

Why this mechanism (docs/experiments.md has the measurements): one URL per step, no redirect (ad platforms
and search engines see the step's own page, canonical and sitemap unchanged), and it works on any static
host. Each variant's `<main>` and sticky bar are rendered with the site's own templates and wrapped in
`<div class="fg-v" data-fg-v="b">`; a static inline script in `<head>` (runtime/split.js, the same bytes on
every page so a CSP hash covers it; its data sits in a `data-fg-split` attribute) runs before the body is
parsed and sets `<html data-fg-variant="b">`:

  ?fg_variant=b (a known variant) forces b and keeps it for the tab (sessionStorage), never in the
  visitor's long-term assignment; else the assignment stored in localStorage under fg_x_<experiment>;
  else a weighted draw, stored. Without usable storage the original is shown (no flip-flopping).

Per-page rules in the page's `<style>` show only the chosen variant (`display: contents`, so the wrapper does not change
the layout); with JavaScript off no attribute is set and the original shows. funnel.js then removes the
other variants from the document, so forms, buttons and tags see one page. A declared winner renders alone,
with no script. Ids inside a non-original variant get a `--<variant>` suffix (and the links, labels and
ARIA references to them follow), so the document never has the same id twice.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from markupsafe import Markup, escape

from .errors import BuildError, Problem, rel
from .escaping import script_json
from .tracking import page_data
from .variants import page_text, view

HEAD_SCRIPT = (Path(__file__).parent / "runtime" / "split.js").read_text(encoding="utf-8").strip()
OPEN, CLOSE = "<!--fg-variant-->", "<!--/fg-variant-->"
_REGION = re.compile(re.escape(OPEN) + "(.*?)" + re.escape(CLOSE), re.S)
_IDS = re.compile(r'\sid="([^"]+)"')
_REFS = re.compile(r'(\s(?:for|aria-describedby|aria-labelledby|aria-controls)=")([^"]*)(")')
_HASH = re.compile(r'(\shref="#)([^"]+)(")')


def split_css(step) -> Markup:
    """The per-page rules (appended to the page's <style>): only the chosen variant shows, else the original."""
    ids = [v.id for v in step.split.variants]
    shown = ",".join([f'html:not([data-fg-variant]) .fg-v[data-fg-v="{ids[0]}"]'] +
                     [f'html[data-fg-variant="{vid}"] .fg-v[data-fg-v="{vid}"]' for vid in ids])
    return Markup(f".fg-v{{display:none}}{shown}{{display:contents}}")


def head_markup(step) -> Markup:
    """The static head script with this step's experiment and weights in its data attribute."""
    split = step.split
    data = json.dumps({"e": split.experiment, "v": [[vid, int(w) if w == int(w) else round(w, 6)] for vid, w in split.weights()]},
                      separators=(",", ":"))
    return Markup(f'<script data-fg-split="{escape(data)}">{HEAD_SCRIPT}</script>\n')


def split_data(site, step, entry_of) -> dict:
    """The page data funnel.js reads: the original's, plus what each variant changes (label, offer)."""
    base = page_data(site, step, entry_of)
    base["variants"] = {}
    for v in step.split.variants:
        own = page_data(site, view(step, v.id), entry_of)
        base["variants"][v.id] = {k: val for k, val in own.items() if base.get(k) != val or k == "variant"}
    return base


HEAD_KEYS = ("title", "description", "og_image", "index", "head", "body")  # one <head> for all variants


def render_split(renderer, step) -> tuple[str, list, list, dict]:
    """Render every variant of a live test with the site's templates and merge them: (html, problems,
    [(step as the variant, its own document)], the image files every variant uses); the rules check each
    variant as a visitor sees it.

    The <head> (title, description, canonical, og:…) is the original's while the test runs: it is what
    search engines and link previews see; a declared winner's own applies once it renders alone."""
    entry_of = renderer.entries.get(step.id)
    data = split_data(renderer.site, step, entry_of)
    extra = {"page_data": Markup(script_json(data)), "split_head": head_markup(step), "split_css": split_css(step),
             "split_open": Markup(OPEN), "split_close": Markup(CLOSE)}
    # one <head> for every variant: the original's share card; the media blocks' CSS on (pagecss.py then keeps
    # only the rules some variant uses), so a variant with its own hero image or video keeps the head the same
    extra.update({"share": renderer.media.page(step)["share"], "media_css": True})
    head = {k: step.meta[k] for k in HEAD_KEYS if k in step.meta}
    docs, problems, views, files = [], [], [], {}
    for v in step.split.variants:
        shown = view(step, v.id)
        if shown is not step:
            shown.meta = {**{k: val for k, val in shown.meta.items() if k not in HEAD_KEYS}, **head}
        rendered = renderer.render_step(shown, page_text(step, v.id), extra)
        problems += [_in_front_matter(p, v) for p in rendered.problems]
        docs.append((v.id, rendered.html))
        views.append((shown, rendered.html))
        files.update(rendered.files)
    return compose(step, docs), problems, views, files


def _in_front_matter(problem, variant):
    """A problem in a `content:` override points at its line in the page's front matter."""
    if variant.content is None or not problem.line or not variant.content_line:
        return problem
    return replace(problem, line=problem.line + variant.content_line, key=f"variants.{variant.id}.content")


def compose(step, docs: list[tuple[str, str]]) -> str:
    """The original's document with each marked region that differs replaced by every variant's version."""
    original = docs[0][1]
    parts = [(vid, _REGION.findall(html)) for vid, html in docs]
    skeletons = {_REGION.sub(OPEN, html) for _vid, html in docs}
    if not parts[0][1] or len(skeletons) > 1:
        raise BuildError([Problem(rel(step.source) if step.source else step.page,
                                  f"split test on '{step.id}': the variants differ outside the parts the page "
                                  f"template marks with {{{{ split_open }}}} … {{{{ split_close }}}}",
                                  hint="If you override page.html or base.html, keep those marks around the hero, "
                                       "the copy, the action and the sticky bar (see the default theme), or keep "
                                       "what differs (title, description) the same in every variant.")])
    count = len(parts[0][1])
    differs = [any(regions[i] != parts[0][1][i] for _vid, regions in parts) for i in range(count)]
    # a variant's ids across all its differing parts (the sticky bar links to the order section's #order)
    own = {vid: {x for i in range(count) if differs[i] for x in _IDS.findall(regions[i])} for vid, regions in parts}
    merged = iter(range(count))

    def region(_m) -> str:
        i = next(merged)
        if not differs[i]:
            return parts[0][1][i]  # the same in every variant: sent once
        return "".join(f'<div class="fg-v" data-fg-v="{vid}">'
                       f'{regions[i] if n == 0 else suffix_ids(regions[i], vid, own[vid])}</div>'
                       for n, (vid, regions) in enumerate(parts))
    return _REGION.sub(region, original)
def suffix_ids(html: str, vid: str, own: set[str]) -> str:
    """Give the ids `own` the suffix --vid in `html`, and the references to them (labels, ARIA, #links)."""
    if not own:
        return html

    def ref(m) -> str:
        tokens = [f"{t}--{vid}" if t in own else t for t in m.group(2).split(" ")]
        return m.group(1) + " ".join(tokens) + m.group(3)
    html = _IDS.sub(lambda m: f' id="{m.group(1)}--{vid}"', html)
    html = _REFS.sub(ref, html)
    return _HASH.sub(lambda m: m.group(1) + (f"{m.group(2)}--{vid}" if m.group(2) in own else m.group(2)) + m.group(3),
                     html)
