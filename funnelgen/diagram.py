"""The funnel map as a picture: Mermaid (renders on GitHub and in docs), Graphviz DOT, and SVG/PNG through
Graphviz's `dot` when it is installed (Debian package graphviz).

Drawn from `graph.funnel_map` (the one walk over the funnel graph): one box per funnel (persona) holding the
steps it lists, each step with its kind and, when it sells, the offer and its tax-inclusive price; edges are
labelled with what the visitor does (next, accept/buy, decline). A step shared by several funnels is drawn
once, in the funnel that lists it; the other funnels' edges lead into it.
"""

from __future__ import annotations

import re
import shutil
import subprocess

EDGE_WORDS = {"ja": {"next": "次へ", "buy": "購入", "form": "送信", "decline": "見送る", "bump": "バンプ"},
              "en": {"next": "next", "buy": "buy", "form": "submit", "decline": "no thanks", "bump": "bump"}}
FORMATS = ("mermaid", "dot", "svg", "png")


class GraphvizMissing(Exception):
    """`dot` is not installed: SVG and PNG need it."""


def _nodes(site):
    """(funnel map, {step id: funnel id that draws it}) — each step drawn once, in the first funnel listing it."""
    from .graph import funnel_map

    maps = funnel_map(site)
    owner: dict[str, str] = {}
    for fmap in maps:
        for step in fmap.steps:
            if not step.shared:
                owner.setdefault(step.id, fmap.id)
    for fmap in maps:  # steps only reached, never listed: drawn by the first funnel reaching them
        for step in fmap.steps:
            owner.setdefault(step.id, fmap.id)
    return maps, owner


def _label_lines(site, step) -> list[str]:
    lines = [step.id, f"({step.kind})"]
    if step.offer:
        lines.append(f"{site.offers[step.offer].name}")
        lines.append(step.price)
    for choice in step.choices:  # the plans of a plan table; the bump's bundle
        if choice["id"] != step.offer:
            lines.append(f"{'+ ' if choice['bump'] else ''}{choice['id']}: {choice['price']}")
    if step.form:
        lines.append(f"form: {step.form}")
    return lines


def _edge_words(site, mstep, edge: str) -> list[str]:
    """What the visitor does to follow this edge: buy (the paid edge of a checkout; one edge per plan, and one
    with the order bump ticked), submit a form, go on, decline."""
    words = EDGE_WORDS["ja" if site.language == "ja" else "en"]
    step = site.steps[mstep.id]
    if step.sells_by_checkout and edge == (step.traits.paid_edge or "next"):
        if len(mstep.choices) < 2:
            return [words["buy"]]
        return [f"{words['buy']}{' + ' + words['bump'] if c['bump'] else ''}: {c['id']}" for c in mstep.choices]
    if step.form is not None and edge == "next":
        return [words["form"]]
    return [words.get(edge, edge)]


def _mermaid_text(text: str) -> str:
    """Inside a quoted Mermaid label: quotes and angle brackets as entities (Mermaid's #quot; form)."""
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;"))


def _mermaid_id(name: str) -> str:
    return "s_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def _edges(site, maps, owner):
    """Each (step, target, label) arrow once, in map order: a step shared by two maps has its edges drawn once."""
    drawn = set()
    for fmap in maps:
        for step in fmap.steps:
            for edge, target in step.edges.items():
                if (step.id, edge) in drawn or target not in owner:
                    continue
                drawn.add((step.id, edge))
                for word in _edge_words(site, step, edge):
                    yield step, target, word


def mermaid(site) -> str:
    maps, owner = _nodes(site)
    out = ["flowchart LR"]
    for fmap in maps:
        out.append(f'  subgraph f_{_mermaid_id(fmap.id)}["{_mermaid_text(f"{fmap.title} ({fmap.id})")}"]')
        for step in fmap.steps:
            if owner.get(step.id) == fmap.id:
                label = "<br/>".join(_mermaid_text(line) for line in _label_lines(site, step))
                out.append(f'    {_mermaid_id(step.id)}["{label}"]')
        out.append("  end")
    out += [f'  {_mermaid_id(step.id)} -->|"{_mermaid_text(word)}"| {_mermaid_id(target)}'
            for step, target, word in _edges(site, maps, owner)]
    return "\n".join(out) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(site) -> str:
    maps, owner = _nodes(site)
    out = ["digraph funnels {", '  rankdir=LR; graph [fontname="Noto Sans CJK JP"]; node [shape=box, style="rounded", fontname="Noto Sans CJK JP"];',
           '  edge [fontname="Noto Sans CJK JP", fontsize=10];']
    for i, fmap in enumerate(maps):
        out.append(f'  subgraph cluster_{i} {{ label="{_dot_text(f"{fmap.title} ({fmap.id})")}";')
        for step in fmap.steps:
            if owner.get(step.id) == fmap.id:
                label = "\\n".join(_dot_text(line) for line in _label_lines(site, step))
                out.append(f'    "{_dot_text(step.id)}" [label="{label}"];')
        out.append("  }")
    out += [f'  "{_dot_text(step.id)}" -> "{_dot_text(target)}" [label="{_dot_text(word)}"];'
            for step, target, word in _edges(site, maps, owner)]
    out.append("}")
    return "\n".join(out) + "\n"


def image(dot_source: str, fmt: str, timeout: float = 60) -> bytes:
    """SVG or PNG of a DOT graph through Graphviz; GraphvizMissing when `dot` is not installed."""
    binary = shutil.which("dot")
    if binary is None:
        raise GraphvizMissing("Graphviz is not installed, so there is no `dot` to draw SVG or PNG.")
    done = subprocess.run([binary, f"-T{fmt}"], input=dot_source.encode("utf-8"), capture_output=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise GraphvizMissing(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()[:300]}")
    return done.stdout


def svg_picture(site) -> str | None:
    """The map as inline SVG for funnelgen's own pages (the preview dashboard, the verify storyboard), or None
    without Graphviz. Labels were escaped into the DOT source and Graphviz writes them as XML text, so the
    markup carries no site text as markup."""
    try:
        svg = image(dot(site), "svg").decode("utf-8")
    except (GraphvizMissing, OSError, subprocess.TimeoutExpired):
        return None
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else None

