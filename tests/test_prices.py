from decimal import Decimal

from funnelgen.model import Offer
from funnelgen.prices import money, price_label, tracking_value


def offer(**kw):
    base = dict(id="o", name="講座", price=Decimal("1980"), currency="JPY", tax="included",
                tax_rate=Decimal("0.10"), checkout="https://buy.stripe.com/x")
    base.update(kw)
    return Offer(**base)


def test_japanese_yen_is_tax_inclusive_with_separator():
    assert price_label(offer(), "ja") == "1,980円（税込）"


def test_tax_exclusive_price_is_converted_and_rounded_down():
    o = offer(price=Decimal("4528"), tax="excluded")
    assert o.gross == Decimal("4980")  # 4,980.8 rounded down
    assert price_label(o, "ja") == "4,980円（税込）"
    assert tracking_value(o) == 4980 and isinstance(tracking_value(o), int)


def test_english_dollars_and_yen():
    assert money(Decimal("19"), "USD", "en") == "$19"
    assert money(Decimal("19.5"), "USD", "en") == "$19.50"
    assert money(Decimal("1980"), "JPY", "en") == "¥1,980 (tax incl.)"


def test_usd_tax_exclusive_keeps_cents():
    o = offer(price=Decimal("10"), currency="USD", tax="excluded", tax_rate=Decimal("0.0725"))
    assert o.gross == Decimal("10.72")
    assert tracking_value(o) == 10.72


def test_fixed_term_subscription_shows_total():
    o = offer(price=Decimal("49800"), billing={"interval": "month", "count": 6})
    assert price_label(o, "ja") == "月額49,800円（税込）×6回（総額298,800円（税込））"
    assert "per month × 6 (total ¥298,800 (tax incl.))" in price_label(o, "en")


def test_open_ended_subscription_and_trial_say_so():
    o = offer(price=Decimal("980"), billing={"interval": "month"}, trial_days=14)
    text = price_label(o, "ja")
    assert text.startswith("14日間の無料お試し") and "自動更新" in text
    assert tracking_value(o) == 0  # nothing is charged today
