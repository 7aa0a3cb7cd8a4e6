"""The report as plain data: the `--format json` schema (docs/report.md#json), which the terminal table and
the HTML page are drawn from too, so the three never disagree."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..prices import MINOR_UNITS
from .experiments import experiments
from .figures import Figures, currency_of, summarise
from .words import note_text

SCHEMA = "funnelgen-report/1"
PROBABILITY_METHOD = "numeric integration (trapezoid rule) of Beta(1+conversions, 1+non-conversions) posteriors"


def money(value: Decimal | None, currency: str | None) -> int | float | None:
    """Yen (and other zero-decimal currencies) as whole numbers, others with their minor unit; None when
    no export says anything about money (no payments file)."""
    if value is None or currency is None:
        return None
    places = MINOR_UNITS.get(currency, 2)
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return int(q) if places == 0 else float(q)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def figures(f: Figures, confidence: float, currency: str | None, known: bool = True) -> dict:
    """One group's figures; `known=False` when the exports do not say which group each conversion belongs
    to (e.g. payments without utm_source): only its visitors are shown then."""
    if not known:
        return {"visitors": f.visitors, "conversions": None, "leads": None, "orders": None, "rate": None,
                "interval": None, "revenue": None, "refunds": None, "aov": None, "rpv": None}
    ci = f.interval(confidence)
    return {"visitors": f.visitors, "conversions": f.conversions, "leads": f.leads, "orders": f.orders,
            "rate": _r(f.rate), "interval": [_r(ci[0]), _r(ci[1])] if ci else None,
            "revenue": money(f.revenue, currency), "refunds": money(f.refunds, currency),
            "aov": money(f.aov, currency), "rpv": money(f.rpv, currency)}


def build(exports, catalog, confidence: float) -> dict:
    currency = currency_of(exports.rows)
    funnels = summarise(exports.rows, catalog)
    out_funnels = []
    for fun in funnels:
        steps = []
        for i, s in enumerate(fun.steps):
            nxt = fun.steps[i + 1].totals.visitors if i + 1 < len(fun.steps) else None
            here = s.totals.visitors
            by_variant, by_source = s.complete("variant"), s.complete("source")
            steps.append({
                "id": s.step, "title": s.title, "kind": s.kind, "goal": s.goal,
                "dropoff": _r(1 - nxt / here) if here and nxt is not None else None,
                "totals": figures(s.totals, confidence, currency),
                "variants": [{"variant": v, **figures(f, confidence, currency, by_variant)}
                             for v, f in sorted(s.variants.items())],
                "sources": [{"source": k, **figures(f, confidence, currency, by_source)}
                            for k, f in sorted(s.sources.items(), key=lambda kv: -(kv[1].visitors or 0))],
                "cells": [{"variant": v, "source": k, **figures(f, confidence, currency, by_variant and by_source)}
                          for (v, k), f in sorted(s.cells.items())],
            })
        entry = fun.entry_visitors
        out_funnels.append({"id": fun.id, "title": fun.title, "entry_visitors": entry,
                            "revenue": money(fun.revenue, currency),
                            "revenue_per_visitor": money(fun.revenue / entry, currency) if entry else None,
                            "steps": steps})
    out_experiments = []
    for e in experiments(funnels, confidence):
        out_experiments.append({
            "funnel": e.funnel, "step": e.step, "control": e.control, "variants": e.variants,
            "alpha": _r(e.alpha), "verdict": e.verdict, "winner": e.winner,
            "comparisons": [{"variant": c.variant, "test": c.test, "z": _r(c.z), "p_value": _r(c.p_value),
                             "lift": _r(c.lift), "significant": c.significant,
                             "needed_per_variant": c.needed_per_variant} for c in e.challenges],
            "probability_best": {k: _r(v) for k, v in e.probability_best.items()},
            "probability_method": PROBABILITY_METHOD,
            "remaining_visitors": e.remaining, "remaining_total": sum(e.remaining.values()),
            # winner: in site.yml ended the test: its figures are the visitors up to that day
            "ended": catalog.steps[e.step].ended if e.step in catalog.steps else None,
        })
    return {
        "schema": SCHEMA,
        "site": {"title": catalog.title, "language": catalog.language} if catalog.from_site else None,
        "confidence": confidence, "currency": currency,
        "visitor_metric": " + ".join(exports.visitor_metric) or None,
        "period": exports.period or None,
        "inputs": exports.inputs,
        "notes": [{**n, "text": note_text(n, "en")} for n in exports.notes],
        "funnels": out_funnels, "experiments": out_experiments,
    }
