"""`funnelgen verify` without a browser: path enumeration, browser selection, CLI plumbing, report."""

from __future__ import annotations

import json
import stat
import sys

import pytest
import yaml
from click.testing import CliRunner
from helpers import EXAMPLE, MINIMAL_CONFIG, copy_example, write_site

from funnelgen.browser import (
    BrowserNotFound,
    PlaywrightMissing,
    find_chromium,
    launch_args,
    request_policy,
    require_playwright,
)
from funnelgen.build import load_site
from funnelgen.cli import main
from funnelgen.graph import CHECKOUT, DECLINE, FORM, NEXT, entries
from funnelgen.graph import paths as enumerate_paths
from funnelgen.verify.expectations import expected_funnel


# -- paths from the funnel map ------------------------------------------------------------------
def test_example_has_six_paths_per_entry_with_and_without_the_order_bump():
    site, _ = load_site(EXAMPLE)
    paths, truncated = enumerate_paths(site)
    assert not truncated
    tails = ["upsell (accept) → apply → thanks", "upsell (decline) → downsell (accept) → apply → thanks",
             "upsell (decline) → downsell (decline) → apply → thanks"]
    assert [p.label() for p in paths] == [
        f"{entry} → gift → starter (buy {offer}) → {tail}"
        for entry in ("optin", "optin-sns") for offer in ("starter", "starter-review + bump") for tail in tails]
    assert [p.id for p in paths] == [f"{f}-{n}" for f in ("blog", "instagram") for n in range(1, 7)]
    assert [(h.offer, h.bump) for h in (paths[0].hops[2], paths[3].hops[2])] == [
        ("starter", False), ("starter-review", True)]
    first = paths[0].hops
    assert [(h.step, h.action, h.edge, h.target) for h in first] == [
        ("optin", FORM, "next", "gift"), ("gift", NEXT, "next", "starter"), ("starter", CHECKOUT, "next", "upsell"),
        ("upsell", CHECKOUT, "accept", "apply"), ("apply", FORM, "next", "thanks"), ("thanks", None, None, None)]
    assert paths[1].hops[3] == type(first[3])("upsell", DECLINE, "decline", "downsell")


def test_funnel_attribution_follows_funnel_js():
    site, _ = load_site(EXAMPLE)
    paths, _ = enumerate_paths(site, ["instagram"])
    # the instagram visitor stays in the instagram funnel on every step its entry leads to
    assert expected_funnel(site, entries(site), paths[0], 5) == ["instagram"] * 6


def test_loops_end_the_path_and_a_cap_truncates(tmp_path):
    config = yaml.safe_load(yaml.safe_dump(MINIMAL_CONFIG))
    config["offers"]["down"] = {"name": "ダウン", "price": 980, "checkout": "https://buy.stripe.com/def456"}
    config["funnels"]["main"]["steps"][2]["next"] = "up"
    config["funnels"]["main"]["steps"][3:3] = [
        {"id": "up", "kind": "upsell", "page": "up.md", "offer": "down", "accept": "thanks", "decline": "starter"}]
    site, _ = load_site(write_site(tmp_path / "s", config))
    paths, truncated = enumerate_paths(site)
    assert [p.label() for p in paths] == [
        "optin → gift → starter (buy) → up (accept) → thanks",
        "optin → gift → starter (buy) → up (decline) → starter (again)",
    ]
    assert paths[1].loop_to == "starter" and not truncated
    capped, truncated = enumerate_paths(site, max_paths=1)
    assert len(capped) == 1 and truncated


def test_a_paid_step_without_a_next_step_ends_with_nowhere_to_go(tmp_path):
    config = yaml.safe_load(yaml.safe_dump(MINIMAL_CONFIG))
    starter = config["funnels"]["main"]["steps"][2]
    del starter["next"]
    starter["final"] = True
    config["funnels"]["main"]["steps"].pop()  # no thanks page
    site, _ = load_site(write_site(tmp_path / "s", config))
    (path,), _ = enumerate_paths(site)
    assert path.hops[-1].step == "starter" and path.hops[-1].action == CHECKOUT and path.hops[-1].target is None


# -- the recorder and the tracking checks, on recorded calls (no browser) ------------------------
def test_the_recorder_hooks_what_the_vendor_registry_names():
    from funnelgen.vendors import VENDORS
    from funnelgen.verify.recorder import RECORDER_JS, recorder_script, recorder_specs

    specs = recorder_specs()
    assert specs[0] == "queue:dataLayer" and len(specs) == len(set(specs))
    for vendor in VENDORS:
        if vendor.recorder:
            assert vendor.recorder in specs and f'"{vendor.recorder.split(":", 1)[1]}"' in RECORDER_JS
    assert recorder_script(["fn:fbq", "queue:ttq"]).rstrip().endswith('(["fbq"], ["ttq"]);')
    with pytest.raises(ValueError, match="fn:NAME"):
        recorder_script(["gtag"])


X_PIXEL = {"id": "q4r7t", "events": {"lead": "tw-q4r7t-q4lea", "purchase": "tw-q4r7t-q4pur"}}
PURCHASE = {"fg_funnel": "blog", "fg_step": "upsell", "fg_variant": "a", "fg_offer": "starter", "value": 1980,
            "currency": "JPY", "transaction_id": "cs_test_1"}


def recorded_call(spec: str, *args, doc: str = "d1") -> dict:
    return {"k": spec, "a": list(args), "doc": doc}


def tiktok_purchase(event_id="cs_test_1"):
    return recorded_call("queue:ttq", "track", "Purchase", {"value": 1980, "currency": "JPY", "content_ids": ["starter"]},
                         {"event_id": event_id})


def x_purchase(**extra):
    params = {"value": 1980, "currency": "JPY", "contents": [{"content_id": "starter"}], "conversion_id": "cs_test_1"}
    return recorded_call("fn:twq", "event", "tw-q4r7t-q4pur", {**params, **extra})


def checked(records: list[dict], expected: dict) -> dict[str, tuple[bool, str]]:
    from funnelgen.vendors import BY_KEY
    from funnelgen.verify.results import StepResult
    from funnelgen.verify.tracking_checks import check_events

    vendors = [(BY_KEY["tiktok"], "C4B9Q2M7K1X8P3R6T0AZ"), (BY_KEY["line_tag"], "3f6a2c1e-8b4d-4f7a-9c2e-5d1b0a7e6f43"),
               (BY_KEY["yahoo"], {"conversion_id": "4829103756", "conversion_label": "kTq2Lm9Xw"}),
               (BY_KEY["x_pixel"], X_PIXEL)]
    sr = StepResult("upsell", "upsell", "upsell")
    check_events(sr, "upsell", records, "d1", expected, "when the page loads", vendors)
    return {c.name: (c.ok, c.detail) for c in sr.checks}


def test_every_recorded_vendor_must_get_the_purchase_once_with_the_transaction_id():
    layer = {"k": "dataLayer", "a": {"event": "purchase", **PURCHASE}, "doc": "d1"}
    yahoo = recorded_call("queue:yjDataLayer", {"type": "yss_conversion", "config": {"yahoo_conversion_value": "1980"}})
    line = recorded_call("fn:_lt", "send", "cv", {"type": "Purchase", "value": 1980, "currency": "JPY"}, ["tag"])
    everything = [layer, tiktok_purchase(), x_purchase(), yahoo, line]
    expected = {"view_item": None, "purchase": PURCHASE}
    got = checked(everything, expected)
    assert all(ok for ok, _detail in got.values()), got
    assert got["X Pixel tw-q4r7t-q4pur"] == (True, "X Pixel tw-q4r7t-q4pur once (1980 JPY starter id cs_test_1)")
    assert got["Yahoo!広告 site general tag yss_conversion"] == (True, "Yahoo!広告 site general tag yss_conversion once (1980)")

    got = checked([layer, x_purchase(), yahoo, line], expected)
    assert got["TikTok Pixel Purchase"] == (False, "TikTok Pixel Purchase was not sent when the page loads on 'upsell'")
    got = checked(everything + [tiktok_purchase()], expected)
    assert got["TikTok Pixel Purchase"] == (
        False, "TikTok Pixel Purchase was sent 2 times when the page loads on 'upsell' (once expected)")
    got = checked([layer, tiktok_purchase(event_id=None), x_purchase(conversion_id="cs_other", value=980), yahoo, line],
                  expected)
    assert got["TikTok Pixel Purchase"] == (False, "TikTok Pixel Purchase on 'upsell' has no event id (expected the "
                                                   "transaction id 'cs_test_1', so that the vendor can deduplicate it "
                                                   "against server-side events)")
    assert got["X Pixel tw-q4r7t-q4pur"] == (False, "X Pixel tw-q4r7t-q4pur (purchase) on 'upsell' has value=980 "
                                                    "(expected 1980); has the event id 'cs_other' (expected the "
                                                    "transaction id 'cs_test_1')")
    # a call another document made (the page before a navigation) does not count for this one
    got = checked([layer, x_purchase(), yahoo, line, {**tiktok_purchase(), "doc": "d0"}], expected)
    assert got["TikTok Pixel Purchase"][0] is False
    # the dataLayer event missing is reported once, not again for every vendor
    assert [name for name, (ok, _d) in checked([tiktok_purchase()], expected).items() if not ok] == ["purchase fires"]


def test_an_event_the_page_must_not_send_fails_at_any_vendor_that_gets_it():
    view = recorded_call("queue:ttq", "track", "ViewContent", {"value": 1980, "currency": "JPY", "content_ids": ["s"]})
    got = checked([view], {"view_item": None, "purchase": None})
    assert got == {"TikTok Pixel ViewContent": (False, "TikTok Pixel ViewContent (view_item) was sent 1× when the "
                                                       "page loads on 'upsell', where it should not be sent at all")}
    # LINE names lead and registration both Lead: a lead form's Lead is expected, not a stray registration
    lead = {"fg_funnel": "blog", "fg_step": "upsell", "fg_variant": "a", "form": "apply"}
    records = [{"k": "dataLayer", "a": {"event": "generate_lead", **lead}, "doc": "d1"},
               recorded_call("fn:_lt", "send", "cv", {"type": "Lead"}, ["tag"]),
               recorded_call("queue:ttq", "track", "SubmitForm", {}), recorded_call("fn:twq", "event", "tw-q4r7t-q4lea", {})]
    got = checked(records, {"lead": lead, "registration": None, "begin_checkout": None})
    assert all(ok for ok, _detail in got.values()) and "LINE Tag Lead" in got and "X Pixel tw-q4r7t-q4lea" in got


# -- browser selection -------------------------------------------------------------------------
def fake_binary(path):
    path.write_text("#!/bin/sh\necho fake\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_browser_option_then_env_then_default(tmp_path):
    opt, env, default = (fake_binary(tmp_path / n) for n in ("opt", "env", "default"))
    choice = find_chromium(opt, env={"FUNNELGEN_CHROMIUM": str(env)}, default=str(default))
    assert (choice.executable, choice.source) == (str(opt), "option")
    choice = find_chromium(None, env={"FUNNELGEN_CHROMIUM": str(env)}, default=str(default))
    assert (choice.executable, choice.source) == (str(env), "environment")
    choice = find_chromium(None, env={}, default=str(default), shell=str(tmp_path / "no-shell"))
    assert (choice.executable, choice.source) == (str(default), "system")
    args = launch_args(choice)
    assert args["executable_path"] == str(default) and "--no-sandbox" in args["args"] and args["headless"]
    shell = fake_binary(tmp_path / "shell")  # Debian's chromium-headless-shell, when installed, comes first
    choice = find_chromium(None, env={}, default=str(default), shell=str(shell))
    assert (choice.executable, choice.source) == (str(shell), "shell")
    assert "headless shell" in choice.describe()
    choice = find_chromium(None, env={"FUNNELGEN_CHROMIUM": str(env)}, default=str(default), shell=str(shell))
    assert choice.source == "environment"  # an explicit choice still wins


def test_a_wrong_option_or_env_is_an_error_not_a_fallback(tmp_path):
    with pytest.raises(BrowserNotFound, match="--browser .*no executable"):
        find_chromium(tmp_path / "nope", env={})
    with pytest.raises(BrowserNotFound, match="FUNNELGEN_CHROMIUM=.*no executable"):
        find_chromium(None, env={"FUNNELGEN_CHROMIUM": str(tmp_path / "nope")})


def test_no_browser_anywhere_says_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("funnelgen.browser.playwright_chromium", lambda: None)
    with pytest.raises(BrowserNotFound) as exc:
        find_chromium(None, env={}, default=str(tmp_path / "chromium"), shell=str(tmp_path / "shell"))
    text = str(exc.value)
    assert "no Chromium found" in text and "apt-get install chromium" in text
    assert "playwright install chromium" in text and "FUNNELGEN_CHROMIUM" in text


def test_falls_back_to_playwrights_own_chromium(tmp_path, monkeypatch):
    bundled = fake_binary(tmp_path / "pw-chrome")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr("funnelgen.browser.playwright_chromium", lambda: str(bundled))
    choice = find_chromium(None, env={}, default=str(tmp_path / "chromium"), shell=str(tmp_path / "shell"))
    assert (choice.executable, choice.source) == (str(bundled), "playwright")


def test_request_policy_keeps_everything_local():
    assert request_policy("http://127.0.0.1:8000/optin/") == "local"
    assert request_policy("https://www.googletagmanager.com/gtag/js?id=G-X") == "vendor"
    assert request_policy("https://connect.facebook.net/en_US/fbevents.js") == "vendor"
    assert request_policy("http://d.line-cdn.net/n/line_tag/public/release/v1/lt.js") == "vendor"
    assert request_policy("https://analytics.tiktok.com/i18n/pixel/events.js") == "vendor"
    assert request_policy("https://s.yimg.jp/images/listing/tool/cv/ytag.js") == "vendor"
    assert request_policy("https://buy.stripe.com/test_123") == "blocked"
    assert request_policy("https://cdn.example.com/a.png", ("cdn.example.com",)) == "allowed"


# -- the command ---------------------------------------------------------------------------------
def test_missing_playwright_is_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "playwright", None)
    with pytest.raises(PlaywrightMissing, match=r"pip install 'funnelgen\[verify\]'"):
        require_playwright()
    result = CliRunner().invoke(main, ["verify", str(copy_example(tmp_path / "s"))])
    assert result.exit_code == 2
    assert "Playwright, which is not installed" in result.output and "funnelgen[verify]" in result.output


def test_missing_browser_exits_2(monkeypatch, tmp_path):
    monkeypatch.setenv("FUNNELGEN_CHROMIUM", str(tmp_path / "no-such-chrome"))
    result = CliRunner().invoke(main, ["verify", str(copy_example(tmp_path / "s"))])
    assert result.exit_code == 2
    assert "FUNNELGEN_CHROMIUM" in result.output and "no executable file" in result.output


def test_report_folder_with_other_files_is_refused(tmp_path):
    site = copy_example(tmp_path / "s")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    chrome = fake_binary(tmp_path / "chrome")
    result = CliRunner().invoke(main, ["verify", str(site), "--report", str(folder), "--browser", str(chrome)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert (folder / "notes.txt").read_text() == "keep me"


def test_a_previous_report_is_replaced(tmp_path):
    from funnelgen.verify.report import MARKER, prepare_dir

    folder = tmp_path / "r"
    (folder / "shots").mkdir(parents=True)
    (folder / "shots" / "old.jpg").write_bytes(b"x")
    (folder / "report.json").write_text(json.dumps({"generator": MARKER}))
    (folder / "index.html").write_text("old")
    prepare_dir(folder)
    assert not (folder / "shots" / "old.jpg").exists() and not (folder / "index.html").exists()


def test_help_lists_the_options():
    result = CliRunner().invoke(main, ["verify", "--help"])
    assert result.exit_code == 0
    for option in ("--report", "--json", "--browser", "--workers", "--timeout", "--funnel", "--allow-host"):
        assert option in result.output


# -- the report renders anything safely -------------------------------------------------------------
def test_report_escapes_everything(tmp_path):
    from funnelgen.errors import Problem
    from funnelgen.verify.report import write_report
    from funnelgen.verify.run import VerifyResult

    result = VerifyResult(src=tmp_path, build_ok=False, report=tmp_path / "r", site_title="<script>x</script>",
                          problems=[Problem("site.yml", "bad <b>thing</b>", line=3, hint="fix & go")])
    (tmp_path / "r").mkdir()
    html = write_report(result).read_text(encoding="utf-8")
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert "bad &lt;b&gt;thing&lt;/b&gt;" in html and "Build errors" in html
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert data["ok"] is False and data["build"]["problems"][0]["line"] == 3


def test_report_draws_the_funnel_map_the_dashboard_draws(tmp_path):
    """One drawing of the map: the storyboard and the preview dashboard show the same steps in the same order."""
    from bs4 import BeautifulSoup

    from funnelgen.build import prepare
    from funnelgen.graph import funnel_map
    from funnelgen.serve.capture import Store
    from funnelgen.serve.dashboard import dashboard_html
    from funnelgen.verify.report import render

    prep = prepare(EXAMPLE)
    site = prep.site
    data = {"ok": True, "summary": "all 6 paths passed", "src": str(EXAMPLE), "seconds": 1.0, "browser": "chromium",
            "build": {"ok": True, "problems": [], "warnings": []}, "truncated": False, "paths": [],
            "funnels": [m.as_dict() for m in funnel_map(site)],  # what verify stores in report.json
            "generator": "funnelgen-verify-report", "generated": "2026-01-01 00:00:00", "site_title": "<i>x</i>"}

    def drawn(html: str) -> dict[str, list[str]]:
        maps = BeautifulSoup(html, "html.parser").select("[data-fg-map]")
        assert len(maps) == 1
        return {f["data-fg-funnel"]: [li["data-fg-step"] for li in f.select("li.fg-step")]
                for f in maps[0].select("section.fg-funnel")}

    report = drawn(render(data))
    assert report == drawn(dashboard_html(site, prep.renderer, Store(tmp_path), {}))
    assert report["instagram"] == ["optin-sns", "gift", "starter", "upsell", "downsell", "apply", "thanks"]
    assert "<i>x</i>" not in render(data)


def test_verify_extra_is_declared():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    from helpers import ROOT

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(dep.startswith("playwright") for dep in meta["project"]["optional-dependencies"]["verify"])


def test_default_workers_follow_the_cores(monkeypatch):
    from funnelgen.verify import run

    for cores, want in ((1, 2), (2, 2), (3, 3), (8, 4)):
        monkeypatch.setattr(run.os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)), raising=False)
        assert run.default_workers() == want
