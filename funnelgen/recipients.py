"""Who else receives the personal data a funnel collects, for the privacy policy: the service that stores the
form submissions, the email service a form posts to, the payment provider of each checkout, and whatever the
site declares under legal.privacy.recipients — each with its country, since personal data going abroad must
be disclosed with the country (個人情報保護法28条; the PPC's country information:
https://www.ppc.go.jp/personalinfo/legal/kaiseihogohou/#gaikoku).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .plans import sells

US = {"ja": "米国", "en": "United States"}
JAPAN = {"ja": "日本", "en": "Japan"}
# host (or host suffix after a dot) -> (names by language, country, what it receives)
KNOWN = {
    "buy.stripe.com": ({"ja": "Stripe, Inc.", "en": "Stripe, Inc."}, US, "payment"),
    "checkout.stripe.com": ({"ja": "Stripe, Inc.", "en": "Stripe, Inc."}, US, "payment"),
    "netlify": ({"ja": "Netlify, Inc.", "en": "Netlify, Inc."}, US, "form"),
    "app.kit.com": ({"ja": "Kit (ConvertKit)", "en": "Kit (ConvertKit)"}, US, "form"),
    "app.convertkit.com": ({"ja": "Kit (ConvertKit)", "en": "Kit (ConvertKit)"}, US, "form"),
    "list-manage.com": ({"ja": "Intuit Mailchimp", "en": "Intuit Mailchimp"}, US, "form"),
    "formspree.io": ({"ja": "Formspree, Inc.", "en": "Formspree, Inc."}, US, "form"),
    "myasp.jp": ({"ja": "株式会社ヒューマンリンク（MyASP）", "en": "Humanlink Co., Ltd. (MyASP)"}, JAPAN, "form"),
    "utage-system.com": ({"ja": "UTAGE", "en": "UTAGE"}, JAPAN, "form"),
}
WHAT = {
    "form": {"ja": "フォームにご入力いただいた情報（受付・保存・メール配信）",
             "en": "what you enter in our forms (receiving, storing, sending our emails)"},
    "payment": {"ja": "決済に必要な情報（お名前・メールアドレス・カード情報等。決済画面でご本人が入力）",
                "en": "what you enter on the payment page (name, email, card details)"},
}


def _known(host: str):
    host = host.lower()
    for key, value in KNOWN.items():
        if host == key or host.endswith("." + key):
            return value
    return None


def data_recipients(site, language: str) -> list[dict]:
    """[{name, country, what, host}] in a stable order; `country` is "" when funnelgen cannot know it (the
    privacy check then asks the site to declare the recipient)."""
    found: dict[str, dict] = {}

    def add(host: str, kind: str) -> None:
        known = _known(host)
        if known is None:
            found.setdefault(host, {"name": host, "country": "", "what": WHAT[kind][language], "host": host})
            return
        names, country, what = known
        found.setdefault(names[language], {"name": names[language], "country": country[language],
                                           "what": WHAT[what][language], "host": host})

    for form in site.forms.values():
        if not any(step.form_id == form.id for step in site.steps.values()):
            continue
        add("netlify" if form.provider == "netlify" else urlsplit(form.action or "").netloc, "form")
    for offer in site.offers.values():
        sold = any(sells(step, offer.id) and step.sells_by_checkout for step in site.steps.values())
        if sold and offer.checkout:
            add(urlsplit(offer.checkout).netloc, "payment")
    declared = [{"name": r["name"], "country": r.get("country") or "", "what": r.get("purpose") or "",
                 "host": r.get("host") or ""} for r in (site.legal.privacy.recipients or ())]
    covered = {r["name"] for r in declared} | {r["host"] for r in declared if r["host"]}
    return [r for r in found.values() if r["name"] not in covered and r["host"] not in covered] + declared


def japanese_date(iso: str, language: str) -> str:
    """`2026-11-01` -> 「2026年11月1日」 (en: "November 1, 2026")."""
    import datetime

    day = datetime.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日" if language == "ja" else f"{day:%B} {day.day}, {day.year}"


# Raw video players the sanitizer lets through with allow_html (funnelgen/markdown.py), by marker in the page.
RAW_PLAYERS = {"youtube-nocookie.com/embed/": "youtube", "player.vimeo.com/video/": "vimeo"}


def embedded_video_recipients(site, language: str) -> list[dict]:
    """Video hosts the pages play from — `video` blocks, `video:` front matter and (with allow_html) raw
    players — for the 外部送信 notice (電気通信事業法27条の12)."""
    from .videohosts import HOSTS, hosts_in_page

    used: set[str] = set()
    for step in site.steps.values():
        try:
            text = step.source.read_text(encoding="utf-8") if step.source else ""
        except OSError:
            continue
        used |= hosts_in_page(text, step.meta)
        if site.settings.allow_html:
            used |= {host for marker, host in RAW_PLAYERS.items() if marker in text}
    return [{"name": HOSTS[h].names[language], "country": HOSTS[h].country[language]} for h in HOSTS if h in used]
