"""Split tests in the built output: one URL per step with every variant in it, the winner alone, and the
errors a marketer gets for a test written wrong."""

from __future__ import annotations

import copy
import json
import re

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from helpers import MINIMAL_CONFIG, copy_example, write_site

from funnelgen.build import build
from funnelgen.errors import BuildError
from funnelgen.splitpage import HEAD_SCRIPT

PAGES = {
    "optin.md": "---\ntitle: 登録\nheadline: 見出しA\nsubheadline: 説明A\nvariants:\n  b:\n    headline: 見出しB\n"
                "    subheadline: 説明B\n    cta: Bで受け取る\n---\n\n本文A\n",
    "starter.md": "---\ntitle: 講座\nheadline: 講座A\n---\n\n::: price\n:::\n",
}


def site(tmp_path, change=None, pages=None, extra=None):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["offers"]["starter-b"] = {"name": "入門講座（B価格）", "price": 2480, "checkout": "https://buy.stripe.com/bbb222"}
    if change:
        change(cfg)
    src = write_site(tmp_path / "site", cfg, {**PAGES, **(pages or {})})
    for name, text in (extra or {}).items():
        (src / "pages" / name).write_text(text, encoding="utf-8")
    return src


def built(tmp_path, change=None, pages=None, extra=None):
    src = site(tmp_path, change, pages, extra)
    out = tmp_path / "out"
    return out, build(src, out)


def soup(out, path):
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def page_data(doc):
    return json.loads(doc.find("script", id="fg-page").string)


def step(cfg, sid):
    return next(s for s in cfg["funnels"]["main"]["steps"] if s["id"] == sid)


def test_every_variant_is_in_the_one_page_and_only_what_differs_twice(tmp_path):
    out, _ = built(tmp_path)
    html = (out / "optin" / "index.html").read_text(encoding="utf-8")
    doc = BeautifulSoup(html, "html.parser")
    boxes = doc.select(".fg-v")
    # the hero's copy, the hero's form (its button), the action under the copy, the sticky bar: each alone
    assert [b["data-fg-v"] for b in boxes] == ["a", "b"] * 4
    assert [b.h1.text for b in boxes if b.h1] == ["見出しA", "見出しB"]
    assert html.count("本文A") == 1  # the copy is the same: sent once
    forms = doc.find_all("form")
    assert [f.button.text for f in forms] == ["受け取る" if False else forms[0].button.text, "Bで受け取る"]
    ids = [e["id"] for e in doc.find_all(id=True)]
    assert len(ids) == len(set(ids))  # no id twice: b's ids carry --b, and its labels point at them
    label = forms[1].find("label", attrs={"for": re.compile("email")})
    assert label["for"].endswith("--b") and forms[1].find(id=label["for"])
    hidden = forms[1].find("input", attrs={"name": "fg_variant"})
    assert hidden["value"] == "a" and hidden["data-fg-hidden"] == "fg_variant"  # funnel.js writes the chosen one
    assert doc.find("link", rel="canonical")["href"] == "https://shop.example.com/optin/"
    assert doc.title.text.startswith("登録")


def test_head_script_runs_first_with_static_text(tmp_path):
    out, _ = built(tmp_path, lambda c: c.__setitem__("tracking", {"ga4": "G-K7T2Q9X4LM"}))
    doc = soup(out, "optin/index.html")
    first = doc.head.find("script")
    assert first.string == HEAD_SCRIPT  # the same bytes on every page: one CSP hash
    assert json.loads(first["data-fg-split"]) == {"e": "optin", "v": [["a", 50], ["b", 50]]}
    assert "googletagmanager" in str(first.find_next("script"))  # vendor tags come after the choice
    style = doc.head.style.string
    assert '.fg-v{display:none}html:not([data-fg-variant]) .fg-v[data-fg-v="a"]' in style
    assert 'html[data-fg-variant="b"] .fg-v[data-fg-v="b"]{display:contents}' in style
    assert not soup(out, "gift/index.html").find("script", attrs={"data-fg-split": True})


def test_page_data_lists_what_each_variant_sends(tmp_path):
    def change(cfg):
        step(cfg, "starter")["variants"] = {"b": {"offer": "starter-b", "weight": 20}}
    out, result = built(tmp_path, change)
    data = page_data(soup(out, "starter/index.html"))
    assert data["variant"] == "a" and data["offer"]["id"] == "starter"
    assert data["variants"]["a"] == {"variant": "a"}
    assert data["variants"]["b"]["variant"] == "b" and data["variants"]["b"]["offer"]["id"] == "starter-b"
    assert data["variants"]["b"]["offer"]["value"] == 2480
    doc = soup(out, "starter/index.html")
    links = [a["data-fg-offer"] for a in doc.select("a[data-fg-checkout]")]
    assert "starter" in links and "starter-b" in links
    assert "2,480円" in doc.select('.fg-v[data-fg-v="b"]')[0].text
    # the B price is paid into the same step: the thank-you page counts its purchase, and it has a success URL
    thanks = page_data(soup(out, "thanks/index.html"))
    assert set(thanks["purchase"]) == {"starter", "starter-b"}
    assert dict(result.success_urls)["starter-b"].startswith("https://shop.example.com/thanks/?fg_offer=starter-b")
    weights = json.loads(doc.find("script", attrs={"data-fg-split": True})["data-fg-split"])["v"]
    assert weights == [["a", 80], ["b", 20]]  # the original takes what b leaves of 100


def test_sibling_page_variant_three_ways_and_shared_experiment(tmp_path):
    def change(cfg):
        step(cfg, "optin")["variants"] = {"a": {"weight": 2}, "b": {"weight": 1}, "c": {"page": "optin-c.md", "weight": 1}}
        step(cfg, "optin")["experiment"] = "hero"
        step(cfg, "gift")["variants"] = {"a": {"weight": 2}, "b": {"weight": 1}, "c": {"weight": 1}}
        step(cfg, "gift")["experiment"] = "hero"
    pages = {"gift.md": "---\ntitle: g\nheadline: G-A\nvariants:\n  b: {headline: G-B}\n  c:\n    headline: G-C\n"
                        "    content: |\n      ## C専用の本文\n---\n\n本文G\n"}
    extra = {"optin-c.md": "---\ntitle: 別ページ\nheadline: 見出しC\n---\n\n本文C\n"}
    out, _ = built(tmp_path, change, pages, extra)
    doc = soup(out, "optin/index.html")
    assert [h.text for h in doc.select(".fg-v h1")] == ["見出しA", "見出しB", "見出しC"]
    assert any("本文C" in box.text for box in doc.select('.fg-v[data-fg-v="c"]'))
    assert doc.title.text.startswith("登録")  # the head stays the original's while the test runs
    gift = soup(out, "gift/index.html")
    assert "C専用の本文" in gift.select('.fg-v[data-fg-v="c"]')[1].text and "本文G" in gift.text
    for d in (doc, gift):
        assert json.loads(d.find("script", attrs={"data-fg-split": True})["data-fg-split"])["e"] == "hero"
    assert not (out / "optin-c").exists()  # no variant-only URL
    sitemap = (out / "sitemap.xml").read_text()
    assert "optin-c" not in sitemap and sitemap.count("/optin/") == 1


def test_winner_renders_alone_without_script(tmp_path):
    def change(cfg):
        step(cfg, "optin").update(winner="b", winner_since="2026-12-01")
    out, _ = built(tmp_path, change)
    html = (out / "optin" / "index.html").read_text(encoding="utf-8")
    doc = BeautifulSoup(html, "html.parser")
    assert doc.h1.text == "見出しB" and "見出しA" not in html
    assert "data-fg-split" not in html and "fg-v" not in html
    assert page_data(doc)["variant"] == "b" and "variants" not in page_data(doc)
    assert doc.find("input", attrs={"name": "fg_variant"})["value"] == "b"
    assert doc.find("link", rel="canonical")["href"] == "https://shop.example.com/optin/"


def test_the_example_optin_runs_its_experiment(tmp_path):
    src = copy_example(tmp_path / "site")
    build(src, tmp_path / "out")
    doc = soup(tmp_path / "out", "optin/index.html")
    heads = [h.text for h in doc.select(".fg-v h1")]
    assert len(heads) == 2 and heads[0] != heads[1]
    subs = [p.text for p in doc.select(".fg-v p.sub")]
    assert len(subs) == 2 and subs[0] != subs[1]
    assert len(doc.find_all("form")) == 1  # the form does not differ: sent once


BAD = [
    ("zero weight", lambda c: step(c, "optin").__setitem__("variants", {"b": {"weight": 0}}), {},
     "site.yml", "weight of variant 'b' must be above 0"),
    ("unknown page", lambda c: step(c, "optin").__setitem__("variants", {"c": {"page": "nope.md"}}), {},
     "site.yml", "nope.md' does not exist"),
    ("page outside pages/", lambda c: step(c, "optin").__setitem__("variants", {"c": {"page": "../site.yml"}}), {},
     "site.yml", "page '../site.yml' points outside the pages/ folder"),
    ("unknown offer", lambda c: step(c, "starter").__setitem__("variants", {"b": {"offer": "startr"}}), {},
     "site.yml", "variant 'b' sells unknown offer 'startr'. Did you mean 'starter'?"),
    ("offer on a step that sells nothing", None,
     {"gift.md": "---\ntitle: g\nvariants:\n  b: {offer: starter}\n---\n"}, "gift.md",
     "variant 'b' sells 'starter' but step 'gift' sells nothing"),
    ("winner unknown", lambda c: step(c, "optin").update(winner="c", winner_since="2026-12-01"), {},
     "site.yml", "winner 'c' is not a variant of step 'optin'"),
    ("winner without date", lambda c: step(c, "optin").update(winner="b"), {},
     "site.yml", "winner: needs winner_since:"),
    ("bad label", lambda c: step(c, "optin").__setitem__("variants", {"b c": {"weight": 1}}), {},
     "site.yml", "'b c' is not a valid id"),
    ("negative weight in front matter", None,
     {"optin.md": "---\ntitle: x\nvariants:\n  b: {headline: y, weight: -5}\n---\n"}, "optin.md",
     "weight of variant 'b' must be above 0"),
    ("the original with a page", lambda c: step(c, "optin").__setitem__("variants", {"a": {"page": "gift.md"}}), {},
     "site.yml", "'a' is the original"),
    ("weights over 100", lambda c: step(c, "optin").__setitem__("variants", {"b": {"weight": 100}}), {},
     "site.yml", "variant a has no weight and the others already take 100"),
    ("shared experiment differs", lambda c: (step(c, "optin").update(experiment="t"),
                                            step(c, "gift").update(experiment="t", variants={"b": {"weight": 10}})),
     {"gift.md": "---\ntitle: g\n---\n"}, "site.yml", "steps 'optin' and 'gift' share experiment 't' but differ"),
    ("unknown front matter key", None, {"optin.md": "---\ntitle: x\nvariants:\n  b: {headlin: y}\n---\n"},
     "optin.md", "unknown key 'headlin'. Did you mean 'headline'?"),
]
LINES = {"zero weight": None, "negative weight in front matter": 4, "unknown front matter key": 4,
         "offer on a step that sells nothing": 4}


@pytest.mark.parametrize("name,change,pages,file,message", BAD, ids=[b[0] for b in BAD])
def test_bad_split_tests_fail_with_file_key_and_fix(tmp_path, name, change, pages, file, message):
    from funnelgen.cli import main

    src = site(tmp_path, change, pages)
    with pytest.raises(BuildError) as exc:
        build(src, tmp_path / "out")
    found = [p for p in exc.value.problems if message in p.message]
    assert found, [p.message for p in exc.value.problems]
    assert found[0].file.endswith(file) and found[0].key and (found[0].hint or "differ" in message)
    if LINES.get(name):
        assert found[0].line == LINES[name]  # the line in the page file, nested keys too
    result = CliRunner().invoke(main, ["build", str(src), "-o", str(tmp_path / "out2")])
    assert result.exit_code != 0 and message.split("'")[0] in result.output and "Traceback" not in result.output


def test_sibling_variant_page_cannot_nest_variants(tmp_path):
    def change(cfg):
        step(cfg, "optin")["variants"] = {"c": {"page": "optin-c.md"}}
    extra = {"optin-c.md": "---\ntitle: c\nvariants:\n  d: {headline: x}\n---\n"}
    with pytest.raises(BuildError) as exc:
        built(tmp_path, change, extra=extra)
    assert any("a variant's own page cannot have variants:" in p.message and p.file.endswith("optin-c.md")
               for p in exc.value.problems)


def test_a_template_without_the_marks_is_refused_clearly(tmp_path):
    src = site(tmp_path)
    (src / "templates").mkdir()
    (src / "templates" / "page.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>{{ headline }}</h1>{{ content }}{% endblock %}', encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build(src, tmp_path / "out")
    assert any("the variants differ outside the parts the page template marks" in p.message
               for p in exc.value.problems)


def test_verify_plans_every_variant_of_every_path(tmp_path):
    from funnelgen.build import load_site
    from funnelgen.graph import paths as all_paths
    from funnelgen.verify.splits import as_walked, force_script, with_variants

    def change(cfg):
        step(cfg, "optin")["variants"] = {"b": {}, "c": {}}
        step(cfg, "starter")["variants"] = {"b": {"offer": "starter-b"}}
        step(cfg, "starter")["experiment"] = "price"
    src = site(tmp_path, change, {"optin.md": "---\ntitle: x\nheadline: A\nvariants:\n  b: {headline: B}\n"
                                              "  c: {headline: C}\n---\n"})
    loaded, _warnings = load_site(src)
    walks = [w for w in with_variants(loaded, all_paths(loaded)[0]) if w.id.startswith("main-1-")]  # one path
    assert [(w.id, w.variants) for w in walks] == [
        ("main-1-a", {"optin": "a", "price": "a"}), ("main-1-b", {"optin": "b", "price": "b"}),
        ("main-1-c-b", {"optin": "c", "price": "b"})]
    assert as_walked(loaded.steps["optin"], walks[2].variants).meta["headline"] == "C"
    assert as_walked(loaded.steps["starter"], walks[1].variants).offer.id == "starter-b"
    assert as_walked(loaded.steps["starter"], walks[0].variants) is loaded.steps["starter"]
    assert force_script({"optin": "b"}) == 'try{sessionStorage.setItem("fg_x_optin","b");}catch(e){}'


def test_preview_dashboard_links_every_variant(tmp_path):
    from funnelgen.build import load_site
    from funnelgen.serve.capture import Store
    from funnelgen.serve.dashboard import dashboard_html

    def change(cfg):
        step(cfg, "starter").update(variants={"b": {"offer": "starter-b"}}, winner="b", winner_since="2026-11-30")
    loaded, _w = load_site(site(tmp_path, change))
    doc = BeautifulSoup(dashboard_html(loaded, None, Store(tmp_path / "cache"), {}), "html.parser")
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in doc.select("tbody tr")
            if tr.find(attrs={"data-label": "Share"})]
    assert [r[2] for r in rows] == ["a (original)", "b", "a (original)", "b"]
    assert rows[0][3] == "50%" and rows[1][4] == "見出しB"
    assert "winner b since 2026-11-30" in rows[2][1] and [r[3] for r in rows[2:]] == ["0%", "100%"]
    assert rows[3][6] == "starter-b"
    assert [a["href"] for a in doc.select("tbody a[href*='fg_variant']")] == [
        "/optin/?fg_variant=a", "/optin/?fg_variant=b", "/starter/?fg_variant=b"]  # a lost: its link would show b


def test_links_between_the_parts_of_a_variant_follow_its_ids(tmp_path):
    """On a sales page whose button text differs, b's sticky bar points at b's own order section."""
    out, _ = built(tmp_path, pages={"starter.md": "---\ntitle: 講座\nheadline: 講座A\nvariants:\n  b: {cta: B購入}\n---\n"
                                                  "\n::: price\n:::\n"})
    doc = soup(out, "starter/index.html")
    sticky = [a for a in doc.select(".fg-v .sticky a")]
    assert [a["href"] for a in sticky] == ["#order", "#order--b"]
    assert doc.find(id="order") and doc.find(id="order--b")


def test_a_problem_in_a_content_override_names_its_line_in_the_front_matter(tmp_path):
    text = ("---\ntitle: 登録\nheadline: A\nvariants:\n  b:\n    headline: B\n    content: |\n      ## B\n\n"
            "      [危ない](javascript:alert(1))\n---\n\n本文A\n")
    with pytest.raises(BuildError) as exc:
        built(tmp_path, pages={"optin.md": text})
    (problem,) = [p for p in exc.value.problems if "javascript" in p.message]
    assert problem.file.endswith("optin.md") and problem.line == 10 and problem.key == "variants.b.content"
