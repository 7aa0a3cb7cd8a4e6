"""What the host choice refuses, with file, key, line and fix: redirects that go nowhere or in circles,
Netlify Forms off Netlify, report-only without headers; and form names unique per site."""

from __future__ import annotations

import copy

import pytest
from click.testing import CliRunner
from helpers import MINIMAL_CONFIG, write_site

from funnelgen.build import build, load_site
from funnelgen.cli import main
from funnelgen.errors import BuildError


def problems(tmp_path, change) -> list:
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    change(cfg)
    src = write_site(tmp_path / "site", cfg)
    with pytest.raises(BuildError) as caught:
        load_site(src)
    return caught.value.problems


def line_of(tmp_path, text: str) -> int:
    lines = (tmp_path / "site" / "site.yml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("redirect, key, words", [
    ({"from": "/a/", "to": "nowhere"}, "redirects[0].to", "unknown step 'nowhere'"),
    ({"from": "/a/", "to": "javascript:alert(1)"}, "redirects[0].to", "unsafe"),
    ({"from": "/a/", "to": "http://example.com/"}, "redirects[0].to", "is not https://"),
    ({"from": "/a/", "to": "//evil.example/"}, "redirects[0].to", "protocol-relative"),
    ({"from": "/optin/", "to": "gift"}, "redirects[0].from", "is a page of the site"),
    ({"from": "/a/", "to": "gift", "status": 307}, "redirects[0].status", "301 (moved for good)"),
    ({"from": "/a/../assets/x/", "to": "gift"}, "redirects[0].from", "not a plain path"),
    ({"from": "/a/", "to": "/gift/ 200!"}, "redirects[0].to", "spaces"),
    ({"from": "/legal/", "to": "gift"}, "redirects[0].from", "is a page of the site"),
])
def test_bad_redirects_are_refused_with_their_line(tmp_path, redirect, key, words):
    found = problems(tmp_path, lambda cfg: cfg.update(redirects=[redirect]))
    assert len(found) == 1, [p.format() for p in found]
    p = found[0]
    assert p.key == key and p.line == line_of(tmp_path, "from: " + redirect["from"]) and p.hint
    assert words in p.message + p.hint and p.rule == "graph.redirects"


def test_redirect_loops_and_duplicates(tmp_path):
    found = problems(tmp_path, lambda cfg: cfg.update(redirects=[
        {"from": "/a/", "to": "/b/"}, {"from": "/b", "to": "/a/"}, {"from": "/c/", "to": "gift"},
        {"from": "/c/", "to": "starter"}]))
    messages = [p.message for p in found]
    assert any("redirect loop: /a/ → /b/ → /a/" in m for m in messages), messages
    assert any("'/c/' is redirected twice" in m for m in messages), messages


def test_good_redirects_load(tmp_path):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["redirects"] = [{"from": "/seminar/", "to": "optin"}, {"from": "/go/", "to": "/starter/", "status": 302},
                        {"from": "/a/", "to": "/b/"}, {"from": "/b/", "to": "gift"}]  # a chain, not a loop
    site, _warnings = load_site(write_site(tmp_path / "site", cfg))
    assert [(r.source, r.status) for r in site.redirects][:2] == [("/seminar/", 301), ("/go/", 302)]


@pytest.mark.parametrize("host", ["cloudflare-pages", "github-pages", "static"])
def test_netlify_forms_only_on_netlify_check_says_where_and_how(tmp_path, host):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["site"]["host"] = host
    src = write_site(tmp_path / "site", cfg)
    for command in ("check", "build"):
        result = CliRunner().invoke(main, [command, str(src)])
        assert result.exit_code == 1 and "Traceback" not in result.output
        line = line_of(tmp_path, "lead:") + 1  # the form's own line (its first key), as every form problem names
        out = " ".join(result.output.split())
        if command == "build":
            assert f"site.yml:{line}: forms.lead.provider: provider: netlify forms only work on Netlify" in out
            assert "fix: Set provider: post with action:" in out and "[host.forms]" in out
        else:
            assert f"line {line} forms.lead.provider:" in out
    cfg["forms"]["lead"].update(provider="post", action="https://formspree.io/f/abcd1234")
    write_site(tmp_path / "site", cfg)
    assert CliRunner().invoke(main, ["build", str(src), "-o", str(tmp_path / "out")]).exit_code == 0


def test_report_only_needs_a_host_with_headers(tmp_path):
    def change(cfg):
        cfg["site"].update(host="github-pages", csp="report-only")
        cfg["forms"]["lead"].update(provider="post", action="https://formspree.io/f/abcd1234")
    (p,) = problems(tmp_path, change)
    assert p.key == "site.csp" and p.line == line_of(tmp_path, "csp:") and "csp: enforce" in p.hint


def test_each_placed_form_has_its_own_name(tmp_path):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["pages"] = [{"id": "optin-b", "kind": "optin", "page": "b.md", "form": "lead", "next": "gift"}]
    out = tmp_path / "out"
    build(write_site(tmp_path / "site", cfg), out)
    names = []
    for rel in ("optin/index.html", "optin-b/index.html"):
        html = (out / rel).read_text(encoding="utf-8")
        name = html.split('class="fg-form" name="', 1)[1].split('"', 1)[0]
        assert f'name="form-name" value="{name}"' in html and 'name="fg_step"' in html
        names.append(name)
    assert names == ["lead-optin", "lead-optin-b"]


def test_colliding_form_names_are_refused(tmp_path):
    def change(cfg):
        cfg["forms"]["lead-x"] = copy.deepcopy(cfg["forms"]["lead"])
        cfg["pages"] = [{"id": "x-optin", "kind": "optin", "page": "a.md", "form": "lead", "next": "gift"},
                        {"id": "optin", "kind": "optin", "page": "b.md", "form": "lead-x", "next": "gift"}]
        cfg["funnels"]["main"]["steps"][0]["id"] = "entry"
    found = [p for p in problems(tmp_path, change) if p.rule == "host.forms"]
    assert found and "lead-x-optin" in found[0].message and found[0].key == "pages[1].form"


def test_server_events_for_another_host_is_a_warning(tmp_path):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["tracking"] = {"ga4": "G-K7T2Q9X4LM", "server_events": "cloudflare-pages"}
    _site, warnings = load_site(write_site(tmp_path / "site", cfg))
    (w,) = [p for p in warnings if p.key == "tracking.server_events"]
    assert w.severity == "warning" and w.line == line_of(tmp_path, "server_events:") and "site.host" in w.hint


def test_a_sites_own_headers_and_redirects_follow_funnelgens(tmp_path):
    src = write_site(tmp_path / "site", MINIMAL_CONFIG)
    (src / "static").mkdir()
    (src / "static" / "_headers").write_text("/files/*\n  X-Robots-Tag: noindex\n", encoding="utf-8")
    (src / "static" / "_redirects").write_text("/old/  /gift/  301\n", encoding="utf-8")
    out = tmp_path / "out"
    build(src, out)
    headers = (out / "_headers").read_text(encoding="utf-8")
    assert headers.index("Content-Security-Policy") < headers.index("/files/*\n  X-Robots-Tag: noindex")
    redirects = (out / "_redirects").read_text(encoding="utf-8").splitlines()
    rules = [line.split() for line in redirects if line and not line.startswith("#")]
    assert rules == [["/", "/optin/", "200"], ["/old/", "/gift/", "301"]]  # the home rewrite first
