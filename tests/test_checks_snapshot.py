"""The checks report exactly what they reported before they were made cheaper: every problem of `funnelgen
check` and of a build's checker, with its file, line, key, message and hint (tests/checks_snapshot.py)."""

from __future__ import annotations

import json

import pytest
from checks_snapshot import GOLDEN, SITES, record


@pytest.mark.parametrize("name", list(SITES))
def test_same_problems_as_recorded(tmp_path, name):
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    found = json.loads(json.dumps(record(name, tmp_path), ensure_ascii=False))
    for mode in ("check", "build"):
        missing = [p for p in expected[mode] if p not in found[mode]]
        extra = [p for p in found[mode] if p not in expected[mode]]
        assert not missing and not extra, f"{name} {mode}: missing {missing}\nextra {extra}"
        assert found[mode] == expected[mode]  # the same findings, as often as before


def test_the_recorded_sites_trip_many_rules():
    rules = {p["rule"] for name in SITES for p in json.loads((GOLDEN / f"{name}.json").read_text())["check"]}
    assert len(rules) >= 25 and sum(1 for name in SITES for p in json.loads(
        (GOLDEN / f"{name}.json").read_text())["check"] if p["line"]) >= 100
