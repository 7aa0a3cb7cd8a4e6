"""The policy computed for a page (funnelgen/csp.py) and how each mode and host delivers it."""

from __future__ import annotations

import base64
import copy
import hashlib

from helpers import MINIMAL_CONFIG, write_site

from funnelgen.build import build
from funnelgen.csp import insert_meta, meta_policy, policy
from funnelgen.settings import Tracking


def digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def directive(text: str, name: str) -> list[str]:
    for part in text.split("; "):
        words = part.split()
        if words[0] == name:
            return words[1:]
    return []


NO_TAGS = Tracking({})
GA4 = Tracking({"ga4": "G-AB12CD34EF"})


def test_inline_scripts_and_styles_by_hash_data_blocks_not():
    html = ('<head><style>p{color:red}</style><script>a()</script><script>\r\nb()\r\n</script>'
            '<script id="fg-page" type="application/json">{"x":1}</script><script src="/assets/f.js"></script>'
            '</head><body><p style="color:blue">x</p><noscript><img style="display:none" src="https://px.example/p">'
            '</noscript></body>')
    text = policy(html, NO_TAGS)
    assert directive(text, "script-src") == ["'self'", digest("a()"), digest("\nb()\n")]  # CRLF read as LF
    assert directive(text, "style-src") == ["'self'", digest("p{color:red}")]
    assert directive(text, "style-src-attr") == ["'unsafe-hashes'", digest("color:blue")]  # not the noscript one
    assert "https://px.example" in directive(text, "img-src")
    assert "'unsafe-inline'" not in text and "'unsafe-eval'" not in text
    assert directive(text, "default-src") == ["'self'"] and directive(text, "object-src") == ["'none'"]
    assert directive(text, "base-uri") == ["'none'"] and directive(text, "frame-ancestors") == ["'none'"]


def test_vendor_hosts_only_where_the_vendor_tag_is():
    tagged = '<script async src="https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF"></script>'
    assert "*.google-analytics.com" in directive(policy(tagged, GA4), "connect-src")
    assert directive(policy("<p>legal page</p>", GA4), "connect-src") == ["'self'"]  # no tag, no hosts


def test_form_actions_and_embeds_by_origin():
    html = ('<form action="https://app.convertkit.com/forms/1/subscriptions" method="post"></form>'
            '<form action="/gift/"></form><iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>')
    text = policy(html, NO_TAGS)
    assert directive(text, "form-action") == ["'self'", "https://app.convertkit.com"]
    assert directive(text, "frame-src") == ["https://www.youtube-nocookie.com"]


def test_meta_delivery_drops_what_meta_ignores_and_comes_first():
    text = policy("<script>a()</script>", NO_TAGS)
    assert "frame-ancestors" not in meta_policy(text) and "base-uri 'none'" in meta_policy(text)
    page = insert_meta('<!doctype html><html><head><meta charset="utf-8"><script>a()</script>', text)
    assert page.index('http-equiv="Content-Security-Policy"') < page.index("<script>")


def site_with(tmp_path, **settings):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["site"].update(settings)
    if settings.get("host", "netlify") != "netlify":
        cfg["forms"]["lead"].update(provider="post", action="https://formspree.io/f/abcd1234")
    return cfg


def test_report_only_and_off(tmp_path):
    out = tmp_path / "ro"
    build(write_site(tmp_path / "a", site_with(tmp_path, csp="report-only")), out)
    headers = (out / "_headers").read_text(encoding="utf-8")
    assert "Content-Security-Policy-Report-Only: default-src 'self'" in headers
    assert "\n  Content-Security-Policy:" not in headers
    assert "Content-Security-Policy" not in (out / "404.html").read_text(encoding="utf-8")  # meta cannot report
    out = tmp_path / "off"
    build(write_site(tmp_path / "b", site_with(tmp_path, csp="off", host="static")), out)
    assert "Content-Security-Policy" not in (out / "optin" / "index.html").read_text(encoding="utf-8")


def test_cloudflare_past_its_100_header_rules_moves_policies_into_the_pages(tmp_path):
    cfg = site_with(tmp_path, host="cloudflare-pages")
    cfg["pages"] = [{"id": f"p{i}", "page": f"p{i}.md"} for i in range(100)]
    out = tmp_path / "out"
    build(write_site(tmp_path / "site", cfg), out, jobs=1)
    headers = (out / "_headers").read_text(encoding="utf-8")
    assert "Content-Security-Policy" not in headers
    assert sum(1 for line in headers.splitlines() if line.startswith("/")) <= 100
    assert 'http-equiv="Content-Security-Policy"' in (out / "p7" / "index.html").read_text(encoding="utf-8")


def test_links_that_load_something_by_rel_and_as():
    html = ('<link rel="preload" as="image" href="https://cdn.example.com/b.png">'
            '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Noto+Sans+JP">'
            '<link rel="preload" href="https://fonts.example/x.woff2" as="font" crossorigin>'
            '<link rel="canonical" href="https://elsewhere.example/">')
    text = policy(html, NO_TAGS)
    assert "https://cdn.example.com" in directive(text, "img-src")
    assert "https://fonts.googleapis.com" in directive(text, "style-src")
    assert directive(text, "font-src") == ["'self'", "https://fonts.example"]
    assert "elsewhere.example" not in text  # a canonical link loads nothing


def test_a_video_facade_allows_the_player_its_click_loads_and_nothing_else():
    html = ('<body><a href="https://www.youtube.com/watch?v=M7lc1UVf-VE" data-fg-video='
            '"https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?autoplay=1">play</a></body>')
    assert directive(policy(html, NO_TAGS), "frame-src") == ["https://www.youtube-nocookie.com"]
    assert directive(policy("<body><p>no video</p></body>", NO_TAGS), "frame-src") == []
