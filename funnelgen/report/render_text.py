"""The terminal table: one block per funnel (each step, its variants when it has several, a bar per
rate), the figures by traffic source, then each split test in words."""

from __future__ import annotations

from . import fmt
from .words import note_text, words

COLUMNS = (("step", 18, False), ("variant", 10, False), ("visitors", 8, True), ("conversions", 6, True),
           ("rate", 7, True), ("interval", 13, True), ("revenue", 11, True), ("aov", 10, True), ("rpv", 9, True))


def _line(cells: list[str], widths: list[int]) -> str:
    return " ".join(fmt.fit(text, w, c[2]) for text, w, c in zip(cells, widths, COLUMNS, strict=True)).rstrip()


def _fig_cells(fig: dict, currency, lang) -> list[str]:
    shown = fig["conversions"] is not None and (fig["rate"] is not None or fig["conversions"])
    return [fmt.count(fig["visitors"]), fmt.count(fig["conversions"]) if shown else "—", fmt.pct(fig["rate"]),
            fmt.interval(fig["interval"]),
            fmt.money(fig["revenue"], currency, lang) if fig["orders"] or fig["rpv"] is not None else "—",
            fmt.money(fig["aov"], currency, lang), fmt.money(fig["rpv"], currency, lang)]


def render(report: dict) -> str:
    lang = (report["site"] or {}).get("language", "en")
    w, cur = words(lang), report["currency"]
    pct = f"{report['confidence'] * 100:g}"
    head = f"{report['site']['title']} — {w['title']}" if report["site"] else w["title"]
    out = [head, ""]
    header = [w[k] if k != "interval" else w["interval"].format(pct=pct) for k, _w, _r in COLUMNS]
    widths = [max(cells, fmt.width(h)) for h, (_k, cells, _r) in zip(header, COLUMNS, strict=True)]
    for fun in report["funnels"]:
        out.append(f"■ {fun['title']} ({fun['id']})  {w['visitors']} {fmt.count(fun['entry_visitors'])} · "
                   f"{w['revenue']} {fmt.money(fun['revenue'], cur, lang)} · {w['rpv']} "
                   f"{fmt.money(fun['revenue_per_visitor'], cur, lang)}")
        out.append(_line(header, widths))
        top = max([f["rate"] or 0 for s in fun["steps"] for f in [s["totals"], *s["variants"]]] + [1e-9])
        for s in fun["steps"]:
            t = s["totals"]
            out.append((_line([s["id"], w["all"], *_fig_cells(t, cur, lang)], widths) + "  " + fmt.bar(
                t["rate"] / top if t["rate"] is not None else None)).rstrip())
            if len(s["variants"]) > 1:
                for v in s["variants"]:
                    out.append((_line(["", v["variant"], *_fig_cells(v, cur, lang)], widths) + "  " + fmt.bar(
                        v["rate"] / top if v["rate"] is not None else None)).rstrip())
        by_source = [(s["id"], src) for s in fun["steps"] if s["goal"] for src in s["sources"]
                     if src["conversions"] is not None]
        if by_source:
            out += ["", f"  {w['by_source']}"]
            for sid, src in by_source:
                out.append("  " + _line([sid, src["source"], *_fig_cells(src, cur, lang)], widths))
        out.append("")
    if report["experiments"]:
        out.append(f"■ {w['experiments']}")
        for e in report["experiments"]:
            out += _experiment(e, report, w, pct)
        out.append("")
    metric = report["visitor_metric"]
    out.append(f"{w['method']}: {w['method_interval'].format(pct=pct)}; {w['method_best']}; {w['method_sample']}"
               + (f"; {w['method_visitors'].format(metric=metric)}" if metric else f"; {w['no_visitors_data']}"))
    out.append(f"{w['inputs']}: " + ", ".join(f"{i['file']} ({i['format']}, {i['rows']} {w['rows']})"
                                               for i in report["inputs"]))
    out += [f"{w['notes']}: {note_text(n, lang)}" for n in report["notes"]]
    return "\n".join(out) + "\n"


def _experiment(e: dict, report: dict, w: dict, pct: str) -> list[str]:
    step = next(s for f in report["funnels"] if f["id"] == e["funnel"] for s in f["steps"] if s["id"] == e["step"])
    rates = {v["variant"]: v for v in step["variants"]}
    lines = [f"  {e['funnel']} / {e['step']}: " + " vs ".join(
        f"{v}（{w['control']}）" if v == e["control"] else v for v in e["variants"])]
    for c in e["comparisons"]:
        verdict = w["significant"] if c["significant"] else w["not_significant"]
        lines.append(f"    {c['variant']}: {w['rate']} {fmt.pct(rates[c['variant']]['rate'])} "
                     f"({w['lift']} {fmt.signed_pct(c['lift'])}) · {w['test_' + c['test']]} "
                     f"{w['p_value']} = {fmt.p_value(c['p_value'])} → {verdict}")
    if e["probability_best"]:
        lines.append(f"    {w['prob_best']}: " + "  ".join(f"{k} {fmt.pct(v)}" for k, v in e["probability_best"].items()))
    if e["remaining_total"]:
        lines.append(f"    {w['remaining']}: " + ", ".join(f"{k} {v:,}" for k, v in e["remaining_visitors"].items()))
    lines.append("    → " + verdict_text(e, w, pct))
    if e.get("ended"):
        lines.append("    " + w["ended"].format(**e["ended"]))
    return lines


def verdict_text(e: dict, w: dict, pct: str) -> str:
    return w["verdict_" + e["verdict"]].format(v=e["winner"] or e["control"], pct=pct, n=f"{e['remaining_total']:,}")
