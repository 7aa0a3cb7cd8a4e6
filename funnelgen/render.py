"""Render stage: one HTML document per step, plus legal pages, 404, sitemap.

Everything computed here is plain data handed to the theme; templates only
lay it out. Work per page is independent, so build.py can fan it out to
worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from markupsafe import Markup

from .compact import compact_css
from .escaping import script_json
from .formfields import field_view
from .graph import entries
from .hosts import form_name
from .i18n import LABELS
from .layout import Layout
from .markdown import BlockCall, render_markdown
from .model import Site, Step
from .pagecss import prune_page_css
from .planview import bump_view, plans_view
from .planview import main_action as plans_action
from .prices import money, price_label, renewal_terms
from .recording import note_template
from .splitpage import render_split
from .tracking import UTM_FIELDS, body_start_snippets, head_snippets, page_data, return_guard_script
from .urls import absolute
from .variants import page_text, shown, static_label, view

CALENDAR_FILE = "event.ics"


@dataclass
class Rendered:
    html: str
    problems: list = field(default_factory=list)  # Problem
    variants: list = field(default_factory=list)  # a split test: (step as the variant, its own document) to check
    files: dict = field(default_factory=dict)  # output relpath -> cached file: the images the page uses


class Renderer:
    """Holds what every page shares (env, labels, snippets) so per-page work is small."""

    def __init__(self, site: Site, env, runtime_url: str, css: str):
        """`env`: a jinja2 Environment, or a function that makes one when a template is first needed."""
        self.site = site
        self._env = env
        self.lang = site.language
        self.t = LABELS[self.lang]
        self.head_tracking = Markup(head_snippets(site.tracking))
        self.body_tracking = Markup(body_start_snippets(site.tracking))
        self.runtime_url = runtime_url
        self.css = Markup(compact_css(css))
        self.entries = entries(site)
        # step id -> the dated step (webinar) whose registration form leads to it
        self.registrations = {s.edges["next"]: s for s in reversed(site.steps.values())
                              if s.traits.event_fields and s.edges.get("next")}
        self._templates: dict[str, object] = {}
        self.layout = Layout(site, self.t)
        from .media.context import Media

        self.media = Media(site)  # logo, icons, share card now: a missing file stops the build before any page

    @property
    def env(self):
        """Made on first use: a build whose pages all come from the cache renders nothing and never loads jinja2."""
        if callable(self._env):
            self._env = self._env()
        return self._env

    # -- helpers -----------------------------------------------------------
    def template(self, kind: str):
        """The kind's template: the first of its names the theme (or the site's templates/) has. Every name up
        to that one is noted as read, since a page changes when one that was missing appears (buildcache.py)."""
        if kind not in self._templates:
            from .kinds import kind as kind_named

            names = kind_named(kind).template_names()
            chosen = self.env.select_template(names)
            self._templates[kind] = chosen, names[:names.index(chosen.name) + 1]
        chosen, tried = self._templates[kind]
        for name in tried:  # (kept here, so jinja2 is not asked again: say they were used)
            note_template(name)
        return chosen

    def common(self, trackers: bool = True) -> dict:
        """What every page's template gets; `trackers=False` leaves the vendor tags out (legal pages)."""
        s = self.site
        return {
            "site": s.settings, "lang": self.lang, "t": self.t, "css": self.css, "runtime_url": self.runtime_url,
            "tracking_head": self.head_tracking if trackers else Markup(""),
            "tracking_body": self.body_tracking if trackers else Markup(""),
            "raw_head": Markup(s.tracking.get("head") or ""), "raw_body": Markup(s.tracking.get("body") or ""),
            "legal_url": f"{s.prefix}legal/", "privacy_url": f"{s.prefix}privacy/", "home_url": s.prefix,
            "seller": s.legal.shop_name, **self.media.common,
            # split tests (splitpage.py) fill these on the pages they merge
            "split_head": Markup(""), "split_css": Markup(""), "split_open": Markup(""), "split_close": Markup(""),
        }

    def offer_view(self, offer) -> dict:
        host = urlsplit(offer.checkout).netloc if offer.checkout else ""
        return {
            "id": offer.id, "name": offer.name, "price": money(offer.gross, offer.currency, self.lang),
            "price_label": price_label(offer, self.lang), "billing": offer.billing, "trial_days": offer.trial_days,
            "charges": offer.charges, "quantity": offer.quantity or "1",
            "payment_methods": offer.payment_methods or self.site.legal.payment_methods,
            "payment_timing": offer.payment_timing or self.site.legal.payment_timing,
            "delivery": offer.delivery or self.site.legal.delivery_timing,
            "cancellation": offer.cancellation or self.site.legal.returns,
            "extra_charges": offer.extra_charges or self.site.legal.extra_charges,
            "renewal": renewal_terms(offer, self.t),
            "description": offer.description, "checkout_host": host, "features": offer.features or [],
        }

    def form_view(self, step: Step) -> dict:
        form, site = step.form, self.site
        nxt = site.steps.get(step.edges.get("next", ""))
        next_url = nxt.url if nxt else site.prefix
        hidden = []  # {name: posted name, value: build-time value, key: filled by funnel.js}

        def add(key, value="", runtime=False):
            hidden.append({"name": form.wire_name(key), "value": value, "key": key if runtime else None})

        name = form_name(form.id, step.id)  # one name per placed form (Netlify needs them unique per site)
        if form.provider == "netlify":
            hidden.append({"name": "form-name", "value": name, "key": None})
            action = next_url
        else:
            action = form.action
            if form.redirect_field:
                hidden.append({"name": form.redirect_field, "value": absolute(site.settings.base_url, next_url),
                               "key": None})
        add("fg_funnel", step.funnels[0] if step.funnels else "", runtime=True)
        add("fg_step", step.id)
        add("fg_variant", static_label(step), runtime=True)  # funnel.js writes the variant a split test chose
        for key in UTM_FIELDS:
            add(key, runtime=True)
        if form.consent:
            add("fg_consent", form.consent)
        fields = [field_view(f, form.wire_name(f.name), form.id, self.t) for f in form.fields]
        return {
            "id": form.id, "name": name, "provider": form.provider, "action": action, "fields": fields, "hidden": hidden,
            "honeypot": form.wire_name(form.honeypot) if form.provider == "post" else form.honeypot,
            "consent": form.consent, "consent_checkbox": form.consent_checkbox and bool(form.consent),
            "consent_name": form.wire_name("consent"), "purpose": form.purpose,
            "button": step.meta.get("cta") or form.button or self.t[step.traits.button],
            "lead_event": step.traits.lead_event, "consent_message": self.t["err_consent"],
        }

    def main_action(self, step: Step) -> dict | None:
        """The one thing this page asks the visitor to do."""
        site, meta = self.site, step.meta
        if step.form:
            # the same words as the form's own button: a sticky bar saying 「次へ進む」 over a registration form misleads
            label = meta.get("cta") or step.form.button or self.t[step.traits.button]
            return {"type": "form", "href": f"#fg-form-{step.form.id}", "label": label}
        if step.choices:
            return plans_action(self, step)
        if step.sells_by_checkout and step.offer and step.offer.checkout:
            return {"type": "checkout", "href": step.offer.checkout, "offer": step.offer.id,
                    "label": meta.get("cta") or self.t["buy"]}
        target = site.steps.get(step.edges.get("next", ""))
        if target:
            return {"type": "next", "href": target.url, "label": meta.get("cta") or self.t["next"]}
        return None

    def block(self, step: Step, problems: list):
        """Callback for Markdown containers: render blocks/<name>.html with the inner HTML."""
        def render(call: BlockCall) -> str:
            ctx = {**self.common(), "title": call.title, "attrs": call.attrs, "content": Markup(call.inner),
                   "action": self.main_action(step),
                   "offer": self.offer_view(step.offer) if step.offer else None, "line": self.line_view()}
            if call.name == "line" and ctx["line"] is None:
                problems.append((call.line, "a line block needs site.line_url (the LINE add-friend URL)",
                                 "Add site.line_url: https://lin.ee/… in site.yml."))
            if call.name in ("video", "image", "author", "logos", "testimonial"):
                from .media.blocks import block_context

                ctx.update(block_context(self.media, call))
            if call.name == "price" and call.attrs.get("offer"):
                other = self.site.offers.get(call.attrs["offer"])
                if other is None:
                    problems.append((call.line, f"price block names unknown offer '{call.attrs['offer']}'",
                                     "Use an id from offers: in site.yml."))
                else:
                    ctx["offer"] = self.offer_view(other)
            if call.name == "price" and ctx["offer"] is None:
                problems.append((call.line, "a price block needs an offer (this step has none)",
                                 "Give the step an offer, or write ::: price offer=\"id\"."))
            return self.env.get_template(f"blocks/{call.name}.html").render(ctx)
        return render

    def line_view(self) -> dict | None:
        url = self.site.settings.line_url
        return {"href": url, "label": self.t["line_add"]} if url else None

    def event_view(self, step: Step) -> dict | None:
        """A dated step's event: its date in words, venue, and the calendar links (funnelgen/schedule.py)."""
        from .schedule import event_date, google_calendar_url

        if not step.traits.event_fields:
            return None
        event = event_date(step.meta, self.lang)
        if event is None:
            return None
        title = step.meta.get("title") or step.meta.get("headline") or step.id
        page_url = absolute(self.site.settings.base_url, step.url)
        return {"text": event.text(self.lang), "iso": event.iso(), "venue": event.venue,
                "ics_url": f"{step.url}{CALENDAR_FILE}",
                "google_url": google_calendar_url(event, title=title, url=page_url)}

    def reminder_view(self, step: Step) -> dict | None:
        """On the page a registration form leads to: the event the visitor just registered for."""
        dated = self.registrations.get(step.id)
        return self.event_view(dated) if dated is not None else None

    def extra_files(self) -> dict[str, str]:
        """Files besides the pages: one calendar file (.ics) per dated step, next to its page."""
        from .schedule import event_date, ics

        files = {}
        host = urlsplit(self.site.settings.base_url).netloc
        for step in self.site.steps.values():
            event = event_date(step.meta, self.lang) if step.traits.event_fields else None
            if event is not None:
                title = step.meta.get("title") or step.meta.get("headline") or step.id
                url = absolute(self.site.settings.base_url, step.url)
                relpath = self.site.output_path(step).replace("index.html", CALENDAR_FILE)
                files[relpath] = ics(event, uid=f"{step.id}@{host}", title=title, url=url)
        return files

    # -- pages -------------------------------------------------------------
    def render_page(self, ref) -> Rendered:
        """Render one step from its Markdown file: a live split test has every variant in it (splitpage.py)."""
        step = ref.step
        if step.split and step.split.live:
            html, problems, variants, files = render_split(self, step)
            return Rendered(prune_page_css(html), problems, variants, files)
        rendered = self.render_step(view(step, shown(step)), page_text(step, shown(step)))
        return replace(rendered, html=prune_page_css(rendered.html))

    def render_step(self, step: Step, text: str, extra: dict | None = None) -> Rendered:
        from .errors import Problem, rel

        site, meta = self.site, step.meta
        block_problems: list = []
        self.media.begin()
        md = render_markdown(text, self.block(step, block_problems), site.settings.allow_html, site.prefix,
                             image=self.media.markdown_image(step))
        file = rel(step.source) if step.source else step.page
        problems = [Problem(file, msg, line=line, hint=hint) for line, msg, hint in md.problems + block_problems]
        visuals = self.media.page(step)
        files, media_problems = self.media.finish(file)
        decline = site.steps.get(step.edges.get("decline", ""))
        action = self.main_action(step)
        layout, layout_problems = self.layout.view(step, action, self.offer_view)
        problems += [Problem(file, msg, line=line, hint=hint) for line, msg, hint in layout_problems]
        data = page_data(site, step, self.entries.get(step.id))
        ctx = {
            **self.common(),
            "step": step, "kind": step.kind, "meta": meta, "content": Markup(md.html),
            "title": meta.get("title") or meta.get("headline") or step.id,
            "headline": meta.get("headline") or meta.get("title") or "",
            "subheadline": meta.get("subheadline"), "description": meta.get("description") or site.settings.description,
            "canonical": absolute(site.settings.base_url, step.url),
            "noindex": not step.indexable,
            "og_image": meta.get("og_image"),
            "offer": self.offer_view(step.offer) if step.offer else None,
            "form": self.form_view(step) if step.form else None,
            "action": action, "layout": layout,
            "decline": {"href": decline.url, "label": meta.get("decline") or self.t["decline"]} if decline else None,
            "page_data": Markup(script_json(data)),
            # on pages buyers return to: take the provider's return parameters off the address bar first
            "return_guard": Markup(return_guard_script()) if "purchase" in data else None,
            "page_head": Markup(meta.get("head") or ""), "page_body": Markup(meta.get("body") or ""),
            "order_summary": step.traits.sells and step.offer is not None,
            "plans": plans_view(self, step), "bump": bump_view(self, step),
            "event": self.event_view(step), "reminder": self.reminder_view(step), **visuals, **(extra or {}),
        }
        html = self.template(step.kind).render(ctx)
        return Rendered(html, problems + media_problems, files=dict(files))

    def render_legal(self) -> str:
        offers = [self.offer_view(o) for o in self.site.offers.values()]
        return self.env.get_template("legal.html").render(
            {**self.common(self.site.tracking.on_legal_pages), "title": self.t["legal"], "legal": self.site.legal,
             "offers": offers,
             "noindex": False, "canonical": absolute(self.site.settings.base_url, f"{self.site.prefix}legal/")})

    def render_privacy(self) -> str:
        from .recipients import data_recipients, embedded_video_recipients, japanese_date
        from .tracking import privacy_recipients

        vendors = [r["name"] for r in privacy_recipients(self.site.tracking, self.lang)]
        vendors += [r["name"] for r in embedded_video_recipients(self.site, self.lang)]
        privacy = self.site.legal.privacy
        recipients = data_recipients(self.site, self.lang)
        home = LABELS["ja"]["country_japan"] if self.lang == "ja" else LABELS["en"]["country_japan"]
        labels = (("established", self.t["established"]), ("updated", self.t["updated"]))
        dates = [(label, japanese_date(getattr(privacy, key), self.lang)) for key, label in labels
                 if getattr(privacy, key)]
        return self.env.get_template("privacy.html").render(
            {**self.common(self.site.tracking.on_legal_pages), "title": self.t["privacy"], "legal": self.site.legal,
             "vendors": vendors, "recipients": recipients, "dates": dates,
             "abroad": any(r["country"] not in ("", home) for r in recipients),
             "noindex": False, "canonical": absolute(self.site.settings.base_url, f"{self.site.prefix}privacy/")})

    def render_404(self) -> str:
        return self.env.get_template("404.html").render(
            {**self.common(self.site.tracking.on_legal_pages), "title": self.t["not_found_title"], "noindex": True,
             "canonical": None})


def sitemap(site: Site) -> str:
    from html import escape

    # "/" is a copy of the home step whose canonical URL is the step's own, so only the step is listed.
    urls = [absolute(site.settings.base_url, s.url) for s in site.steps.values() if s.indexable]
    body = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n')


def robots(site: Site) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {absolute(site.settings.base_url, site.prefix + 'sitemap.xml')}\n"

