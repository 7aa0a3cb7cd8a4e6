"""What a walk found: the checks of each step, the steps of each path, and what every walker shares.

Plain data, turned into report.json / the storyboard by funnelgen/verify/report.py. Details are plain
words for the person who owns the funnel ("at upsell: …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..graph import FunnelPath, Hop

MOBILE = {"width": 390, "height": 844}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class StepResult:
    step: str  # step id ("" for the test checkout)
    label: str  # what the storyboard card is titled
    kind: str
    url: str = ""  # path and query the browser was at
    headline: str = ""
    action: str = ""  # what verify did on this page, in words
    checks: list[Check] = field(default_factory=list)
    screenshot: str | None = None  # file name inside the report's shots/ folder
    shared: str = ""  # the id of the path that walked this step, when it was not this one (verify/forks.py)
    resumed: str = ""  # the parting step of a resumed walk: the path whose arrival here it shows

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, bool(ok), detail))
        return bool(ok)

    def as_dict(self) -> dict:
        return {"step": self.step, "label": self.label, "kind": self.kind, "url": self.url,
                "headline": self.headline, "action": self.action, "ok": self.ok,
                "screenshot": self.screenshot, "shared": self.shared, "resumed": self.resumed, "checks": [c.as_dict() for c in self.checks]}


@dataclass
class PathResult:
    path: FunnelPath
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    @property
    def failure(self) -> str | None:
        """The first failed check, in plain words: 'at upsell: ...'."""
        for s in self.steps:
            for c in s.checks:
                if not c.ok:
                    return f"at {s.label}: {c.detail or c.name}"
        return None if self.steps else "the path was not walked"

    def failures(self) -> list[str]:
        return [f"at {s.label}: {c.detail or c.name}" for s in self.steps for c in s.checks if not c.ok]

    def as_dict(self) -> dict:
        return {"id": self.path.id, "funnel": self.path.funnel, "label": self.path.label(),
                "steps_planned": self.path.step_ids, "ok": self.ok, "seconds": round(self.seconds, 2),
                "failure": self.failure, "failures": self.failures(), "steps": [s.as_dict() for s in self.steps]}


@dataclass
class Env:
    """What every walker shares."""

    site: object
    base: str  # http://127.0.0.1:PORT
    submissions: Path  # the preview server's capture file
    shots: Path | None  # screenshots folder, None for no screenshots
    timeout: float = 10.0  # seconds for one navigation or click
    allow_hosts: tuple[str, ...] = ()
    viewport: dict = field(default_factory=lambda: dict(MOBILE))
    reloads: dict = field(default_factory=dict)  # (step, offer) -> the first walk's reload check (walker.py)
    forks: object = None  # verify/forks.py Forks: which walk each path resumes from


class Stop(Exception):
    """The browser is not where the funnel map says: the rest of the path cannot be walked."""


@dataclass
class Arrival:
    status: int | None
    via: Hop | None = None  # the hop whose action led here
    posted_to: str | None = None  # where a form posted (path)


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def short(text: str, n: int = 160) -> str:
    text = norm(text)
    return text if len(text) <= n else text[: n - 1] + "…"
