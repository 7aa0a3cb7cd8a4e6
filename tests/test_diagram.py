"""`funnelgen graph`: the funnel map as Mermaid, DOT, SVG and PNG — every step, offer price and edge drawn,
labels escaped, Graphviz's absence a clear message with the Mermaid fallback, and the Mermaid text accepted
by the real Mermaid parser (in Chromium; its package comes from tests/js/package.json)."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EXAMPLE, MINIMAL_CONFIG, write_site

from funnelgen.build import load_site
from funnelgen.cli import main
from funnelgen.diagram import dot, mermaid

MERMAID_JS = Path(__file__).parent / "js" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"


def test_mermaid_draws_every_step_price_and_edge_of_the_example():
    site, _ = load_site(EXAMPLE)
    text = mermaid(site)
    for sid in site.steps:
        assert f'["{sid}<br/>' in text, sid
    assert "9,800円（税込）" in text and "月額49,800円（税込）×6回" in text
    assert 's_upsell -->|"購入"| s_apply' in text and 's_upsell -->|"見送る"| s_downsell' in text
    assert 's_optin_sns -->|"送信"| s_gift' in text  # the second funnel leads into the shared steps


def test_labels_cannot_break_out_of_the_diagram(tmp_path):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["offers"]["starter"]["name"] = 'A "quoted" <b>bold</b> & co'
    site, _ = load_site(write_site(tmp_path / "site", cfg))
    text, graph = mermaid(site), dot(site)
    assert '"quoted"' not in text and "<b>" not in text and "#quot;quoted#quot;" in text
    assert '\\"quoted\\"' in graph


def test_svg_names_every_step(tmp_path):
    out = tmp_path / "map.svg"
    result = CliRunner().invoke(main, ["graph", str(EXAMPLE), "-f", "svg", "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = ET.parse(out).getroot()
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    site, _ = load_site(EXAMPLE)
    assert all(sid in texts.split() for sid in site.steps), texts
    png = tmp_path / "map.png"
    assert CliRunner().invoke(main, ["graph", str(EXAMPLE), "-f", "png", "-o", str(png)]).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_graphviz_a_clear_message_and_the_mermaid_fallback(monkeypatch):
    monkeypatch.setattr("funnelgen.diagram.shutil.which", lambda name: None)
    result = CliRunner().invoke(main, ["graph", str(EXAMPLE), "-f", "svg"])
    assert result.exit_code == 1
    assert "Graphviz is not installed" in result.output and "apt-get install graphviz" in result.output
    assert "flowchart LR" in result.output


def test_a_broken_site_is_reported_like_build(tmp_path):
    src = write_site(tmp_path / "site")
    (src / "site.yml").write_text("site: [", encoding="utf-8")
    result = CliRunner().invoke(main, ["graph", str(src)])
    assert result.exit_code == 1 and "YAML syntax error" in result.output and "Traceback" not in result.output


@pytest.mark.browser
def test_the_real_mermaid_parser_accepts_the_output(tmp_path):
    from playwright.sync_api import sync_playwright

    from funnelgen.browser import find_chromium, launch_args

    assert MERMAID_JS.is_file(), "install the test tools: npm ci --prefix tests/js (the README's test command does)"
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["offers"]["starter"]["name"] = 'A "quoted" <b>bold</b> & co'
    sites = [load_site(EXAMPLE)[0], load_site(write_site(tmp_path / "site", cfg))[0]]
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args(find_chromium()))
        page = browser.new_page()
        page.set_content("<!doctype html><body></body>")
        page.add_script_tag(path=str(MERMAID_JS))
        for site in sites:
            verdict = page.evaluate("async t => { try { await mermaid.parse(t); return 'ok'; } "
                                    "catch (e) { return String(e && e.message || e); } }", mermaid(site))
            assert verdict == "ok", verdict
        broken = page.evaluate("async t => { try { await mermaid.parse(t); return 'ok'; } "
                               "catch (e) { return 'refused'; } }", 'flowchart LR\n  a["x"] -->|"y| b')
        browser.close()
    assert broken == "refused"  # the parser really parses


def test_the_readme_shows_the_examples_current_map():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    site, _ = load_site(EXAMPLE)
    assert f"```mermaid\n{mermaid(site)}```" in readme, "regenerate it: funnelgen graph site_src"


def test_dashboard_and_storyboard_show_the_same_picture(tmp_path):
    import http.client

    from helpers import copy_example

    from funnelgen.diagram import svg_picture
    from funnelgen.graph import funnel_map
    from funnelgen.serve import Preview
    from funnelgen.verify.report import render

    src = copy_example(tmp_path / "site")
    site = load_site(src)[0]
    picture = svg_picture(site)
    assert picture.startswith("<svg") and "Instagram広告から来た方" in picture
    with Preview(src, port=0, watch=False, cache_dir=tmp_path / "cache") as preview:
        host, port = preview.server.server_address[:2]
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("GET", "/_fg/", headers={"Host": f"127.0.0.1:{port}"})
        dashboard = conn.getresponse().read().decode("utf-8")
        conn.close()
    report = render({"ok": True, "summary": "", "src": str(src), "seconds": 0.0, "browser": "", "report": None,
                     "build": {"ok": True, "problems": [], "warnings": []}, "truncated": False,
                     "funnels": [m.as_dict() for m in funnel_map(site)],
                     "picture": picture, "paths": [], "generated": "", "site_title": "x"})
    for page in (dashboard, report):
        assert 'data-fg-picture' in page and picture in page
