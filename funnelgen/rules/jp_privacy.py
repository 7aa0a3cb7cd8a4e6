"""個人情報保護法, 特定電子メール法 and 電気通信事業法 for Japanese sites (on for language: ja, or
site.audience: [jp]).

What happens to the visitor's data: the purpose of use next to every form (個人情報保護法21条), consent to
marketing email (特定電子メール法3条), the privacy policy's required sections (個人情報保護法32条) and its
外部送信 notice for tracking tags (電気通信事業法27条の12). They all check the forms and the privacy page.
"""

from __future__ import annotations

import re

from ..tracking import privacy_recipients
from .jp_tokushoho import CORPORATE
from .registry import audience_rule

jp_rule = audience_rule("jp")  # only for Japanese sites (language: ja or audience: [jp])


def _compact(text: str) -> str:
    return re.sub(r"[\s　・]", "", text or "")


# -- 個人情報保護法 / 特定電子メール法 -----------------------------------------------

PURPOSE_WHY = ("個人情報保護法21条: the purpose of use must be shown before personal data is entered, next to the "
               "form, with the privacy policy one click away.")


@jp_rule("jp.form-purpose", why=PURPOSE_WHY)
def form_purpose(ctx):
    """Every form states the purpose of use and links the privacy policy next to its button."""
    used = {s.form_id for s in ctx.site.steps.values() if s.form_id}
    for fid in sorted(used):
        form = ctx.site.forms.get(fid)
        if form and not form.purpose:
            yield ctx.warn(ctx.cfg, f"form '{fid}' has no purpose: the page only refers to the privacy policy",
                           key=f"forms.{fid}.purpose", line=form.line,
                           hint="Add purpose: saying what this form's data is used for.")


@jp_rule("jp.form-purpose", html=True, why=PURPOSE_WHY)
def form_purpose_shown(ctx, page):
    """Each form on a page shows its purpose and links the privacy policy."""
    for form in page.doc.find("form"):
        file = ctx.page_file(page)
        purpose = [e for e in form.find() if e.has_class("purpose") and e.text]
        privacy = form.find("a", lambda e: (e.get("href") or "").split("#")[0] == ctx.privacy_url)
        if not purpose:
            yield ctx.error(file, f"form on {page.url} does not state the purpose of use",
                            hint="Set forms.<id>.purpose and keep it in partials/form.html.")
        if not privacy:
            yield ctx.error(file, f"form on {page.url} has no link to the privacy policy next to its button",
                            hint="Keep the privacy link inside the form (partials/form.html).")


SENT_WORDS = re.compile(r"メール|メルマガ|ニュースレター|LINE|ご案内|お知らせ|配信|newsletter|e-?mail", re.I)


CONSENT_WHY = ("特定電子メール法3条: marketing email needs prior consent to a named sender and a stated kind of "
               "mail; a pre-ticked box is not consent.")


@jp_rule("jp.consent-text", why=CONSENT_WHY)
def consent_text(ctx):
    """Opt-in consent text names the sender and what will be sent; consent boxes are never pre-ticked."""
    legal = ctx.site.legal
    names = [legal.seller, legal.business_name, legal.representative,
             ctx.site.settings.title]
    names = [_compact(n) for n in names if n]
    names += [_compact(CORPORATE.sub("", n)) for n in names]
    forms = {s.form_id for s in ctx.site.steps.values() if s.traits.collects_email and s.form_id}
    for fid in sorted(forms):
        form = ctx.site.forms.get(fid)
        if form is None or not form.consent:
            continue
        text = _compact(form.consent)
        key, line = f"forms.{fid}.consent", form.line
        if not any(n and n in text for n in names):
            yield ctx.warn(ctx.cfg, f"consent text of form '{fid}' does not name the sender", key=key, line=line,
                            hint=f"Say who sends the mail, e.g. 「{legal.seller}から…」.")
        if not SENT_WORDS.search(form.consent):
            yield ctx.warn(ctx.cfg, f"consent text of form '{fid}' does not say what will be sent", key=key, line=line,
                            hint="Say what you will send: メールマガジン, セミナーのご案内 ….")


@jp_rule("jp.consent-text", html=True, why=CONSENT_WHY)
def consent_boxes(ctx, page):
    """Consent boxes on a page are never pre-ticked."""
    for box in page.doc.find("input", lambda e: e.get("type") == "checkbox" and "checked" in e.attrs):
        if box.closest(lambda e: e.tag == "form") is not None:
            yield ctx.error(ctx.page_file(page), f"checkbox '{box.get('name')}' on {page.url} is pre-ticked",
                            hint="Consent boxes must start unticked.")


PRIVACY_SECTIONS = {
    "ja": (("事業者", r"事業者"), ("利用目的", r"利用目的"), ("第三者提供", r"第三者"), ("安全管理措置", r"安全管理"),
           ("開示等のご請求・苦情の窓口", r"開示|お問い合わせ|苦情")),
    "en": (("Who we are", r"who we are"), ("Purposes", r"use it for|purpose"), ("Sharing", r"shar|third"),
           ("Security", r"secur"), ("Requests and contact", r"request|contact")),
}


PRIVACY_WHY = ("個人情報保護法32条 (2022): the business name, address, representative, purposes, request procedure, "
               "complaint contact and security measures must be published; 28条: data sent abroad names the country.")


@jp_rule("jp.privacy-sections", why=PRIVACY_WHY)
def privacy_recipients_known(ctx):
    """Every service that receives the site's personal data is named with its country."""
    from ..recipients import data_recipients

    for r in data_recipients(ctx.site, "ja"):
        if not r["country"]:
            yield ctx.warn(ctx.cfg, f"the privacy policy cannot say who '{r['host']}' is or where it processes the "
                                    "personal data your form sends there", key="legal.privacy.recipients",
                           line=ctx.line_of("legal.privacy"),
                           hint=f"Add it under legal.privacy.recipients: {{name: …, country: 日本, host: {r['host']}}}.")


@jp_rule("jp.privacy-sections", html=True, why=PRIVACY_WHY)
def privacy_sections(ctx, page):
    """The privacy page has every required section: who, purposes, sharing, security, requests and complaints."""
    if page.role != "privacy":
        return
    heads = " / ".join(h.text for h in page.doc.find("h2"))
    lang = "ja" if ctx.site.language == "ja" else "en"
    for name, pattern in PRIVACY_SECTIONS[lang]:
        if not re.search(pattern, heads, re.I):
            yield ctx.error(page.url, f"the privacy policy has no '{name}' section", hint="Restore it in privacy.html.")
    text = page.doc.text
    for key in ("seller", "address", "representative"):
        if getattr(ctx.site.legal, key) and str(getattr(ctx.site.legal, key)) not in text:
            yield ctx.error(page.url, f"the privacy policy does not show legal.{key}")
    for purpose in ctx.site.legal.privacy.purposes:
        if purpose not in text:
            yield ctx.error(page.url, f"the privacy policy does not list the purpose '{purpose}'")
    from ..recipients import data_recipients

    for r in data_recipients(ctx.site, lang):
        if r["name"] not in text:
            yield ctx.error(page.url, f"the privacy policy does not name '{r['name']}', which receives personal data",
                            hint="Keep the recipients table of privacy.html.")


@jp_rule("jp.external-transmission", html=True,
         why="電気通信事業法27条の12: sites that send visitor data to tag vendors must say to whom, what and why.")
def external_transmission(ctx, page):
    """The privacy page lists every enabled tracking vendor and embedded video host in the 外部送信 notice."""
    if page.role != "privacy":
        return
    from ..recipients import embedded_video_recipients

    lang = "ja" if ctx.site.language == "ja" else "en"
    vendors = [r["name"] for r in privacy_recipients(ctx.site.tracking, lang) + embedded_video_recipients(ctx.site, lang)]
    if not vendors:
        return
    section = [h for h in page.doc.find("h2") if h.get("id") == "external"]
    text = page.doc.text
    if not section:
        yield ctx.error(page.url, "the privacy page has no 外部送信 notice for the enabled tracking tags",
                        hint="Keep the external-transmission table in privacy.html.")
        return
    for name in vendors:
        if name not in text:
            yield ctx.error(page.url, f"the 外部送信 notice does not list {name}")
