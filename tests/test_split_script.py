"""The split-test head script (funnelgen/runtime/split.js), the real file, run in Node for many simulated visitors
with a seeded random number generator (tests/js/split_sim.js): it follows the weights, sticks, forces, and
falls back to the original when the browser keeps nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from funnelgen.splitpage import HEAD_SCRIPT

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "tests" / "js" / "split_sim.js"
SCRIPT = ROOT / "funnelgen" / "runtime" / "split.js"
# chi-square critical values at p = 0.001 (df 1, 2): a correct draw exceeds them once in a thousand seeds
CHI2_001 = {1: 10.828, 2: 13.816}


def run(scenario: dict) -> list:
    node = shutil.which("node")
    assert node, "Node.js is needed for the JavaScript tests (README: the test command installs it)"
    done = subprocess.run([node, str(SIM), str(SCRIPT), json.dumps(scenario)], capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout)


def chi_square(counts: dict, weights: list) -> float:
    n, total = sum(counts.values()), sum(w for _v, w in weights)
    return sum((counts.get(v, 0) - n * w / total) ** 2 / (n * w / total) for v, w in weights)


def test_new_visitors_follow_the_weights():
    weights = [["a", 50], ["b", 30], ["c", 20]]
    counts = run({"seed": 20261203, "visitors": 20000, "config": {"e": "hero", "v": weights}})[0]
    assert set(counts) == {"a", "b", "c"} and sum(counts.values()) == 20000
    assert chi_square(counts, weights) < CHI2_001[2], counts
    # the bound has power: the same draw is far off an equal split (the weights really steer it)
    assert chi_square(counts, [["a", 1], ["b", 1], ["c", 1]]) > 100 * CHI2_001[2]


def test_uneven_and_fractional_weights():
    weights = [["a", 0.9], ["b", 0.1]]
    counts = run({"seed": 99, "visitors": 10000, "config": {"e": "x", "v": weights}})[0]
    assert chi_square(counts, weights) < CHI2_001[1], counts
    assert 800 < counts["b"] < 1200


def test_the_example_runs_fifty_fifty(tmp_path):
    from bs4 import BeautifulSoup
    from helpers import copy_example

    from funnelgen.build import build

    src = copy_example(tmp_path / "site")
    build(src, tmp_path / "out")
    doc = BeautifulSoup((tmp_path / "out" / "optin" / "index.html").read_text(encoding="utf-8"), "html.parser")
    config = json.loads(doc.find("script", attrs={"data-fg-split": True})["data-fg-split"])
    assert config == {"e": "optin", "v": [["a", 50], ["b", 50]]}
    counts = run({"seed": 5, "visitors": 10000, "config": config})[0]
    assert chi_square(counts, config["v"]) < CHI2_001[1], counts


def test_assignment_sticks_across_visits_and_steps_of_one_experiment():
    step1 = {"e": "headline", "v": [["a", 1], ["b", 1], ["c", 1]]}
    step2 = {"e": "headline", "v": [["a", 1], ["b", 1], ["c", 1]]}
    other = {"e": "price", "v": [["a", 1], ["b", 1]]}
    visits = [{"visitor": "p", "config": step1}]
    visits += [{"visitor": "p", "config": step2 if i % 2 else step1, "new_session": i % 3 == 0} for i in range(30)]
    visits += [{"visitor": "p", "config": other}]
    out = run({"seed": 3, "visits": visits})
    first = out[0]["variant"]
    assert first in "abc" and out[0]["local"] == {"fg_x_headline": first}
    assert all(r["variant"] == first for r in out[:-1])  # reloads, new sessions, the other step
    assert out[-1]["local"]["fg_x_price"] in ("a", "b")  # another experiment draws on its own
    assert out[-1]["local"]["fg_x_headline"] == first


def test_visitors_land_in_every_variant_over_many_people():
    config = {"e": "x", "v": [["a", 1], ["b", 1], ["c", 1]]}
    out = run({"seed": 11, "visits": [{"visitor": f"v{i}", "config": config} for i in range(60)]})
    assert {r["variant"] for r in out} == {"a", "b", "c"}


def test_fg_variant_forces_for_the_tab_without_touching_the_assignment():
    config = {"e": "x", "v": [["a", 1], ["b", 1]]}
    out = run({"seed": 1, "visits": [
        {"visitor": "p", "config": config},  # assigned first
        {"visitor": "p", "config": config, "search": "?fg_variant=b&utm_source=ad"},
        {"visitor": "p", "config": config},  # same tab, next page without the parameter
        {"visitor": "p", "config": config, "search": "?fg_variant=a"},
        {"visitor": "p", "config": config, "new_session": True},  # a new tab: the visitor's own again
        {"visitor": "q", "config": config, "search": "?fg_variant=b"},  # a first visit that is forced
        {"visitor": "r", "config": config, "search": "?fg_variant=zzz"},  # unknown: ignored
    ]})
    own = out[0]["variant"]
    assert [r["variant"] for r in out[1:4]] == ["b", "b", "a"]
    assert [r["forced"] for r in out[1:4]] == ["b", "b", "a"]
    assert all(r["local"] == {"fg_x_x": own} for r in out[:5])  # never overwritten by a forced view
    assert out[4]["variant"] == own and out[4]["forced"] is None
    assert out[5]["variant"] == "b" and out[5]["local"] == {}  # forcing stores no assignment
    assert out[6]["forced"] is None and out[6]["variant"] in ("a", "b") and out[6]["local"]


def test_without_storage_the_original_shows_every_time():
    config = {"e": "x", "v": [["a", 1], ["b", 99]]}
    out = run({"seed": 4, "visits": [{"visitor": "p", "config": config, "blocked": True} for _ in range(20)]})
    assert {r["variant"] for r in out} == {"a"}  # never flips between visits


def test_head_script_is_one_static_script():
    """The CSP helper hashes inline scripts: the script's text is the same on every page (data in an attribute)."""
    text = SCRIPT.read_text(encoding="utf-8").strip()
    assert HEAD_SCRIPT == text and "\n" not in text
    assert len(text.encode()) < 800  # it blocks the first paint: keep it tiny
