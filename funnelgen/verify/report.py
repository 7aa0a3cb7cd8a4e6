"""The storyboard report: one static HTML page (plus screenshots and report.json) in a folder.

Layout: a summary line, the build errors when the site did not build, the
funnel map, then one row per path: a screenshot of every step at mobile width
with what was done there and each check's result. A failed path opens with
the plain-language reason, and its failing step is outlined in red.
"""

from __future__ import annotations

import json
import time
from html import escape
from pathlib import Path

MARKER = "funnelgen-verify-report"


class ReportDirError(Exception):
    pass


def prepare_dir(folder: Path) -> None:
    """Create the folder, or clear a previous report in it; refuse to mix into a folder with other files."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ReportDirError(f"--report {folder}: that is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        try:
            ours = json.loads((folder / "report.json").read_text(encoding="utf-8")).get("generator") == MARKER
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise ReportDirError(f"--report {folder}: the folder is not empty and holds no previous verify report; "
                                 "choose an empty or new folder (verify replaces its own reports only)")
        for old in (folder / "shots").glob("*.jpg"):
            old.unlink()
        for name in ("index.html", "report.json"):
            (folder / name).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)


CSS = """
:root{--ok:#15803d;--bad:#b91c1c;--line:#e5e7eb;--muted:#6b7280}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Hiragino Sans","Noto Sans CJK JP",sans-serif;color:#111827;background:#f9fafb}
header,section{padding:1rem 1.5rem}h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.summary{font-size:1.1rem;font-weight:600}.ok{color:var(--ok)}.bad{color:var(--bad)}.muted{color:var(--muted);font-size:.85rem}
.reason{background:#fef2f2;border:1px solid #fecaca;color:#7f1d1d;border-radius:6px;padding:.6rem .8rem;margin:.5rem 0;white-space:pre-wrap}
.map{display:flex;flex-wrap:wrap;gap:1rem}.funnel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;min-width:18rem}
.funnel ol{margin:.3rem 0 0;padding-left:1.3rem}.funnel li{margin:.15rem 0}.edge{color:var(--muted);font-size:.85rem}
code{font-size:.85em;background:#f3f4f6;padding:0 .25rem;border-radius:3px}
.path{background:#fff;border:1px solid var(--line);border-radius:8px;margin:0 0 1.25rem;padding:.75rem 1rem}
.path>h3{margin:0;font-size:1rem}.row{display:flex;gap:.75rem;overflow-x:auto;padding:.5rem 0}
.card{flex:0 0 220px;border:1px solid var(--line);border-radius:6px;padding:.4rem;background:#fff}
.card.fail{border:2px solid var(--bad)}.card img{display:block;width:100%;height:auto;border:1px solid var(--line);border-radius:3px}
.card .noshot{height:120px;display:flex;align-items:center;justify-content:center;background:#f3f4f6;color:var(--muted);font-size:.8rem}
.card h4{margin:.3rem 0 0;font-size:.9rem}.card .url{font-size:.75rem;color:var(--muted);word-break:break-all}
.card .act{font-size:.8rem;margin:.2rem 0}.card ul{list-style:none;margin:.2rem 0 0;padding:0;font-size:.78rem}
.card li{margin:.1rem 0}.card li.f{color:var(--bad);font-weight:600}.arrow{align-self:center;color:var(--muted);font-size:1.3rem}
pre{white-space:pre-wrap;background:#fff;border:1px solid var(--line);border-radius:6px;padding:.6rem}
"""


def _map_html(funnels: list[dict]) -> str:
    e = escape
    parts = ['<div class="map">']
    for f in funnels:
        parts.append(f'<div class="funnel"><strong>{e(f["title"])}</strong> <code>{e(f["id"])}</code><ol>')
        for s in f["steps"]:
            what = []
            if s["offer"]:
                what.append(f'sells <code>{e(s["offer"])}</code>')
            if s["form"]:
                what.append(f'form <code>{e(s["form"])}</code>')
            edges = ", ".join(f"{e(k)} → {e(v)}" for k, v in s["edges"].items()) or "end"
            parts.append(f'<li><code>{e(s["id"])}</code> <span class="muted">{e(s["kind"])} · {e(s["url"])}</span>'
                         f'{" · " + " · ".join(what) if what else ""}<br><span class="edge">{edges}</span></li>')
        parts.append("</ol></div>")
    parts.append("</div>")
    return "".join(parts)


def _card(step: dict) -> str:
    e = escape
    failed = not step["ok"]
    img = (f'<a href="shots/{e(step["screenshot"])}"><img loading="lazy" src="shots/{e(step["screenshot"])}" '
           f'alt="{e(step["label"])}"></a>' if step["screenshot"] else '<div class="noshot">no screenshot</div>')
    checks = []
    for c in step["checks"]:
        mark = "✓" if c["ok"] else "✗"
        text = c["detail"] if (not c["ok"] and c["detail"]) else c["name"]
        title = f' title="{e(c["detail"])}"' if c["ok"] and c["detail"] else ""
        checks.append(f'<li class="{"" if c["ok"] else "f"}"{title}>{mark} {e(text)}</li>')
    act = f'<div class="act">→ {e(step["action"])}</div>' if step["action"] else ""
    return (f'<div class="card{" fail" if failed else ""}">{img}<h4>{e(step["label"])}</h4>'
            f'<div class="url">{e(step["url"])}</div>{act}<ul>{"".join(checks)}</ul></div>')


def render(data: dict) -> str:
    e = escape
    ok = data["ok"]
    title = data.get("site_title") or data["src"]
    parts = [f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
             f'content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">'
             f'<title>funnelgen verify: {e(title)}</title><style>{CSS}</style></head><body>',
             f'<header><div class="muted">funnelgen verify · {e(data["generated"])}</div><h1>{e(title)}</h1>'
             f'<div class="summary {"ok" if ok else "bad"}">{"PASS" if ok else "FAIL"}: {e(data["summary"])}</div>'
             f'<div class="muted">{e(data["src"])} · {data["seconds"]:.1f} s · browser {e(data["browser"])}</div></header>']
    build = data["build"]
    if not build["ok"]:
        parts.append("<section><h2>Build errors</h2><p>The site does not build, so no path could be walked. "
                     "Fix these and run verify again:</p>")
        parts.extend(f'<div class="reason">{e(p["text"])}</div>' for p in build["problems"])
        parts.append("</section>")
    if build.get("warnings"):
        parts.append("<section><h2>Build warnings</h2>" +
                     "".join(f"<pre>{e(p['text'])}</pre>" for p in build["warnings"]) + "</section>")
    if data["funnels"]:
        parts.append("<section><h2>Funnel map</h2>" + _map_html(data["funnels"]) + "</section>")
    if data["paths"]:
        passed = sum(1 for p in data["paths"] if p["ok"])
        parts.append(f'<section><h2>Paths ({passed} of {len(data["paths"])} passed)</h2>')
        for p in data["paths"]:
            mark = '<span class="ok">✓ pass</span>' if p["ok"] else '<span class="bad">✗ fail</span>'
            parts.append(f'<div class="path" id="{e(p["id"])}"><h3>{mark} <code>{e(p["id"])}</code> '
                         f'{e(p["label"])} <span class="muted">{p["seconds"]:.1f} s</span></h3>')
            for reason in p["failures"][:5]:
                parts.append(f'<div class="reason">{e(reason)}</div>')
            cards = [_card(s) for s in p["steps"]]
            parts.append('<div class="row">' + '<span class="arrow">→</span>'.join(cards) + "</div></div>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)


def write_report(result) -> Path:
    folder = Path(result.report)
    folder.mkdir(parents=True, exist_ok=True)
    data = result.as_dict()
    data["generator"] = MARKER
    data["generated"] = time.strftime("%Y-%m-%d %H:%M:%S")
    data["site_title"] = result.site_title
    (folder / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "index.html").write_text(render(data), encoding="utf-8")
    return folder / "index.html"
