"""Figures per funnel, step, variant and traffic source, summed from the rows of every export.

Visitors come from GA4 only (forms and payments do not see visits); conversions of a step are its goal:
payments for a step that sells through a checkout link, form posts for a step with a form. Revenue is
what was paid minus what was refunded, in the currency and tax treatment of the export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .records import Row
from .stats import wilson

ALL_FUNNELS = "(all)"  # rows that name no funnel, on a report without site.yml


@dataclass
class Figures:
    visitors: int | None = None  # None: no GA4 row for it
    leads: int = 0
    orders: int = 0
    revenue: Decimal = Decimal(0)  # net of refunds
    refunds: Decimal = Decimal(0)
    goal: str | None = None  # set on read: which count is `conversions`

    def add(self, row: Row) -> None:
        if row.kind == "visit":
            self.visitors = (self.visitors or 0) + row.count
        elif row.kind == "lead":
            self.leads += row.count
        else:
            self.orders += row.count
            self.revenue += row.amount - row.refunded
            self.refunds += row.refunded

    @property
    def conversions(self) -> int:
        return self.orders if self.goal == "purchase" else self.leads

    @property
    def rate(self) -> float | None:
        return self.conversions / self.visitors if self.visitors and self.goal else None

    def interval(self, confidence: float) -> tuple[float, float] | None:
        return wilson(self.conversions, self.visitors, confidence) if self.visitors and self.goal else None

    @property
    def aov(self) -> Decimal | None:
        return self.revenue / self.orders if self.orders else None

    @property
    def rpv(self) -> Decimal | None:
        return self.revenue / self.visitors if self.visitors and (self.orders or self.goal == "purchase") else None


@dataclass
class StepFigures:
    funnel: str
    step: str
    title: str
    kind: str
    goal: str | None
    totals: Figures = field(default_factory=Figures)
    variants: dict[str, Figures] = field(default_factory=dict)
    sources: dict[str, Figures] = field(default_factory=dict)
    cells: dict[tuple[str, str], Figures] = field(default_factory=dict)  # (variant, source): the finest grain
    missing: dict[str, set] = field(default_factory=lambda: {"variant": set(), "source": set()})  # row kinds

    def add(self, row: Row) -> None:
        self.totals.add(row)
        for attr in ("variant", "source"):
            if getattr(row, attr) is None:
                self.missing[attr].add(row.kind)
        if row.variant is not None:
            self.variants.setdefault(row.variant, Figures()).add(row)
        if row.source is not None:
            self.sources.setdefault(row.source, Figures()).add(row)
        if row.variant is not None and row.source is not None:
            self.cells.setdefault((row.variant, row.source), Figures()).add(row)

    def complete(self, attr: str) -> bool:
        """Whether every conversion and sale of this step says its `attr` (else a breakdown would undercount)."""
        kinds = {"purchase": {"sale"}, "form": {"lead"}}.get(self.goal or "", set()) | {"sale"}
        return not (self.missing[attr] & kinds)

    def set_goal(self, goal: str | None) -> None:
        self.goal = goal
        for f in [self.totals, *self.variants.values(), *self.sources.values(), *self.cells.values()]:
            f.goal = goal


@dataclass
class FunnelFigures:
    id: str
    title: str
    steps: list[StepFigures]

    @property
    def entry_visitors(self) -> int | None:
        return self.steps[0].totals.visitors if self.steps else None

    @property
    def revenue(self) -> Decimal:
        return sum((s.totals.revenue for s in self.steps), Decimal(0))


def attribute_funnels(rows: list[Row]) -> None:
    """Rows without a funnel (GA4 without fg_funnel, no site.yml) take the funnel other rows name for their step."""
    seen: dict[str, str] = {}
    for row in rows:
        if row.funnel:
            seen.setdefault(row.step, row.funnel)
    for row in rows:
        if not row.funnel:
            row.funnel = seen.get(row.step, ALL_FUNNELS)


def summarise(rows: list[Row], catalog) -> list[FunnelFigures]:
    """Funnels in site.yml order (then any the exports add), each with its steps in order."""
    attribute_funnels(rows)
    order: dict[str, list[str]] = {fid: list(steps) for fid, (_t, steps) in catalog.funnels.items()}
    table: dict[tuple[str, str], StepFigures] = {}
    for row in rows:
        steps = order.setdefault(row.funnel, [])
        if row.step not in steps:
            steps.append(row.step)
        key = (row.funnel, row.step)
        if key not in table:
            info = catalog.steps.get(row.step)
            table[key] = StepFigures(row.funnel, row.step, info.title if info else row.step,
                                     info.kind if info else "", info.goal if info else None)
        table[key].add(row)
    kinds = {(r.funnel, r.step): set() for r in rows}
    for r in rows:
        kinds[(r.funnel, r.step)].add(r.kind)
    out = []
    for fid, step_ids in order.items():
        steps = []
        for sid in step_ids:
            info = catalog.steps.get(sid)
            fig = table.get((fid, sid)) or StepFigures(fid, sid, info.title if info else sid,
                                                       info.kind if info else "", info.goal if info else None)
            found = kinds.get((fid, sid), set())
            goal = fig.goal if catalog.from_site else "purchase" if "sale" in found else "form" if "lead" in found else None
            fig.set_goal(goal)
            steps.append(fig)
        title = catalog.funnels[fid][0] if fid in catalog.funnels else fid
        if any(s.totals.visitors is not None or s.totals.leads or s.totals.orders for s in steps):
            out.append(FunnelFigures(fid, title, steps))
    return out


def currency_of(rows: list[Row]) -> str | None:
    return next((r.currency for r in rows if r.kind == "sale" and r.currency), None)
