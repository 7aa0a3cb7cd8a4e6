"""Integrity: links, forms and payment hand-offs land somewhere real; no personal data in URLs."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from ..hosts import form_name
from ..plans import sells
from .registry import rule

URL_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src",
             "video": "src", "audio": "src", "area": "href"}
_EMAIL = re.compile(r"[^@\s/?&=]+@[^@\s/?&=]+\.[A-Za-z]{2,}")
PII_PARAMS = re.compile(r"^(e-?mail|mail|mail_?address|email_?address|prefilled_email|name|first_?name|last_?name|"
                        r"full_?name|phone|tel|telephone|address|zip|postcode|sei|mei|data\[user\]\[mail\])$", re.I)
# (host, parameter) pairs that may carry personal data: the buyer's own email into the checkout form.
PII_ALLOWED = {("buy.stripe.com", "prefilled_email"), ("checkout.stripe.com", "prefilled_email")}
STRIPE_LINK = re.compile(r"^https://buy\.stripe\.com/(test_)?[A-Za-z0-9]+/?(\?.*)?$")
TEST_MARKERS = [
    (re.compile(r"^https://buy\.stripe\.com/test_"), "a Stripe test-mode payment link"),
    (re.compile(r"sandbox\.paypal\.com|[?&]env=sandbox"), "a PayPal sandbox URL"),
    (re.compile(r"squareupsandbox\.com"), "a Square sandbox URL"),
    (re.compile(r"sandbox\.komoju\.com|[?&]sandbox=true"), "a sandbox checkout URL"),
]
PUBLISHABLE_TEST_KEY = re.compile(r"\bpk_test_[A-Za-z0-9]{8,}")
SECRET_KEY = re.compile(r"\b(sk|rk)_(live|test)_[A-Za-z0-9]{8,}")


def internal_path(ctx, page_url: str, url: str) -> tuple[str, str] | None:
    """(path, fragment) when `url` points into this site; None for other sites and non-web schemes.

    The answer for a root-relative or absolute URL does not depend on the page: it is kept per context
    (the theme's links repeat on every page)."""
    if url.startswith(("/", "https:", "http:")):
        known = ctx.memo("internal_paths", dict)
        if url not in known:
            known[url] = _internal_path(ctx, page_url, url)
        return known[url]
    return _internal_path(ctx, page_url, url)


def _internal_path(ctx, page_url: str, url: str) -> tuple[str, str] | None:
    url = url.strip()
    if not url or url.startswith(("mailto:", "tel:", "line:", "javascript:", "data:")):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        base = urlsplit(ctx.site.settings.base_url)
        if parts.scheme not in ("http", "https", "") or parts.netloc != base.netloc:
            return None
    if not parts.scheme and not parts.netloc and not parts.path:
        return page_url, parts.fragment  # '#anchor' or '?query'
    full = urlsplit(urljoin(page_url, url))
    return full.path or "/", full.fragment


def step_for_path(ctx, path: str):
    steps = ctx.memo("steps_by_url", lambda: {s.url: s for s in ctx.site.steps.values()})
    return steps.get(path) or steps.get(path + "/")


def _has_url(tag: str, x) -> bool:
    """Does the element carry the URL attribute links_resolve reads (before it is wrapped)?"""
    if tag == "meta":
        return x.get("property") == "og:image" and x.get("content") is not None
    return x.get(URL_ATTRS[tag]) is not None


@rule("links.resolve", area="integrity", html=True,
      why="A broken link, image or anchor on a funnel page loses the visitor at the exact moment they act.")
def links_resolve(ctx, page):
    """Every internal link, anchor, image, script and stylesheet in the built pages resolves."""
    for el in page.doc.find_tags(*URL_ATTRS, "meta", having=_has_url):
        attr = URL_ATTRS.get(el.tag)
        if el.tag == "meta" and el.get("property") == "og:image":
            attr = "content"
        if not attr or attr not in el.attrs or el.gated:
            continue
        url = el.attrs[attr]
        target = internal_path(ctx, page.url, url)
        if target is None:
            continue
        path, frag = target
        if not ctx.exists(path):
            file, line = ctx.where(page, url)
            yield ctx.error(file, f"<{el.tag} {attr}=\"{url}\"> on {page.url} goes nowhere: "
                                  f"{path} is not part of the built site", line=line,
                            hint="Fix the path, add the file under static/, or link to a step's URL "
                                 "(/<step id>/).")
            continue
        if frag and frag not in ("top",):
            if path == page.url and frag in page.ids:
                continue  # an anchor on the page itself that is there: no source lookup
            file, line = ctx.where(page, url)  # only links with anchors pay for the source lookup
            problem = ctx.error(file, f"link '{url}' on {page.url}: no element with id '{frag}' on {path}",
                                line=line, hint="Link to an id that exists: put {#id} on its own line just "
                                                "before a heading or paragraph to give it one.")
            if ctx.anchor_missing(page, path, frag, problem):
                yield problem


@rule("forms.netlify", area="integrity", html=True,
      why="Netlify silently drops submissions of forms it cannot detect: the lead is lost and nobody notices.")
def forms_netlify(ctx, page):
    """Netlify forms: unique names, POST, hidden form-name, honeypot field, action page exists."""
    # Names are unique by construction (<form id>-<step id>, collisions refused by validate's host.forms), so
    # this rule checks each page on its own and can run page by page in parallel.
    for form in page.doc.find("form", lambda e: "data-netlify" in e.attrs or "netlify" in e.attrs):
        file = ctx.page_file(page)
        name = form.get("name", "")
        inputs = form.find("input") + form.find("textarea") + form.find("select")
        names = {i.get("name") for i in inputs if i.get("name")}
        if not name:
            yield ctx.error(file, f"Netlify form on {page.url} has no name", hint="Give the form a name=\"…\".")
            continue
        if (form.get("method") or "").upper() != "POST":
            yield ctx.error(file, f"Netlify form '{name}' on {page.url} does not use method=POST",
                            hint="Netlify only records POST submissions.")
        hidden = [i for i in inputs if i.get("name") == "form-name"]
        if not hidden or hidden[0].get("value") != name:
            yield ctx.error(file, f"Netlify form '{name}' on {page.url} has no hidden form-name input "
                                  f"with value '{name}'",
                            hint=f'Add <input type="hidden" name="form-name" value="{name}"> (the default '
                                 "form partial does).")
        trap = form.get("netlify-honeypot")
        if not trap:
            yield ctx.error(file, f"Netlify form '{name}' on {page.url} has no honeypot",
                            hint="Add netlify-honeypot=\"bot-field\" and a hidden input of that name.")
        elif trap not in names:
            yield ctx.error(file, f"Netlify form '{name}' on {page.url} declares honeypot '{trap}' "
                                  "but has no such input",
                            hint=f'Add <input name="{trap}"> inside a visually hidden element.')
        if any(i.get("type") == "file" for i in inputs) and form.get("enctype") != "multipart/form-data":
            yield ctx.error(file, f"form '{name}' uploads files but is not multipart/form-data",
                            hint='Add enctype="multipart/form-data".')
        action = form.get("action", "")
        target = internal_path(ctx, page.url, action) if action else (page.url, "")
        if target is None:
            yield ctx.error(file, f"Netlify form '{name}' posts to another site ({action})",
                            hint="Use provider: post for third-party form services.")
        elif not ctx.exists(target[0]) or step_for_path(ctx, target[0]) is None:
            yield ctx.error(file, f"form '{name}' on {page.url} sends visitors to {target[0]}, which is not a "
                                  "step of the site", hint="Point the step's next: at an existing step.")
        step = page.step
        if step is None or step.form is None or name != form_name(step.form.id, step.id):
            yield ctx.error(file, f"Netlify form '{name}' on {page.url} is not a form of site.yml placed on this "
                                  "page", hint="Netlify keeps one field list per form name: the form partial names "
                                               "each placed form <form id>-<step id> (form.name).")


@rule("forms.redirect", area="integrity", html=True,
      why="After a third-party form service accepts a lead it redirects to this URL; a wrong one ends the funnel.")
def forms_redirect(ctx, page):
    """provider: post forms: the redirect field sends visitors to a step that exists."""
    if page.step is None or page.step.form is None or page.step.form.provider != "post":
        return
    form = page.step.form
    if not form.redirect_field:
        return
    for el in page.doc.find("input", lambda e, name=form.redirect_field: e.get("name") == name):
        target = internal_path(ctx, page.url, el.get("value", ""))
        if target is None or not ctx.exists(target[0]):
            yield ctx.error(ctx.cfg, f"form '{form.id}' on {page.url} redirects to {el.get('value')!r}, which is not a page "
                                     "of this site", key=f"forms.{form.id}.redirect_field",
                            line=ctx.line_of(f"forms.{form.id}"),
                            hint="Check site.base_url and the step's next:.")


@rule("payments.success-url", area="integrity", output=True,
      why="The payment provider sends buyers to this URL; if it is missing the buyer sees a 404 right after paying.")
def success_urls(ctx):
    """Every offer sold by checkout has an after-payment URL that lands on a built step."""
    for offer in ctx.site.offers.values():
        sellers = [s for s in ctx.site.steps.values() if sells(s, offer.id) and s.sells_by_checkout]
        if not sellers or not offer.checkout:
            continue
        url = ctx.site.success_url(offer)
        key = f"offers.{offer.id}.checkout"
        if url is None:
            yield ctx.error(ctx.cfg, f"buyers of offer '{offer.id}' have no page to return to after paying",
                            key=key, line=offer.line,
                            hint=f"Give step '{sellers[0].id}' a next: (or accept:) step for buyers.")
            continue
        path = urlsplit(url).path
        if not ctx.exists(path):
            yield ctx.error(ctx.cfg, f"after-payment URL {url} of offer '{offer.id}' is not a built page",
                            key=key, line=offer.line, hint="Check site.base_url and the step the offer returns to.")


@rule("payments.checkout-url", area="integrity",
      why="A malformed payment link or an encoded {CHECKOUT_SESSION_ID} breaks checkout or purchase tracking.")
def checkout_urls(ctx):
    """Checkout URLs match their provider's pattern; session placeholders stay literal."""
    for offer in ctx.site.offers.values():
        url = offer.checkout
        if not url:
            continue
        key, line = f"offers.{offer.id}.checkout", offer.line
        if "%7BCHECKOUT_SESSION_ID%7D" in url.upper():
            yield ctx.error(ctx.cfg, "{CHECKOUT_SESSION_ID} is URL-encoded; Stripe only fills in the literal text",
                            key=key, line=line, hint="Write {CHECKOUT_SESSION_ID} with plain braces.")
        if "buy.stripe.com" in url and not STRIPE_LINK.match(url):
            yield ctx.warn(ctx.cfg, f"'{url}' does not look like a Stripe Payment Link", key=key, line=line,
                           hint="Copy the link from Stripe: https://buy.stripe.com/<id>.")
        if url.startswith("http://"):
            yield ctx.error(ctx.cfg, f"checkout URL '{url}' is not https", key=key, line=line,
                            hint="Use the https:// link your payment provider gives you.")
        if "checkout.univapay.com" in url and "amount=" in url:
            yield ctx.warn(ctx.cfg, "the amount is in the URL, where a buyer can change it", key=key, line=line,
                           hint="Fix the amount in the UnivaPay form settings instead.")


@rule("payments.test-keys", area="integrity",
      why="A test-mode link or key in production takes no money: buyers 'pay' and you never get paid.")
def test_keys(ctx):
    """No test-mode payment links or keys in a production build (warning; allowed in previews); no secret keys ever."""
    for offer in ctx.site.offers.values():
        for pattern, what in TEST_MARKERS:
            if offer.checkout and pattern.search(offer.checkout) and not ctx.preview:
                yield ctx.warn(ctx.cfg, f"offer '{offer.id}' uses {what} in a production build",
                               key=f"offers.{offer.id}.checkout", line=offer.line,
                               hint="Paste the live-mode link before going live; for a deploy preview run with "
                                    "--allow-test-keys (or FUNNELGEN_ALLOW_TEST_KEYS=1).")
    for file, key, line, text in ctx.pasted_snippets():
        if SECRET_KEY.search(text):
            yield ctx.error(file, "a secret API key is pasted into a public page", key=key, line=line,
                            hint="Remove it now and roll the key in your provider's dashboard.")
        elif PUBLISHABLE_TEST_KEY.search(text) and not ctx.preview:
            yield ctx.warn(file, "a test-mode publishable key (pk_test_…) is in a production build", key=key,
                           line=line, hint="Use the live key, or build previews with --allow-test-keys.")


def _may_carry_data(tag: str, x) -> bool:
    """A URL without a query and without an (encoded) @ carries no personal data pii_in_urls could find."""
    url = x.get(URL_ATTRS.get(tag) or "action") or ""
    return "?" in url or "@" in url or "%" in url


@rule("privacy.pii-in-urls", area="integrity", html=True,
      why="URLs end up in analytics, ad platforms and server logs; Google forbids personal data there (and APPI "
          "treats leaking it as a breach).")
def pii_in_urls(ctx, page):
    """No email, name or phone in link URLs or GET forms, except allow-listed checkout parameters."""
    for el in page.doc.find_tags(*URL_ATTRS, "form", having=_may_carry_data):
        attr = URL_ATTRS.get(el.tag) or ("action" if el.tag == "form" else None)
        url = el.attrs.get(attr or "", "")
        if not url or url.startswith(("mailto:", "tel:")):
            continue
        parts = urlsplit(url)
        host = parts.netloc.lower()
        bad = [k for k, v in parse_qsl(parts.query, keep_blank_values=True)
               if (PII_PARAMS.match(k) or _EMAIL.search(unquote(v))) and (host, k) not in PII_ALLOWED]
        if _EMAIL.search(unquote(parts.path)):
            bad.append("path")
        if bad:
            file, line = ctx.where(page, url)
            yield ctx.error(file, f"{page.url}: the URL {url!r} carries personal data ({', '.join(bad)})",
                            line=line, hint="Keep personal data out of URLs; funnel.js passes the email to the "
                                            "checkout only at click time (Stripe prefilled_email).")
    for form in page.doc.find("form"):
        method = (form.get("method") or "get").lower()
        if method != "get":
            continue
        fields = [i for i in form.find("input") + form.find("textarea")
                  if i.get("type") in ("email", "tel") or PII_PARAMS.match(i.get("name") or "")]
        if fields:
            yield ctx.error(ctx.page_file(page), f"form on {page.url} sends {fields[0].get('name')} in the URL "
                                                 "(method GET)", hint="Use method=\"POST\".")


@rule("schedule.past-event", area="integrity",
      why="A registration page for an event that has already started takes sign-ups nobody can attend; the date "
          "on the page must be real.")
def past_event(ctx):
    """Registration pages (kind: webinar) announce an event that has not started yet."""
    from ..schedule import event_date

    for step in ctx.site.steps.values():
        event = event_date(step.meta, ctx.site.language) if step.traits.event_fields else None
        if event is not None and event.starts <= ctx.now:
            yield ctx.error(ctx.page_file_of(step), f"{step.kind} step '{step.id}' announces an event that started "
                                                    f"at {step.meta.get('starts_at')}", key="starts_at",
                            hint="Set the next real date in starts_at:, or take the registration page down.")
