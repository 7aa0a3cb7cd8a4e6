"""One price helper for display *and* tracking, so the two can never differ.

Japanese law (総額表示, 消費税法63条) wants tax-inclusive prices; we always show
`Offer.gross` and send the same number as the tracking `value`.
"""

from __future__ import annotations

from decimal import Decimal

from .errors import Problem

# Digits after the decimal point of each currency's smallest unit (ISO 4217); 2 unless listed.
MINOR_UNITS = {"JPY": 0}

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "CAD": "C$", "JPY": "¥"}
INTERVAL_JA = {"week": "週", "month": "月", "year": "年"}
INTERVAL_EN = {"week": "week", "month": "month", "year": "year"}
# 「3か月」「3週間」「3年」: a commitment in the interval's own unit
PERIOD_JA = {"week": "週間", "month": "か月", "year": "年"}


def amount(value: Decimal, currency: str) -> str:
    """Digits with thousands separators and the currency's minor units."""
    digits = MINOR_UNITS.get(currency, 2)
    if digits and value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def money(value: Decimal, currency: str, language: str) -> str:
    """`1,980円（税込）` in Japanese for yen; `$19` / `¥1,980 (tax incl.)` in English."""
    if language == "ja" and currency == "JPY":
        return f"{amount(value, currency)}円（税込）"
    if language == "ja":
        return f"{SYMBOLS.get(currency, currency + ' ')}{amount(value, currency)}（税込）"
    if currency == "JPY":
        return f"¥{amount(value, currency)} (tax incl.)"
    return f"{SYMBOLS.get(currency, currency + ' ')}{amount(value, currency)}"


def price_label(offer, language: str) -> str:
    """The full, honest price line: per charge, how often, how many times, the total, any trial."""
    each = money(offer.gross, offer.currency, language)
    billing = offer.billing
    if not billing:
        return each
    interval, count, minimum = billing["interval"], billing.get("count"), billing.get("minimum")
    if language == "ja":
        text = f"{INTERVAL_JA[interval]}額{each}"
        if count:
            text += f"×{count}回（総額{money(offer.total, offer.currency, language)}）"
        elif minimum:
            text += (f"（最低{minimum}{PERIOD_JA[interval]}のご契約・最低お支払い総額"
                     f"{money(offer.gross * minimum, offer.currency, language)}、以降は解約まで自動更新）")
        else:
            text += "（解約するまで自動更新）"
        if offer.trial_days:
            text = f"{offer.trial_days}日間の無料お試し。お試し終了後は{text}"
        return text
    text = f"{each} per {INTERVAL_EN[interval]}"
    if count:
        text += f" × {count} (total {money(offer.total, offer.currency, language)})"
    elif minimum:
        text += (f", minimum {minimum} {INTERVAL_EN[interval]}s (at least "
                 f"{money(offer.gross * minimum, offer.currency, language)} in total), then renews automatically "
                 "until cancelled")
    else:
        text += ", renews automatically until cancelled"
    if offer.trial_days:
        text = f"{offer.trial_days}-day free trial, then {text}"
    return text


def renewal_terms(offer, labels: dict) -> str:
    """Whether and how a subscription ends: the sentence the order summary, the checkout button's note and the
    表記 page all show (the checks look for this exact sentence)."""
    billing = offer.billing
    if not billing:
        return ""
    if billing.get("count"):
        text = labels["fixed_term"].format(count=billing["count"])
    elif billing.get("minimum"):
        text = labels["minimum_term"].format(count=billing["minimum"])
    else:
        text = labels["auto_renew"]
    if not billing.get("cancel_by"):
        return text
    return text + (" " if text.endswith(".") else "") + billing["cancel_by"]


def tracking_value(offer) -> float | int:
    """GA4/Meta value: the tax-inclusive amount of the first charge (an integer for JPY)."""
    value = offer.gross if not offer.trial_days else Decimal(0)
    if MINOR_UNITS.get(offer.currency, 2) == 0:
        return int(value)
    return float(value)


def decimal_problems(cfg: str, oid: str, d: dict, currency: str) -> list:
    """Amounts fit the currency's minor unit: yen has none (whole numbers), the others cents."""
    digits, out = MINOR_UNITS.get(currency, 2), []
    for key in ("price", "compare_at_price"):
        value = d.get(key)
        if value is not None and -Decimal(str(value)).normalize().as_tuple().exponent > digits:
            rule = f"{currency} has no decimals: write a whole number" if not digits else f"at most {digits} decimals"
            out.append(Problem(cfg, f"{value}: {rule}", key=f"offers.{oid}.{key}", line=d.lines.get(key),
                               hint=f"Write it like: {key}: {Decimal(str(value)).quantize(Decimal(1).scaleb(-digits))}"))
    return out
