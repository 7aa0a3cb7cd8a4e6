"""The vendor registry: every entry is complete and consistent, and one entry (the X Pixel) is enough to
add a vendor to the schema, the pages, the runtime, the privacy notice, the checks and the browser stubs."""

from __future__ import annotations

import copy
import re

import pytest
from bs4 import BeautifulSoup
from helpers import MINIMAL_CONFIG, write_site

from funnelgen.browser import request_policy
from funnelgen.build import build
from funnelgen.check import check_source
from funnelgen.errors import BuildError
from funnelgen.rules.html import parse_html
from funnelgen.schema import Context
from funnelgen.tracking import EVENTS, head_snippets, runtime_script
from funnelgen.vendors import VENDORS

X = {"id": "o8xyz", "events": {"purchase": "tw-o8xyz-o8pur", "lead": "tw-o8xyz-o8lea"}}
VALUES = {"gtm": "GTM-AB12CD3", "ga4": "G-K7T2Q9X4LM", "meta_pixel": "104857361920475",
          "tiktok": "CJMB7ERC77U2JVNG7RX9", "line_tag": "3f6a2c1e-8b4d-4f7a-9c2e-5d1b0a7e6f43",
          "yahoo": {"conversion_id": "1234567891", "conversion_label": "AbCdEfG"}, "x_pixel": X}


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.key)
def test_every_entry_is_complete(vendor):
    value = VALUES[vendor.key]
    ctx = Context("site.yml")
    assert vendor.spec.check(copy.deepcopy(value), f"tracking.{vendor.key}", 1, ctx) is not None, ctx.problems
    assert vendor.recipient["ja"] and vendor.recipient["en"] and vendor.docs.startswith("https://")
    assert vendor.hosts.get("script-src"), "the CSP and the browser stubs need its script host"
    doc = parse_html(f"<html><head>{vendor.head(value)}</head><body>{vendor.body(value)}</body></html>")
    main = [el for el in doc.find("script") if vendor.snippet.matches(el)]
    assert len(main) == 1, "the checks must recognise the vendor's own snippet"
    if vendor.snippet.carries_id:
        first_id = vendor.ids(value)[0][1]
        assert first_id in (main[0].get("src") or "") + main[0].text
    hosts = set(re.findall(r"https?://([a-z0-9.-]+)", vendor.head(value) + vendor.body(value)))
    assert all(request_policy(f"https://{h}/x.js") == "vendor" for h in hosts), hosts  # stubbed in tests/verify
    assert set(vendor.event_names(value)) <= set(EVENTS)
    assert not vendor.event_names(value) or vendor.adapter, "a vendor that gets events needs a send function"


def test_head_snippets_follow_the_registry_order():
    html = head_snippets({k: VALUES[k] for k in ("x_pixel", "meta_pixel", "gtm")})
    assert html.index("gtm.js") < html.index("fbevents.js") < html.index("uwt.js")


def test_runtime_carries_only_the_enabled_vendors():
    runtime = runtime_script({"ga4": VALUES["ga4"], "x_pixel": X}).decode("utf-8")
    assert '"x_pixel":function' in runtime and '"ga4":function' in runtime
    assert "fbq" not in runtime and "_lt" not in runtime and "ytag" not in runtime
    assert '"purchase":"tw-o8xyz-o8pur"' in runtime


def x_site(tmp_path, tracking):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["tracking"] = tracking
    return write_site(tmp_path / "site", cfg)


def test_x_pixel_through_the_whole_build(tmp_path):
    out = tmp_path / "out"
    build(x_site(tmp_path, {"x_pixel": X}), out)
    head = BeautifulSoup((out / "starter" / "index.html").read_text(encoding="utf-8"), "html.parser").head
    assert str(head).count("twq('config',\"o8xyz\")") == 1
    privacy = (out / "privacy" / "index.html").read_text(encoding="utf-8")
    assert "X Corp.（X ピクセル）" in privacy


def test_x_event_id_of_another_pixel_is_refused_with_its_line(tmp_path):
    src = x_site(tmp_path, {"x_pixel": {"id": "o8xyz", "events": {"purchase": "tw-o9abc-o8pur"}}})
    with pytest.raises(BuildError) as exc:
        build(src, tmp_path / "out")
    [problem] = exc.value.problems
    assert problem.key == "tracking.x_pixel.events.purchase" and "belongs to pixel 'o9abc'" in problem.message
    assert problem.line and problem.file.endswith("site.yml")


def test_x_placeholder_and_duplicate_snippet_are_found_by_check(tmp_path):
    pasted = ("<script>!function(e,t,n,s,u,a){}(window,document,'script');"
              "twq('config','o8xyz');</script>")
    src = x_site(tmp_path, {"x_pixel": {"id": "xxxxx", "events": {"lead": "tw-xxxxx-o8lea"}}, "head": pasted})
    problems = check_source(src, preview=False)
    rules = {(p.rule, p.key) for p in problems if p.severity == "error"}
    assert ("tracking.placeholder-ids", "tracking.x_pixel.id") in rules
    assert any(p.rule == "tracking.placement" and "X Pixel appears 2 times" in p.message for p in problems)
