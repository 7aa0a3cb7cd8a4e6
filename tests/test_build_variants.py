"""Integration: small sites exercising options the example does not use."""

from __future__ import annotations

import copy

from bs4 import BeautifulSoup
from helpers import MINIMAL_CONFIG, write_site

from funnelgen.build import build


def built(tmp_path, change=None, pages=None):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    if change:
        change(cfg)
    src = write_site(tmp_path / "site", cfg, pages)
    out = tmp_path / "out"
    result = build(src, out)
    return out, result


def soup(out, path):
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def test_english_site_labels_prices_and_lang(tmp_path):
    def change(cfg):
        cfg["site"]["language"] = "en"
        cfg["offers"]["starter"].update(price=19, currency="USD")
    out, _ = built(tmp_path, change)
    doc = soup(out, "starter/index.html")
    assert doc.html["lang"] == "en"
    assert "$19" in doc.select_one("table.summary").text
    assert doc.find("a", href="/legal/").text == "Legal notice"
    assert "Order summary" in doc.text


def test_site_under_a_sub_folder_prefixes_every_link(tmp_path):
    def change(cfg):
        cfg["site"]["base_url"] = "https://example.github.io/shop/"
    out, result = built(tmp_path, change)
    doc = soup(out, "optin/index.html")
    assert doc.find("form")["action"] == "/shop/gift/"
    assert doc.find("footer").find("a")["href"] == "/shop/legal/"
    assert doc.find("script", src=True)["src"].startswith("/shop/assets/funnel.")
    assert dict(result.success_urls)["starter"].startswith("https://example.github.io/shop/thanks/?")
    assert (out / "optin" / "index.html").is_file()  # files stay at the output root


def test_home_can_be_another_step(tmp_path):
    def change(cfg):
        cfg["site"]["home"] = "starter"
    out, _ = built(tmp_path, change)
    assert "/  /starter/  200" in (out / "_redirects").read_text(encoding="utf-8")  # Netlify: a rewrite

    def static_host(cfg):
        change(cfg)
        cfg["site"]["host"] = "static"
        for form in cfg["forms"].values():
            form.update(provider="post", action="https://formspree.io/f/abcd1234")
    out, _ = built(tmp_path / "static", static_host)
    assert soup(out, "index.html").find("link", rel="canonical")["href"].endswith("/starter/")  # a copy


def test_post_provider_maps_fields_and_redirects_to_next_step(tmp_path):
    def change(cfg):
        cfg["forms"]["lead"] = {
            "provider": "post", "action": "https://app.convertkit.com/forms/123/subscriptions",
            "fields": ["name", "email"], "field_map": {"email": "email_address", "name": "fields[first_name]"},
            "redirect_field": "_next", "consent": "テスト商店からメールをお送りします。",
        }
    out, _ = built(tmp_path, change)
    form = soup(out, "optin/index.html").find("form")
    assert form["action"] == "https://app.convertkit.com/forms/123/subscriptions"
    assert not form.has_attr("data-netlify")
    assert form.find("input", attrs={"name": "email_address", "type": "email"})
    assert form.find("input", attrs={"name": "fields[first_name]"})
    assert form.find("input", attrs={"name": "_next"})["value"] == "https://shop.example.com/gift/"
    assert form.find("input", attrs={"name": "_gotcha"})  # honeypot for form services
    assert not form.find("input", attrs={"name": "form-name"})


def test_shared_steps_belong_to_every_funnel_that_lists_them(tmp_path):
    import json

    def change(cfg):
        cfg["funnels"]["ads"] = {"steps": [
            {"id": "optin-ads", "kind": "optin", "page": "optin-ads.md", "form": "lead", "next": "gift"}, "gift"]}
    out, _ = built(tmp_path, change)
    data = json.loads(soup(out, "gift/index.html").find("script", id="fg-page").string)
    assert data["funnels"] == ["main", "ads"]
    entry = json.loads(soup(out, "optin-ads/index.html").find("script", id="fg-page").string)
    assert entry["entry_of"] == "ads"


def test_raw_html_is_refused_unless_allowed(tmp_path):
    import pytest

    from funnelgen.errors import BuildError

    pages = {"gift.md": "---\ntitle: g\n---\n<b class=\"hl\">hi</b>\n"}
    with pytest.raises(BuildError) as exc:  # off: an error with the line, never the tag printed as text
        built(tmp_path, pages=pages)
    assert exc.value.problems[0].line == 4 and "allow_html is off" in exc.value.problems[0].message
    out, _ = built(tmp_path / "code", pages={"gift.md": "---\ntitle: g\n---\nWrite `<b>` for bold.\n"})
    assert "<code>&lt;b&gt;</code>" in (out / "gift" / "index.html").read_text()

    def allow(cfg):
        cfg["site"]["allow_html"] = True
    out2, _ = built(tmp_path / "b", allow, pages)
    assert '<b class="hl">hi</b>' in (out2 / "gift" / "index.html").read_text()
    with pytest.raises(BuildError) as exc:
        built(tmp_path / "c", allow, {"gift.md": "---\ntitle: g\n---\n<b onclick=x>hi</b>\n"})
    assert exc.value.problems[0].line == 4 and "raw HTML" in exc.value.problems[0].message


def test_user_copy_cannot_inject_into_templates(tmp_path):
    pages = {"gift.md": '---\ntitle: "</title><script>alert(1)</script>"\nheadline: "{{ site }}"\n---\n{{ 7*7 }}\n'}
    out, _ = built(tmp_path, pages=pages)
    html = (out / "gift" / "index.html").read_text()
    assert "<script>alert(1)" not in html and "&lt;/title&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("<main")[1].split("</main>")[0]


def test_site_templates_override_theme(tmp_path):
    cfg_src = write_site(tmp_path / "site")
    (cfg_src / "templates" / "partials").mkdir(parents=True)
    (cfg_src / "templates" / "partials" / "footer.html").write_text("<footer>custom footer</footer>")
    build(cfg_src, tmp_path / "out")
    assert "custom footer" in (tmp_path / "out" / "gift" / "index.html").read_text()


def test_gtm_tiktok_yahoo_and_raw_snippets_are_placed_as_vendors_require(tmp_path):
    def change(cfg):
        cfg["tracking"] = {"gtm": "GTM-AB12CD3", "tiktok": "CJMB7ERC77U2JVNG7RF0",
                           "yahoo": {"conversion_id": "1234567890", "conversion_label": "AbCd"},
                           "head": "<meta name='x-site-head' content='1'>", "body": "<div id='site-body-snippet'></div>"}
    pages = {"gift.md": "---\ntitle: g\nhead: <meta name='x-page-head' content='1'>\n"
                        "body: <div id='page-body-snippet'></div>\n---\nbody\n"}
    out, _ = built(tmp_path, change, pages)
    doc = soup(out, "gift/index.html")
    head_scripts = doc.head.find_all("script")
    assert "googletagmanager.com/gtm.js" in head_scripts[0].text and "GTM-AB12CD3" in head_scripts[0].text
    first_in_body = doc.body.find(True)
    assert first_in_body.name == "noscript" and "ns.html?id=GTM-AB12CD3" in str(first_in_body)
    head = str(doc.head)
    assert head.count("ttq.load(\"CJMB7ERC77U2JVNG7RF0\")") == 1
    assert head.count("ytag.js") == 1 and "ycl_cookie" in head
    assert doc.head.find("meta", attrs={"name": "x-site-head"}) and doc.head.find("meta", attrs={"name": "x-page-head"})
    assert doc.body.find(id="site-body-snippet") and doc.body.find(id="page-body-snippet")
    assert not soup(out, "optin/index.html").find(id="page-body-snippet")  # per page means per page


def test_page_data_is_json_escaped_in_its_script(tmp_path):
    """An offer name that tries to close the <script> stays data: one fg-page script that decodes back."""
    import json

    from funnelgen.escaping import script_json

    assert script_json("</script><script>") == '"\\u003c/script\\u003e\\u003cscript\\u003e"'
    name = "講座</script>\u2028<script>alert(1)</script>"

    def change(cfg):
        cfg["offers"]["starter"]["name"] = name
    out, _ = built(tmp_path, change)
    html = (out / "starter" / "index.html").read_text(encoding="utf-8")
    data_scripts = soup(out, "starter/index.html").find_all("script", id="fg-page")
    assert len(data_scripts) == 1 and "alert(1)</script>" not in html
    assert json.loads(data_scripts[0].string)["offer"]["name"] == name


def test_steps_reached_from_a_funnel_entry_belong_to_that_funnel(tmp_path):
    import json

    def change(cfg):
        cfg["funnels"]["ads"] = {"steps": [
            {"id": "optin-ads", "kind": "optin", "page": "optin-ads.md", "form": "lead", "next": "gift"}]}
    out, _ = built(tmp_path, change)
    data = json.loads(soup(out, "starter/index.html").find("script", id="fg-page").string)
    assert data["funnels"] == ["main", "ads"]  # listed by main, reached from the ads entry


def test_parallel_build_checks_links_and_anchors_across_pages(tmp_path):
    """Pages are checked in the render workers; links to pages not yet written still resolve correctly."""
    import pytest

    from funnelgen.errors import BuildError

    def change(cfg):
        cfg["pages"] = [{"id": f"p{i}", "page": f"p{i}.md"} for i in range(60)]  # above the parallel threshold
    pages = {f"p{i}.md": f"---\ntitle: p{i}\n---\n{{#part}}\n## Part\n\n[next](/p{(i + 1) % 60}/#part) "
                         f"[file](/downloads/guide.pdf)\n" for i in range(60)}
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    change(cfg)
    src = write_site(tmp_path / "site", cfg, pages)
    (src / "static" / "downloads").mkdir(parents=True)
    (src / "static" / "downloads" / "guide.pdf").write_bytes(b"%PDF-1.4")
    build(src, tmp_path / "out", jobs=2)  # every link and anchor resolves

    (src / "pages" / "p7.md").write_text("---\ntitle: p7\n---\n[broken](/p8/#nowhere) [gone](/p99/)\n")
    with pytest.raises(BuildError) as exc:
        build(src, tmp_path / "out", jobs=2)
    messages = sorted(p.message for p in exc.value.problems)
    assert any("no element with id 'nowhere' on /p8/" in m for m in messages)
    assert any("/p99/ is not part of the built site" in m for m in messages)
    assert all(p.rule == "links.resolve" for p in exc.value.problems)
