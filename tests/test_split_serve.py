"""`funnelgen serve` with split tests: saving the page or a variant's own page rebuilds that one step, with
every variant in it, and a broken variant shows the overlay until it is fixed."""

from __future__ import annotations

from test_serve import events, get, preview, replace_in, site  # noqa: F401 - the serve fixtures

NEW_B = "新しいB見出し：7日間で信頼が育つメール"


def test_saving_the_page_or_a_variant_page_rebuilds_the_step(preview, events, site):  # noqa: F811
    replace_in(site / "pages" / "optin.md", "登録直後の7日間で、読者が「ファン」に変わる。そのまま使えるメール7通の型", NEW_B)
    data = events.wait(where=lambda d: d["paths"] and "/optin/" in d["paths"])
    assert data["ok"] is True
    body = get(preview, "/optin/")[2]
    assert NEW_B in body and body.count('data-fg-v="b"') >= 1 and "data-fg-split" in body

    # a third variant as a sibling page: site.yml changes (a full build), then the sibling alone
    (site / "pages" / "optin-c.md").write_text("---\ntitle: c\nheadline: 見出しC\n---\n\n本文C-1\n", encoding="utf-8")
    replace_in(site / "site.yml", "{id: optin, kind: optin, page: optin.md, form: lead, next: gift}",
               "{id: optin, kind: optin, page: optin.md, form: lead, next: gift, variants: {c: {page: optin-c.md, weight: 50}}}")
    events.wait(where=lambda d: d["ok"] and d["paths"] is None and "本文C-1" in get(preview, "/optin/")[2])
    replace_in(site / "pages" / "optin-c.md", "本文C-1", "本文C-2")
    data = events.wait(where=lambda d: d["paths"] and "/optin/" in d["paths"])
    assert "本文C-2" in get(preview, "/optin/")[2]


def test_a_broken_variant_shows_the_overlay_then_recovers(preview, events, site):  # noqa: F811
    replace_in(site / "pages" / "optin.md", "  a: {weight: 50}", "  a: {weight: 0}")
    data = events.wait(where=lambda d: not d["ok"])
    problem = data["problems"][0]
    assert problem["file"].endswith("optin.md") and "weight of variant 'a' must be above 0" in problem["message"]
    replace_in(site / "pages" / "optin.md", "  a: {weight: 0}", "  a: {weight: 50}")
    assert events.wait(where=lambda d: d["ok"])["paths"] == ["/optin/", "/"]
