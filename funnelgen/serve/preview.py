"""Walk the whole funnel locally: form capture, a test checkout and a dashboard.

Everything here happens at serve time only; the built pages (and the deploy
output) never change:

- Netlify form posts (`POST /next-step/` with `form-name`) are captured the
  way Netlify would, appended to `<SRC>/.funnelgen/submissions.jsonl`, then
  303-redirected to the form's action, which is the next step.
- `provider: post` forms get their action rewritten to `/_fg/form/<id>`,
  which captures and redirects to the `redirect_field` value (made local) or
  the next step.
- Checkout buttons (`a[data-fg-checkout]`) point to `/_fg/checkout/<offer>`:
  a 最終確認画面 with the order terms, a pay button and a cancel link. Paying
  redirects to the offer's success URL with a test transaction id, so the
  purchase event fires as after a real payment.
- `/_fg/` lists funnels, steps, offers, forms, the funnel map and the captured
  submissions.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from html import escape, unescape
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from ..build import CACHE_DIR
from .server import RESERVED, Request, Response

SUBMISSIONS = "submissions.jsonl"
ORDERS = "test-orders.jsonl"

WORDS = {
    "ja": {
        "confirm_title": "ご注文内容の確認",
        "test_note": "プレビュー用のテスト決済です。実際の請求は発生しません（本番では決済サービスの画面に進みます）。",
        "pay": "注文を確定する",
        "cancel": "キャンセルして戻る",
        "total": "お支払い総額",
        "first_charge": "初回のお支払い",
        "trial": "{days}日間の無料お試し期間のあとに課金されます。",
        "no_success": "この商品には決済後に進むページがありません（この商品を売るステップに next/accept を設定してください）。",
        "until_cancelled": "解約されるまで継続して課金されます",
    },
    "en": {
        "confirm_title": "Review your order",
        "test_note": "Test checkout for the preview: no real payment is taken (in production the payment provider's page opens).",
        "pay": "Place order",
        "cancel": "Cancel and go back",
        "total": "Total",
        "first_charge": "First charge",
        "trial": "You are charged after a {days}-day free trial.",
        "no_success": "No page follows payment for this offer (set next/accept on the step that sells it).",
        "until_cancelled": "charged until you cancel",
    },
}

_CHECKOUT_A = re.compile(r"<a\b[^>]*\sdata-fg-checkout\b[^>]*>", re.I)
_FORM = re.compile(r"<form\b[^>]*\sdata-fg-form=\"([^\"]*)\"[^>]*>", re.I)
_OFFER_ATTR = re.compile(r'\sdata-fg-offer="([^"]*)"')
_HREF = re.compile(r'(?<=\s)href="[^"]*"')
_ACTION = re.compile(r'(?<=\s)action="[^"]*"')


def local_path(path: str) -> str:
    """`path` when it is a same-site path ('/x/'), else '' (no open redirects)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return ""
    return path


class PreviewApp:
    def __init__(self, builder, src: Path):
        self.builder = builder
        self.cache = Path(src) / CACHE_DIR
        self._write_lock = threading.Lock()
        self.decorate = lambda html: html  # set by the session: injects the reload client
        self.status = lambda: {}  # set by the session: last build state

    @property
    def site(self):
        return self.builder.site

    # -- serve-time rewrites ------------------------------------------------------------
    def rewrite_html(self, html: str, path: str) -> str:
        site = self.site
        if site is None:
            return html

        def checkout(m: re.Match) -> str:
            tag = m.group(0)
            offer = _OFFER_ATTR.search(tag)
            if not offer:
                return tag
            href = f"{RESERVED}checkout/{quote(unescape(offer.group(1)), safe='')}?from={quote(path, safe='/')}"
            return _HREF.sub(f'href="{escape(href)}"', tag, count=1)

        def form(m: re.Match) -> str:
            spec = site.forms.get(unescape(m.group(1)))
            if spec is None or spec.provider != "post":
                return m.group(0)
            return _ACTION.sub(f'action="{RESERVED}form/{quote(spec.id, safe="")}"', m.group(0), count=1)

        return _FORM.sub(form, _CHECKOUT_A.sub(checkout, html))

    # -- routes -------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response | None:
        """`/_fg/...` routes (except the event stream, which the server owns)."""
        rest = req.path[len(RESERVED):]
        head, _, arg = rest.partition("/")
        if self.site is None and rest != "status":
            return Response.html(self.decorate("<!doctype html><title>funnelgen preview</title>"
                                               "<body><p>The site has not been built yet.</p></body>"), 503)
        if rest == "" and req.method in ("GET", "HEAD"):
            return Response.html(self.decorate(self.dashboard()))
        if rest == "status" and req.method in ("GET", "HEAD"):
            body = json.dumps(self.status(), ensure_ascii=False).encode("utf-8")
            return Response(200, body, "application/json")
        if head == "checkout" and arg and req.method in ("GET", "HEAD"):
            return self.checkout_page(arg, local_path(req.arg("from")))
        if head == "pay" and arg:
            if req.method != "POST":
                return Response(405, b"use the pay button\n", "text/plain; charset=utf-8", {"Allow": "POST"})
            return self.pay(arg, req)
        if head == "form" and arg:
            if req.method != "POST":
                return Response(405, b"forms are posted\n", "text/plain; charset=utf-8", {"Allow": "POST"})
            return self.capture_post_form(arg, req)
        return None

    def handle_post(self, req: Request) -> Response | None:
        """A POST to a page path: capture it when it is a Netlify form's action (or names one)."""
        site = self.site
        if site is None:
            return None
        actions = self.netlify_actions()
        if req.path not in actions:  # only real form actions: no fake captures, no redirects elsewhere
            return None
        fields, error = parse_body(req)
        if error:
            return error
        name = first(fields, "form-name")
        form = site.forms.get(name) if name else None
        if form is None or form.provider != "netlify":
            form = site.forms[actions[req.path]]
        self.record(form, fields, req.path, req.path)
        return Response.redirect(req.path)

    def netlify_actions(self) -> dict[str, str]:
        """Page path a Netlify form posts to (its next step) -> form id."""
        site, actions = self.site, {}
        for step in site.steps.values():
            if step.form and step.form.provider == "netlify":
                nxt = site.steps.get(step.edges.get("next", ""))
                actions.setdefault(nxt.url if nxt else site.prefix, step.form.id)
        return actions

    def capture_post_form(self, form_id: str, req: Request) -> Response:
        site = self.site
        form = site.forms.get(form_id)
        if form is None:
            return Response.text(f"unknown form '{form_id}'", 404)
        fields, error = parse_body(req)
        if error:
            return error
        target = ""
        if form.redirect_field:
            target = self.localize(first(fields, form.redirect_field))
        if not target:
            step = site.steps.get(first(fields, form.wire_name("fg_step")))
            if step is None or step.form_id != form.id:
                step = next((s for s in site.steps.values() if s.form_id == form.id), None)
            nxt = site.steps.get(step.edges.get("next", "")) if step else None
            target = nxt.url if nxt else site.prefix
        self.record(form, fields, req.path, target)
        return Response.redirect(target)

    def localize(self, url: str) -> str:
        """A URL on the site's own base_url becomes a local path; other hosts are refused."""
        if not url:
            return ""
        if local_path(url):
            return url
        base, parts = urlsplit(self.site.settings.base_url), urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc == base.netloc:
            return local_path(parts.path + (f"?{parts.query}" if parts.query else "")) or ""
        return ""

    # -- captured data ------------------------------------------------------------------------
    def record(self, form, fields: dict[str, list[str]], path: str, redirect: str) -> None:
        flat = {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "form": form.id, "provider": form.provider,
            "step": flat.get(form.wire_name("fg_step")), "funnel": flat.get(form.wire_name("fg_funnel")),
            "path": path, "redirect": redirect, "spam": bool(first(fields, form.honeypot)
                                                           or first(fields, form.wire_name(form.honeypot))),
            "fields": flat,
        }
        self.append(SUBMISSIONS, entry)

    def append(self, name: str, entry: dict) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._write_lock:
            try:
                self.cache.mkdir(exist_ok=True)
                ignore = self.cache / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# funnelgen's local cache: never commit\n*\n", encoding="utf-8")
                with open(self.cache / name, "a", encoding="utf-8") as fh:
                    fh.write(line)
            except OSError as exc:  # read-only site folder: keep walking the funnel anyway
                import sys

                print(f"funnelgen serve: could not save to {self.cache / name}: {exc.strerror}", file=sys.stderr)

    def read(self, name: str, limit: int = 50) -> list[dict]:
        path = self.cache / name
        try:
            with open(path, "rb") as fh:
                fh.seek(0, 2)
                size = fh.tell()
                fh.seek(max(0, size - 2_000_000))
                lines = fh.read().decode("utf-8", errors="replace").splitlines()
        except OSError:
            return []
        out = []
        for line in reversed(lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
            if len(out) >= limit:
                break
        return out

    # -- test checkout --------------------------------------------------------------------------
    def success_path(self, offer) -> str | None:
        """The offer's success URL made local, with a test transaction id."""
        from ..urls import add_query

        url = self.site.success_url(offer)
        if not url:
            return None
        parts = urlsplit(url)
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        tx = f"cs_test_fg_{secrets.token_hex(8)}"
        if "{CHECKOUT_SESSION_ID}" in local:
            return local.replace("{CHECKOUT_SESSION_ID}", tx)
        return add_query(local, {"transaction_id": tx})

    def checkout_page(self, offer_id: str, back: str) -> Response:
        from ..i18n import LABELS
        from ..prices import money, price_label

        site = self.site
        offer = site.offers.get(offer_id)
        if offer is None:
            return Response.text(f"unknown offer '{offer_id}'", 404)
        lang = site.language
        t, w, legal = LABELS[lang], WORDS[lang], site.legal
        rows = [(t["item"], offer.name), (t["quantity"], offer.quantity or "1"),
                (t["price"], price_label(offer, lang))]
        if offer.billing:
            n = offer.charges
            rows.append((t["billing_terms"], t["fixed_term"].format(count=n) if n else t["auto_renew"]))
            total = (money(offer.total, offer.currency, lang) if n
                     else f"{money(offer.gross, offer.currency, lang)} ({w['until_cancelled']})")
        else:
            total = money(offer.gross, offer.currency, lang)
        rows.append((w["total"], total))
        if offer.trial_days:
            rows.append((w["first_charge"], w["trial"].format(days=offer.trial_days)))
        rows += [(t["payment_methods"], offer.payment_methods or legal.payment_methods),
                 (t["payment_timing"], offer.payment_timing or legal.payment_timing),
                 (t["delivery"], offer.delivery or legal.delivery_timing),
                 (t["cancellation"], offer.cancellation or legal.returns)]
        table = "".join(f'<tr><th scope="row">{escape(k)}</th><td>{escape(str(v))}</td></tr>' for k, v in rows)
        back = back or site.prefix
        warn = "" if self.site.success_url(offer) else f'<p class="note">{escape(w["no_success"])}</p>'
        body = (
            f'<section class="wrap order" id="order"><p class="note small" data-fg-test>{escape(w["test_note"])}</p>'
            f'<h1>{escape(w["confirm_title"])}</h1>{warn}'
            f'<table class="facts summary" data-fg-offer="{escape(offer.id)}">{table}</table>'
            f'<p class="small"><a href="{escape(site.prefix)}legal/">{escape(t["legal"])}</a></p>'
            f'<form method="POST" action="{RESERVED}pay/{quote(offer.id, safe="")}">'
            f'<input type="hidden" name="from" value="{escape(back)}">'
            f'<button class="btn" type="submit">{escape(w["pay"])}</button></form>'
            f'<p class="decline"><a href="{escape(back)}" data-fg-cancel>{escape(w["cancel"])}</a></p></section>')
        return Response.html(self.decorate(self.page(f'{w["confirm_title"]}: {offer.name}', body)))

    def pay(self, offer_id: str, req: Request) -> Response:
        site = self.site
        offer = site.offers.get(offer_id)
        if offer is None:
            return Response.text(f"unknown offer '{offer_id}'", 404)
        fields, error = parse_body(req)
        if error:
            return error
        target = self.success_path(offer)
        self.append(ORDERS, {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "offer": offer.id,
                             "from": local_path(first(fields, "from")), "redirect": target})
        return Response.redirect(target or local_path(first(fields, "from")) or site.prefix)

    # -- pages ------------------------------------------------------------------------------------
    def page(self, title: str, body: str) -> str:
        site = self.site
        renderer = getattr(self.builder.prep, "renderer", None)
        css = str(renderer.css) if renderer is not None else ""
        accent = site.settings.accent_color
        return (f'<!doctype html><html lang="{escape(site.language)}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                '<meta name="robots" content="noindex, nofollow">'
                f"<title>{escape(title)}</title><style>:root{{--accent:{escape(accent)}}}{css}"
                ".dash table{border-collapse:collapse;width:100%;font-size:.9rem;margin:0 0 1.5rem}"
                ".dash th,.dash td{border:1px solid #e5e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}"
                ".dash code,.dash pre{font-size:.85rem;white-space:pre-wrap;word-break:break-all}"
                ".dash .wrap{max-width:72rem}</style></head>"
                f'<body class="fg-preview"><main id="main">{body}</main></body></html>')

    def dashboard(self) -> str:
        site, status = self.site, self.status()
        e = escape

        def link(url: str) -> str:
            return f'<a href="{e(url)}">{e(url)}</a>'

        parts = [f'<div class="wrap"><h1>funnelgen preview: {e(site.settings.title)}</h1>']
        state = "ok" if status.get("ok", True) else "failed"
        parts.append(f'<p>Build #{status.get("build", 0)}: <strong>{state}</strong>. Source: <code>{e(str(site.src))}'
                     f'</code>. Submissions: <code>{e(str(self.cache / SUBMISSIONS))}</code></p>')
        for p in status.get("problems", []):
            parts.append(f'<pre class="note">{e(p["text"])}</pre>')
        parts.append("<h2>Funnels</h2>")
        for fid, funnel in site.funnels.items():
            parts.append(f"<h3>{e(funnel.title)} <code>{e(fid)}</code></h3>")
            parts.append(self._steps_table([site.steps[s] for s in funnel.step_ids if s in site.steps]))
        loose = [s for s in site.steps.values() if not s.funnels]
        if loose:
            parts.append(f"<h2>Other pages ({len(loose)})</h2>")
            parts.append(self._steps_table(loose[:500]))
        parts.append("<h2>Funnel map</h2><pre data-fg-map>" + e(self.funnel_map()) + "</pre>")
        parts.append("<h2>Offers</h2><table><tr><th>Offer</th><th>Price</th><th>Test checkout</th>"
                     "<th>Checkout (production)</th><th>After payment (production)</th></tr>")
        for offer in site.offers.values():
            from ..prices import price_label

            parts.append(f"<tr><td><code>{e(offer.id)}</code><br>{e(offer.name)}</td>"
                         f"<td>{e(price_label(offer, site.language))}</td>"
                         f'<td><a href="{RESERVED}checkout/{quote(offer.id, safe="")}">test checkout</a></td>'
                         f"<td>{e(offer.checkout or '—')}</td><td>{e(site.success_url(offer) or '—')}</td></tr>")
        parts.append("</table><h2>Forms</h2><table><tr><th>Form</th><th>Provider</th><th>Fields</th>"
                     "<th>Posts to</th></tr>")
        for form in site.forms.values():
            parts.append(f"<tr><td><code>{e(form.id)}</code></td><td>{e(form.provider)}</td>"
                         f"<td>{e(', '.join(f.name for f in form.fields))}</td>"
                         f"<td>{e(form.action or 'the next step (captured locally)')}</td></tr>")
        parts.append("</table>")
        subs = self.read(SUBMISSIONS)
        parts.append(f"<h2>Captured submissions ({len(subs)} latest)</h2>")
        if subs:
            parts.append("<table><tr><th>Time</th><th>Form</th><th>Step</th><th>Fields</th></tr>")
            for s in subs:
                spam = " (spam)" if s.get("spam") else ""
                parts.append(f"<tr><td>{e(str(s.get('time', '')))}</td><td>{e(str(s.get('form', '')))}{spam}</td>"
                             f"<td>{e(str(s.get('step') or ''))}</td>"
                             f"<td><code>{e(json.dumps(s.get('fields', {}), ensure_ascii=False))}</code></td></tr>")
            parts.append("</table>")
        else:
            parts.append("<p>None yet: submit a form on any page.</p>")
        orders = self.read(ORDERS)
        if orders:
            parts.append(f"<h2>Test orders ({len(orders)} latest)</h2><table>"
                         "<tr><th>Time</th><th>Offer</th><th>Returned to</th></tr>")
            for o in orders:
                parts.append(f"<tr><td>{e(str(o.get('time', '')))}</td><td>{e(str(o.get('offer', '')))}</td>"
                             f"<td>{e(str(o.get('redirect') or ''))}</td></tr>")
            parts.append("</table>")
        parts.append("</div>")
        return self.page("funnelgen preview", f'<div class="dash">{"".join(parts)}</div>')

    def _steps_table(self, steps) -> str:
        e = escape
        rows = ["<table><tr><th>Step</th><th>Kind</th><th>URL</th><th>Offer</th><th>Form</th><th>Goes to</th></tr>"]
        for s in steps:
            edges = ", ".join(f"{k} → {v}" for k, v in s.edges.items()) or ("(final)" if s.final else "—")
            rows.append(f"<tr><td><code>{e(s.id)}</code></td><td>{e(s.kind)}</td>"
                        f'<td><a href="{e(s.url)}">{e(s.url)}</a></td><td>{e(s.offer_id or "")}</td>'
                        f'<td>{e(s.form_id or "")}</td><td>{e(edges)}</td></tr>')
        rows.append("</table>")
        return "".join(rows)

    def funnel_map(self) -> str:
        """A text drawing of each funnel: steps in order, with every edge and what it sells."""
        site, lines = self.site, []
        for fid, funnel in site.funnels.items():
            lines.append(f"{funnel.title} [{fid}]")
            for sid in funnel.step_ids:
                step = site.steps.get(sid)
                if step is None:
                    continue
                what = f" sells {step.offer_id}" if step.offer_id else ""
                what += f" form {step.form_id}" if step.form_id else ""
                lines.append(f"  {step.id} ({step.kind}{what})  {step.url}")
                for edge, target in step.edges.items():
                    lines.append(f"      --{edge}--> {target}")
            lines.append("")
        return "\n".join(lines)


def first(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[0]


def parse_body(req: Request) -> tuple[dict[str, list[str]], Response | None]:
    """Form fields from an urlencoded, multipart or JSON body (the server bounded its size)."""
    ctype = req.headers.get("Content-Type", "") or ""
    kind = ctype.split(";")[0].strip().lower()
    try:
        if kind in ("application/x-www-form-urlencoded", ""):
            return parse_qs(req.body.decode("utf-8"), keep_blank_values=True), None
        if kind == "multipart/form-data":
            return _multipart(ctype, req.body), None
        if kind == "application/json":
            data = json.loads(req.body.decode("utf-8") or "{}")
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {str(k): [v if isinstance(v, str) else json.dumps(v)] for k, v in data.items()}, None
    except (UnicodeDecodeError, ValueError):
        return {}, Response.text("could not read the form data", 400)
    return {}, Response.text(f"unsupported form encoding '{kind}'", 415)


def _multipart(ctype: str, body: bytes) -> dict[str, list[str]]:
    from email.parser import BytesParser
    from email.policy import HTTP

    msg = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode("latin-1") + body)
    if not msg.is_multipart():
        raise ValueError("not multipart")
    fields: dict[str, list[str]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        value = f"<file {filename}: {len(payload)} bytes>" if filename else payload.decode("utf-8", errors="replace")
        fields.setdefault(str(name), []).append(value)
    return fields
