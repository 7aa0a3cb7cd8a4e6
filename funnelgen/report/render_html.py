"""`--html`: one self-contained page (inline CSS, inline SVG, no script, no outside request) for the team.

The page is drawn from the report data (data.py); this module turns it into what the template places:
bar lengths, interval positions and sentences in the site's language. The template autoescapes every
value (funnelgen/ui), so names from the exports cannot inject markup.
"""

from __future__ import annotations

import math
import time

from .. import ui
from . import fmt
from .render_text import verdict_text
from .words import note_text, words


def _axis_max(highest: float) -> float:
    """A round scale end a little above `highest` (0.3 for 0.27, 0.05 for 0.043), at most 100%."""
    if highest <= 0:
        return 0.1
    step = 10 ** math.floor(math.log10(highest))
    return min(1.0, next(m * step for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12) if highest * 1.05 <= m * step))


def _funnel_view(fun: dict, lang: str, cur) -> dict:
    w = words(lang)
    top = max([s["totals"]["visitors"] or 0 for s in fun["steps"]] + [1])
    steps = []
    for s in fun["steps"]:
        t = s["totals"]
        visitors = t["visitors"]
        steps.append({
            "id": s["id"], "title": s["title"], "goal": w["goal_" + (s["goal"] or "none")],
            "visitors": fmt.count(visitors), "bar": 100 * (visitors or 0) / top,
            "conv_bar": 100 * (t["conversions"] or 0) / top if s["goal"] and visitors else 0,
            "conversions": fmt.count(t["conversions"]) if s["goal"] else "",
            "rate": fmt.pct(t["rate"]), "interval": fmt.interval(t["interval"]),
            "revenue": fmt.money(t["revenue"], cur, lang) if t["orders"] or t["rpv"] is not None else "",
            "aov": fmt.money(t["aov"], cur, lang), "rpv": fmt.money(t["rpv"], cur, lang),
            "dropoff": fmt.pct(s["dropoff"], 0) if s["dropoff"] is not None and s["dropoff"] > 0 else "",
            "sources": [{"name": src["source"], "visitors": fmt.count(src["visitors"]),
                         "conversions": fmt.count(src["conversions"]), "rate": fmt.pct(src["rate"]),
                         "revenue": fmt.money(src["revenue"], cur, lang) if src["orders"] else ""}
                        for src in s["sources"] if s["goal"] and src["conversions"] is not None],
        })
    return {"id": fun["id"], "title": fun["title"], "steps": steps, "visitors": fmt.count(fun["entry_visitors"]),
            "revenue": fmt.money(fun["revenue"], cur, lang), "rpv": fmt.money(fun["revenue_per_visitor"], cur, lang)}


def _experiment_view(e: dict, report: dict, lang: str, pct: str) -> dict:
    w = words(lang)
    step = next(s for f in report["funnels"] if f["id"] == e["funnel"] for s in f["steps"] if s["id"] == e["step"])
    figs = {v["variant"]: v for v in step["variants"]}
    scale = _axis_max(max([(figs[v]["interval"] or [0, figs[v]["rate"] or 0])[1] for v in e["variants"]] + [0]))
    comparisons = {c["variant"]: c for c in e["comparisons"]}
    comma, colon = ("、", "：") if lang == "ja" else (", ", ": ")
    rows = []
    for v in e["variants"]:
        f, c = figs[v], comparisons.get(v)
        ci = f["interval"]
        rows.append({
            "name": v, "control": v == e["control"], "visitors": fmt.count(f["visitors"]),
            "conversions": fmt.count(f["conversions"]), "rate": fmt.pct(f["rate"]),
            "lo": 100 * ci[0] / scale if ci else None, "hi": 100 * ci[1] / scale if ci else None,
            "mid": 100 * f["rate"] / scale if f["rate"] is not None else None, "interval": fmt.interval(ci),
            "best": fmt.pct(e["probability_best"].get(v), 0) if e["probability_best"] else "",
            "best_bar": 100 * e["probability_best"].get(v, 0),
            "lift": fmt.signed_pct(c["lift"]) if c else "", "winner": v == e["winner"],
            "test": (f"{w['test_' + c['test']]}{comma}{w['p_value']} = {fmt.p_value(c['p_value'])}{colon}"
                     f"{w['significant'] if c['significant'] else w['not_significant']}") if c else "",
        })
    tone = {"winner": "good", "control_better": "good", "keep_running": "wait"}.get(e["verdict"], "plain")
    return {"funnel": e["funnel"], "step": e["step"], "title": step["title"], "rows": rows, "tone": tone,
            "verdict": verdict_text(e, w, pct), "scale": fmt.pct(scale, 0),
            "ended": w["ended"].format(**e["ended"]) if e.get("ended") else "",
            "remaining": ", ".join(f"{k} {v:,}" for k, v in e["remaining_visitors"].items())}


def render(report: dict) -> str:
    lang = (report["site"] or {}).get("language", "en")
    lang = "ja" if lang == "ja" else "en"
    w, cur = words(lang), report["currency"]
    pct = f"{report['confidence'] * 100:g}"
    view = {
        "lang": lang, "w": w, "pct": pct,
        "title": (report["site"] or {}).get("title", ""),
        "period": report["period"], "generated": time.strftime("%Y-%m-%d %H:%M"),
        "funnels": [_funnel_view(f, lang, cur) for f in report["funnels"]],
        "experiments": [_experiment_view(e, report, lang, pct) for e in report["experiments"]],
        "method": [w["method_interval"].format(pct=pct), w["method_best"], w["method_sample"],
                   w["method_visitors"].format(metric=report["visitor_metric"]) if report["visitor_metric"]
                   else w["no_visitors_data"]],
        "inputs": report["inputs"], "notes": [note_text(n, lang) for n in report["notes"]],
    }
    return ui.render("results_report.html", **view)
