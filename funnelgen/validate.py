"""Validate stage: the funnel graph must be whole before anything is rendered.

Each rule is a small function taking the Site and yielding Problems, listed in RULES with the id,
title and reason that `funnelgen check` and docs/check.md show (a new rule is one function, one RULES
line and its docs/check.md entry).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from .errors import Problem, did_you_mean, rel
from .model import Site
from .plans import choice_problems, sold_offers
from .redirects import problems as redirect_problems

RESERVED_PATHS = ("assets", "legal", "privacy", "404.html", "sitemap.xml", "robots.txt", "_fg")


def _p(site: Site, step, key: str, message: str, hint: str = "") -> Problem:
    return Problem(rel(site.config_file), message, key=f"{step.defined_in}.{key}" if key else step.defined_in,
                   line=step.line, hint=hint)


def unknown_references(site: Site) -> Iterator[Problem]:
    for step in site.steps.values():
        for edge, target in step.edges.items():
            if target == step.id:
                yield _p(site, step, edge, f"step '{step.id}' sends visitors to itself ({edge}: {target})",
                         f"Point {edge}: at the step that comes after '{step.id}' (a form posting to its own page "
                         "loses the lead).")
            elif target not in site.steps:
                yield _p(site, step, edge, f"goes to unknown step '{target}'.{did_you_mean(target, site.steps)}",
                         "Use the id of a step defined under funnels: or pages:.")
        if step.offer_id and step.offer_id not in site.offers:
            yield _p(site, step, "offer", f"unknown offer '{step.offer_id}'.{did_you_mean(step.offer_id, site.offers)}",
                     "Define it under offers: or fix the id.")
        if step.form_id and step.form_id not in site.forms:
            yield _p(site, step, "form", f"unknown form '{step.form_id}'.{did_you_mean(step.form_id, site.forms)}",
                     "Define it under forms: or fix the id.")
    home = site.settings.home
    if home and home not in site.steps:
        yield Problem(rel(site.config_file), f"unknown step '{home}'.{did_you_mean(home, site.steps)}",
                      key="site.home", line=site.settings.lines.get("home"), hint="Name the step to show at /.")


def step_requirements(site: Site) -> Iterator[Problem]:
    for step in site.steps.values():
        traits = step.traits
        if traits.sells and not step.offer_id and not step.choice_ids:
            yield _p(site, step, "", f"{step.kind} step '{step.id}' has no offer",
                     "Add `offer: <offer id>` naming an entry of offers:.")
        if traits.needs_form and not step.form_id:
            yield _p(site, step, "", f"{step.kind} step '{step.id}' has no form",
                     "Add `form: <form id>` naming an entry of forms:.")
        if step.final:
            continue
        for edge in traits.required_edges:
            if edge not in step.edges:
                yield _p(site, step, "", f"dead end: {step.kind} step '{step.id}' has no '{edge}'",
                         f"Add `{edge}: <step id>` so visitors can go on, or `final: true` if it really ends here.")


def offers_and_forms(site: Site) -> Iterator[Problem]:
    cfg = rel(site.config_file)
    for step in site.steps.values():
        for offer in sold_offers(step) if step.sells_by_checkout else ():
            if offer.checkout:
                continue
            yield Problem(cfg, f"offer '{offer.id}' has no checkout URL but step '{step.id}' sells it",
                          key=f"offers.{offer.id}.checkout", line=offer.line,
                          hint="Add `checkout: https://buy.stripe.com/...` (your payment link), "
                               "or give the step a form (an application instead of a checkout).")
    for offer in site.offers.values():
        targets = site.success_targets(offer.id)
        if len(targets) > 1:
            sellers = "; ".join(f"{', '.join(s)} -> {t}" for t, s in targets.items())
            yield Problem(cfg, f"offer '{offer.id}' returns buyers to different steps ({sellers})",
                          key=f"offers.{offer.id}", line=offer.line,
                          hint="A payment link has one success URL: make a second offer (with its own link) "
                               "for the other path.")
        if offer.trial_days and not offer.billing:
            yield Problem(cfg, "a free trial needs billing: (what is charged after the trial)",
                          key=f"offers.{offer.id}.trial_days", line=offer.line,
                          hint="Add `billing: {interval: month}` so the page can say what happens when the trial ends.")
    for form in site.forms.values():
        names = [f.name for f in form.fields]
        key = f"forms.{form.id}"
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            yield Problem(cfg, f"field '{sorted(dupes)[0]}' is listed twice", key=f"{key}.fields", line=form.line)
        if form.provider == "post" and not form.action:
            yield Problem(cfg, "provider: post needs an action URL", key=f"{key}.action", line=form.line,
                          hint="Add `action: https://...` (the URL your email service gives for its form).")
        if form.provider == "netlify" and form.action:
            yield Problem(cfg, "provider: netlify forms post to the next step; action is only for provider: post",
                          key=f"{key}.action", line=form.line, hint="Remove action:, or set provider: post.")
    for step in site.steps.values():
        form = step.form
        if not form:
            continue
        if step.traits.collects_email:
            if "email" not in [f.name for f in form.fields]:
                yield Problem(cfg, f"form '{form.id}' of {step.kind} step '{step.id}' has no email field", key=f"forms.{form.id}.fields",
                              line=form.line, hint="Add email to fields: — an opt-in collects an address.")
            if not form.consent:
                yield Problem(cfg, f"form '{form.id}' of {step.kind} step '{step.id}' has no consent text", key=f"forms.{form.id}.consent",
                              line=form.line, hint="Add `consent:` saying who will send what (特定電子メール法 / CAN-SPAM).")
        if not step.edges.get("next"):
            yield _p(site, step, "", f"step '{step.id}' has a form but no next step to send it to",
                     "Add `next: <step id>`: the form's thank-you page.")


def host_forms(site: Site) -> Iterator[Problem]:
    """Forms must reach something on the chosen host, and each placed form has a site-unique name."""
    from .hosts import form_name, host

    cfg, target = rel(site.config_file), host(site.settings.host)
    if site.settings.csp == "report-only" and not target.headers:
        yield Problem(cfg, f"csp: report-only needs response headers, which {target.name} cannot set (a <meta> "
                      "policy is always enforced)", key="site.csp", line=site.settings.lines.get("csp"),
                      hint="Use csp: enforce (a <meta> policy), or csp: off while you try tags out.")
    for form in site.forms.values():
        if form.provider not in target.form_providers:
            yield Problem(cfg, f"provider: {form.provider} forms only work on Netlify; site.host is {target.key}, "
                          "so submissions would be lost", key=f"forms.{form.id}.provider", line=form.line,
                          hint="Set provider: post with action: <your email service's or form backend's form URL> "
                               "(docs/format.md#forms), or deploy to Netlify (site.host: netlify).")
    events = site.tracking.server_events
    if events and events != target.key:
        yield Problem(cfg, f"tracking.server_events writes a {events} function, but site.host is {target.key}: "
                      "the function would not be deployed", key="tracking.server_events",
                      line=site.tracking.lines.get("server_events"), severity="warning",
                      hint=f"Set server_events: {target.key} (if it has functions), or site.host: {events}.")
    names: dict[str, str] = {}
    for step in site.steps.values():
        if step.form:
            name = form_name(step.form.id, step.id)
            if name in names:
                yield _p(site, step, "form", f"the form name '{name}' (form-step) is also the name of the form on "
                         f"step '{names[name]}'", "Rename the step or the form: Netlify needs one name per form.")
            names[name] = step.id


def reachability(site: Site) -> Iterator[Problem]:
    """Every funnel step must be reachable from some funnel's entry."""
    from .graph import unreachable

    for sid in unreachable(site):
        yield _p(site, site.steps[sid], "", f"step '{sid}' is unreachable: no funnel entry leads to it",
                 "Point a next/accept/decline edge at it, move it under pages:, or remove it.")


def output_paths(site: Site) -> Iterator[Problem]:
    """Two pages must never write the same file (Pelican's and Eleventy's guard)."""
    owners: dict[str, object] = {}
    for step in site.steps.values():
        key = step.url.lower()
        top = step.slug.split("/")[0]
        if top in RESERVED_PATHS:
            yield _p(site, step, "slug", f"URL {step.url} is reserved for funnelgen's own output",
                     "Choose another id or slug.")
        if key in owners:
            yield _p(site, step, "slug", f"step '{step.id}' writes {step.url}, which step '{owners[key]}' writes too",
                     "Give one of them another slug.")
        owners[key] = step.id
    static = site.src / "static"
    if static.is_dir():
        for step in site.steps.values():
            if (static / step.slug / "index.html").exists():
                yield _p(site, step, "slug", f"static/{step.slug}/index.html collides with step '{step.id}'",
                         "Rename the static folder or the step.")


@dataclass(frozen=True)
class GraphRule:
    id: str
    fn: Callable[[Site], Iterator[Problem]]
    title: str
    why: str


RULES = [
    GraphRule("graph.references", unknown_references,
              "Every next/accept/decline, offer, form and site.home names something that exists.",
              "An edge, offer or form that names nothing breaks the page a visitor is on."),
    GraphRule("graph.dead-end", step_requirements,
              "Selling steps have an offer, opt-ins a form, and no step is a dead end (unless final: true).",
              "A step without its required edge, offer or form leaves visitors (and ad spend) stranded."),
    GraphRule("graph.offers-forms", offers_and_forms,
              "Sold offers have a checkout, each offer returns buyers to one step, forms have an email, consent "
              "and a next step.",
              "An offer without a checkout, or a form without a destination, silently loses the sale or the lead."),
    GraphRule("graph.offer-choices", choice_problems,
              "offers: lists 2–3 known plans of a selling step; bump: names a dearer one-off bundle of the step's "
              "offer.", "A plan table or order bump that names a wrong offer charges the buyer for something else."),
    GraphRule("host.forms", host_forms, "Every form's provider works on site.host, each form on a page has its own "
              "name, csp: report-only has headers to go in, and server_events is for site.host.", "A Netlify form on another host, or two forms sharing a name, lose submissions silently."),
    GraphRule("graph.redirects", lambda site: redirect_problems(site),
              "Redirects name a known step, a path or an https:// URL, once per source, without loops.",
              "A redirect to nowhere or in a circle turns a printed short link into an error page."),
    GraphRule("graph.unreachable", reachability, "Every funnel step is reachable from some funnel's entry.",
              "A step nobody can reach is usually a broken edge; its offer never sells."),
    GraphRule("graph.output-paths", output_paths, "No two pages (or a page and a static file) write the same URL.",
              "Two pages writing one URL means one of them silently disappears."),
]


def validate(site: Site) -> list[Problem]:
    return [replace(p, rule=r.id, why=r.why) for r in RULES for p in r.fn(site)]
