"""Every path of the example funnel, clicked through in Chromium at a mobile and a desktop viewport.

From the entry URL with UTM parameters: opt-in form -> gift -> front-end offer -> test checkout ->
upsell accepted, or declined into the downsell (bought or declined too) -> back-end application form ->
thank-you. At each step: URL, visible headline, no console error, no failed request, nothing off
127.0.0.1. Then the captured form posts (every field, hidden funnel/step/UTM ones included) and the
tracking calls in order (dataLayer, GA4 gtag, Meta fbq, LINE). Expectations are written out here from
site_src/site.yml, not derived from funnelgen's model, so a wrong model cannot make them agree.
"""

from __future__ import annotations

import datetime

import pytest

from e2e.e2e_helpers import UTM, Visitor, read_submissions

pytestmark = pytest.mark.browser

# offer -> (tracked value: tax-inclusive JPY, name)
OFFERS = {
    "starter": (1980, "動画講座『はじめてのステップメール設計』"),
    "templates": (9800, "『コピペで使えるメール文例テンプレート100』"),
    "templates-lite": (4980, "『メール文例テンプレート ライト版（30本）』"),  # 4,528 + 10% tax, rounded down
    "coaching": (49800, "6ヶ月 個別メールマーケティング伴走コーチング"),
}
ENTRY = {"blog": ("optin", "optin.md", "a"), "instagram": ("optin-sns", "optin-sns.md", "sns")}
# The blog opt-in runs a split test (a/b headline): each viewport walks one variant, forced by ?fg_variant.
FORCED = {"mobile": "a", "desktop": "b"}
# the application's preferred date (type: date, min_days: 3, max_days: 60 in site_src/site.yml)
PREFERRED_DATE = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
CHOICES = ["accept", "decline-accept", "decline-decline"]
CONSENT_TEXT = ("合同会社ことのは舎（佐藤美咲）から、無料E-bookのダウンロード案内と、メールマーケティングのコツやサービスのご案内を"
                "メールでお送りします。配信はいつでも解除できます。")
META_PIXEL, GA4 = "104857361920475", "G-K7T2Q9X4LM"


def walk(visitor: Visitor, funnel: str, choice: str, email: str, forced: str | None = None) -> None:
    entry, entry_page, _variant = ENTRY[funnel]
    v = visitor
    v.enter(f"/{entry}/", {**UTM, "fg_variant": forced} if forced else UTM)
    if forced:
        assert v.page.evaluate("document.documentElement.getAttribute('data-fg-variant')") == forced
    v.at(f"/{entry}/", entry_page)
    v.submit_form("lead", {"name": "山田 花子", "email": email}, consent=True)
    v.at("/gift/", "gift.md")
    v.next()
    v.at("/starter/", "starter.md")
    v.buy("starter")
    v.at("/upsell/", "upsell.md")
    if choice == "accept":
        v.buy("templates")
    else:
        v.decline()
        v.at("/downsell/", "downsell.md")
        if choice == "decline-accept":
            v.buy("templates-lite")
        else:
            v.decline()
    v.at("/apply/", "apply.md")
    v.submit_form("apply", {"name": "山田 花子", "email": email, "business": "整体院",
                            "preferred_date": PREFERRED_DATE,
                            "list_size": "100人未満", "message": "予約につながるメールを書きたい"})
    v.at("/thanks/", "thanks.md")


def expected_events(funnel: str, choice: str, txs: list[str], variant: str) -> list[tuple]:
    """(event, fg_step, fg_funnel, fg_variant, fg_offer, value, transaction_id) in firing order.

    fg_funnel: the funnel the visitor entered through, on every step its entry leads to (shared steps too).
    """
    entry = ENTRY[funnel][0]

    def ev(name, step, offer=None, tx=None, fnl=funnel, var="a"):
        return (name, step, fnl, var, offer, OFFERS[offer][0] if offer else None, tx)

    seq = [ev("generate_lead", entry, fnl=funnel, var=variant),
           ev("view_item", "starter", "starter"), ev("begin_checkout", "starter", "starter"),
           ev("view_item", "upsell", "templates"), ev("purchase", "upsell", "starter", txs[0])]
    if choice == "accept":
        seq += [ev("begin_checkout", "upsell", "templates"),
                ev("view_item", "apply", "coaching"), ev("purchase", "apply", "templates", txs[1])]
    elif choice == "decline-accept":
        seq += [ev("view_item", "downsell", "templates-lite"), ev("begin_checkout", "downsell", "templates-lite"),
                ev("view_item", "apply", "coaching"), ev("purchase", "apply", "templates-lite", txs[1])]
    else:
        seq += [ev("view_item", "downsell", "templates-lite"), ev("view_item", "apply", "coaching")]
    seq.append(ev("generate_lead", "apply"))
    return seq


def as_tuple(e: dict) -> tuple:
    return (e["event"], e["fg_step"], e["fg_funnel"], e["fg_variant"], e.get("fg_offer"), e.get("value"),
            e.get("transaction_id"))


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
@pytest.mark.parametrize("funnel", ["blog", "instagram"])
@pytest.mark.parametrize("choice", CHOICES)
def test_walk_every_path(open_context, preview, e2e_site, front_matter, viewport, funnel, choice):
    _context, page, guard = open_context(viewport)
    visitor = Visitor(page, guard, preview.url, front_matter)
    email = f"{funnel}.{choice}.{viewport}@example.jp"
    forced = FORCED[viewport] if funnel == "blog" else None
    walk(visitor, funnel, choice, email, forced)
    entry, _page, variant = ENTRY[funnel]
    variant = forced or variant

    # -- the captured form posts: every field, hidden ones carried from the entry URL -----------
    mine = [s for s in read_submissions(e2e_site) if s["fields"].get("email") == email]
    assert [s["form"] for s in mine] == ["lead", "apply"]
    lead, apply = mine
    assert lead["fields"] == {
        "form-name": f"lead-{entry}", "fg_funnel": funnel, "fg_step": entry, "fg_variant": variant,
        "utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "spring-2026",
        "utm_term": "", "utm_content": "", "fg_consent": CONSENT_TEXT, "bot-field": "",
        "name": "山田 花子", "email": email, "consent": "yes",
    }
    assert lead["redirect"] == "/gift/" and lead["spam"] is False
    assert apply["fields"] == {
        "form-name": "apply-apply", "fg_funnel": funnel, "fg_step": "apply", "fg_variant": "a",
        "utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "spring-2026",  # first touch kept
        "utm_term": "", "utm_content": "", "bot-field": "",
        "name": "山田 花子", "email": email, "business": "整体院", "preferred_date": PREFERRED_DATE,
        "list_size": "100人未満",
        "message": "予約につながるメールを書きたい",
    }
    assert apply["redirect"] == "/thanks/"

    # -- tracking, in order -----------------------------------------------------------------------
    txs = visitor.txs
    assert len(txs) == (1 if choice == "decline-decline" else 2) and len(set(txs)) == len(txs)
    layer = visitor.layer()
    assert [as_tuple(e) for e in layer] == expected_events(funnel, choice, txs, variant)
    for e in layer:
        if e.get("fg_offer"):
            value, name = OFFERS[e["fg_offer"]]
            assert e["currency"] == "JPY"
            assert e["items"] == [{"item_id": e["fg_offer"], "item_name": name, "price": value, "quantity": 1}]
    assert [e["form"] for e in layer if e["event"] == "generate_lead"] == ["lead", "apply"]

    # GA4: one gtag('event') per dataLayer event, same name and parameters; config on every page
    gtag = visitor.gtag()
    assert [(c[1], c[2]) for c in gtag] == [(e["event"], {k: v for k, v in e.items() if k != "event"}) for e in layer]
    configs = [c for c in visitor.calls("ga4") if c[0] == "config"]
    assert configs == [["config", GA4]] * len(visitor.trail)

    # Meta: PageView on each funnel page; Lead, ViewContent, InitiateCheckout (value + currency), Purchase + eventID
    fbq = visitor.fbq()
    assert sum(1 for c in fbq if c[1] == "PageView") == len(visitor.trail)
    meta_names = {"generate_lead": "Lead", "view_item": "ViewContent", "begin_checkout": "InitiateCheckout",
                  "purchase": "Purchase"}
    expected_fbq = []
    for e in layer:
        if not e.get("fg_offer"):
            expected_fbq.append(["track", "Lead", {}])
            continue
        value, name = OFFERS[e["fg_offer"]]
        call = ["track", meta_names[e["event"]], {"value": value, "currency": "JPY", "content_ids": [e["fg_offer"]],
                                                  "content_name": name, "content_type": "product"}]
        if e["event"] == "purchase":
            call.append({"eventID": e["transaction_id"]})
        expected_fbq.append(call)
    assert [c for c in fbq if c[1] != "PageView"] == expected_fbq
    inits = [c for c in visitor.calls("meta_pixel") if c[0] == "init"]
    assert inits == [["init", META_PIXEL]] * len(visitor.trail)

    # LINE Tag: conversions for leads and purchases only
    line_cv = [c[2] for c in visitor.calls("line_tag") if c[:2] == ["send", "cv"]]
    assert [c["type"] for c in line_cv] == [meta_names[e["event"]] for e in layer
                                            if e["event"] in ("generate_lead", "purchase")]

    # vendor scripts were asked for, and answered locally (the guard aborts anything else off 127.0.0.1)
    assert any("googletagmanager.com/gtag/js?id=G-K7T2Q9X4LM" in u for u in guard.stubbed)
    assert any("connect.facebook.net/en_US/fbevents.js" in u for u in guard.stubbed)
    assert any("line_tag/public/release/v1/lt.js" in u for u in guard.stubbed)


def test_purchase_page_reload_does_not_fire_purchase_again(open_context, preview, front_matter):
    _context, page, guard = open_context("mobile")
    v = Visitor(page, guard, preview.url, front_matter)
    v.enter("/optin/", UTM)
    v.at("/optin/", "optin.md")
    v.submit_form("lead", {"name": "再読込 太郎", "email": "reload@example.jp"}, consent=True)
    v.next()
    tx = v.buy("starter")
    v.at("/upsell/", "upsell.md")
    # on the live page: the vendor queues the snippets created hold the purchase
    fbq_queue = page.evaluate("window.fbq.queue.map(a => Array.from(a))")
    purchase = [c for c in fbq_queue if c[:2] == ["track", "Purchase"]]
    assert len(purchase) == 1 and purchase[0][3] == {"eventID": tx} and purchase[0][2]["value"] == 1980
    assert page.evaluate("window._ltq.filter(a => a[0] === 'send' && a[1] === 'cv' && a[2].type === 'Purchase')"
                         ".map(a => a[2].value)") == [1980]
    url = page.url
    for _ in range(2):
        page.reload()
        assert page.url == url
        assert page.evaluate("window.dataLayer.filter(e => e.event === 'purchase').length") == 0
        assert page.evaluate("window.fbq.queue.filter(a => a[1] === 'Purchase').length") == 0
        guard.assert_clean("reload")
    # ...and the same order id arriving again in a new visit (the browser kept localStorage) is ignored too
    page.goto(url)
    assert page.evaluate("window.dataLayer.filter(e => e.event === 'purchase').length") == 0
    assert [e["event"] for e in v.layer()].count("purchase") == 1
