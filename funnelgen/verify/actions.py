"""What the visitor does on a step: fill in and submit the form, buy through the test checkout, or follow
the next or decline link; and the checks that belong to each action.

- form: every field gets plausible test data (`form_test_data`), the consent box is ticked, the form
  is submitted; the preview server must capture every field, hidden funnel/step/UTM fields included,
  and the step's lead event must fire once;
- checkout: the button for the step's offer must fire `begin_checkout` once and open the local test
  checkout, whose pay button returns to the offer's success URL with a test transaction id;
- link: the next or decline link is followed; no lead or checkout event may fire.

Each function takes the `Walker` (funnelgen/verify/walker.py) walking the path and returns where the
action led (`Arrival`), or raises `Stop` when the page offers no way on.
"""

from __future__ import annotations

import json
from typing import Protocol

from ..graph import CHECKOUT, FORM, NEXT, Hop
from ..hosts import form_name
from ..tracking import EVENTS
from .hand import CannotClick, attr, click, fill, find
from .results import Arrival, Env, StepResult, Stop, short
from .tab import Tab
from .tracking_checks import form_events, offer_params, quiet_events

SUBMIT = "button[type=submit], input[type=submit], button:not([type])"
# the form's shape in one round trip: which fields are missing, whether it has a submit button, a lead form?
FORM_JS = f"""([form, names]) => {{
  const f = document.querySelector(form);
  if (!f) return null;
  return {{missing: names.filter(n => !f.querySelector('[name="' + CSS.escape(n) + '"]')),
           submit: !!f.querySelector({json.dumps(SUBMIT)}), lead: f.hasAttribute('data-fg-lead')}};
}}"""
SCROLL_JS = """css => {
  const el = document.querySelector(css);
  if (el && el.scrollIntoViewIfNeeded) el.scrollIntoViewIfNeeded(true); else if (el) el.scrollIntoView({block: 'center'});
}"""
CHECKOUT_PREFIX = "/_fg/checkout/"
PAY_PREFIX = "/_fg/pay/"


class Walker(Protocol):
    """What an action needs from the walker of the path (funnelgen/verify/walker.py)."""

    site: object
    env: Env
    tab: Tab
    token: str  # makes this path's test data unique
    utm: dict[str, str]  # the entry URL's UTM parameters
    funnels: list[str]  # fg_funnel funnel.js reports on each step of the path

    @property
    def page(self): ...

    def new_step(self, label: str, kind: str, step: str = "") -> StepResult: ...

    def check_events(self, sr: StepResult, step, records: list[dict], doc: str | None, expected: dict,
                     when: str) -> None: ...


def form_test_data(form, token: str) -> dict[str, str]:
    """Plausible test data for every field of `form` (by name, then by type); `token` makes it unique per path."""
    values = {}
    for f in form.fields:
        if f.type == "email" or f.name == "email":
            v = f"verify.{token}@example.com"
        elif f.name == "name":
            v = f"Verify Test {token}"
        elif f.type == "tel":
            v = "0312345678"
        elif f.type == "url":
            v = "https://example.com/"
        elif f.type == "number":
            v = "3"
        elif f.type == "checkbox":
            v = "on"
        elif f.type == "select":
            v = next((o for o in (f.options or []) if o), "")
        elif f.type in ("date", "datetime"):  # a day inside the field's range (the runtime sets min/max)
            from datetime import date, timedelta

            lo = f.min_days if f.min_days is not None else 0
            v = (date.today() + timedelta(days=max(lo, min(lo + 7, f.max_days if f.max_days is not None else 365))))
            v = v.isoformat() + ("T10:00" if f.type == "datetime" else "")
        elif f.type == "textarea":
            v = f"funnelgen verify test message {token}"
        else:
            v = f"verify {token}"
        values[f.name] = v
    return values


async def act(w: Walker, sr: StepResult, step, hop: Hop, i: int) -> Arrival:
    if hop.action == FORM:
        return await submit_form(w, sr, step, i)
    if hop.action == CHECKOUT:
        return await buy(w, sr, step, hop, i)
    return await follow_link(w, sr, step, hop)


async def follow_link(w: Walker, sr: StepResult, step, hop: Hop) -> Arrival:
    tab = w.tab
    target = w.site.steps[hop.target]
    name = "data-fg-next" if hop.action == NEXT else "data-fg-decline"
    link = await find(w.page, [f"a[{name}]", f"a{attr('href', target.url)}"])
    if link is None:
        await tab.screenshot(sr)
        word = "next" if hop.action == NEXT else "decline"
        sr.check(f"{word} link", False, f"no {word} link to '{target.id}' ({target.url}) on '{step.id}' "
                                        f"(looked for a[{name}] and a[href=\"{target.url}\"])")
        raise Stop
    sr.action = f"clicked “{short(link['text'], 60)}”"
    doc = tab.seen.get("doc")
    arrival = await tab.navigate(link["css"], f"following the {hop.action} link", sr)
    w.check_events(sr, step, tab.records(), doc, quiet_events(), "on this page")
    return arrival


async def submit_form(w: Walker, sr: StepResult, step, i: int) -> Arrival:
    page, tab = w.page, w.tab
    spec = step.form
    form = f"form{attr('data-fg-form', spec.id)}"
    shape = await page.evaluate(FORM_JS, [form, [spec.wire_name(f.name) for f in spec.fields]])
    if shape is None:
        await tab.screenshot(sr)
        sr.check("form present", False, f"no form '{spec.id}' on '{step.id}' (form[data-fg-form=\"{spec.id}\"])")
        raise Stop
    values = form_test_data(spec, w.token)
    missing, unusable = [], []
    for f in spec.fields:
        wire = spec.wire_name(f.name)
        if wire in shape["missing"]:
            missing.append(wire)
            continue
        field = f"[name={json.dumps(wire)}]"
        if f.type == "checkbox":
            if not (await find(page, [field], form) or {}).get("checked"):
                await _tick(w, sr, form, field, f"the box '{wire}'")
        elif f.type != "select" or values[f.name]:
            problem = await fill(page, field, values[f.name], f.type, form)
            if problem:
                unusable.append(f"{wire} {problem}")
    if missing:
        sr.check("form fields", False, f"the form '{spec.id}' has no field named {', '.join(missing)}")
    if unusable:
        sr.check("form fields", False, f"the form '{spec.id}': " + "; ".join(unusable))
    if spec.consent and spec.consent_checkbox:
        consent = f"input[type=checkbox]{attr('name', spec.wire_name('consent'))}"
        box = await find(page, [consent], form)
        if box is None:
            sr.check("consent checkbox", False, f"the form '{spec.id}' has no consent checkbox")
        elif not box["checked"]:
            await _tick(w, sr, form, consent, "the consent box")
    sr.action = f"filled in {len(spec.fields)} field{'s' if len(spec.fields) != 1 else ''} and submitted"
    await _screenshot_form(w, sr, form)
    doc = tab.seen.get("doc")
    if not shape["submit"]:
        sr.check("submit button", False, f"the form '{spec.id}' has no submit button")
        raise Stop
    arrival = await tab.navigate(SUBMIT, "submitting the form", sr, scope=form)
    expected = form_events(w.funnels[i], step)
    w.check_events(sr, step, tab.records(), doc, expected, "when the form is submitted")
    lead = step.traits.lead_event
    if lead and not shape["lead"]:
        for c in sr.checks:
            if c.name == f"{EVENTS[lead]} fires" and not c.ok:
                c.detail += " (the form has no data-fg-lead attribute, so funnel.js does not treat it as a lead form)"
    _check_submission(w, sr, step, spec, values, i)
    return arrival


async def _tick(w: Walker, sr: StepResult, form: str, css: str, what: str) -> None:
    """Click a checkbox as a visitor would; it must end up ticked."""
    try:
        await click(w.page, css, form)
    except CannotClick as exc:
        sr.check("form fields", False, f"{what} {exc}")
        return
    if not (await find(w.page, [css], form) or {}).get("checked"):
        sr.check("form fields", False, f"clicking {what} did not tick it")


async def _screenshot_form(w: Walker, sr: StepResult, form: str) -> None:
    """The storyboard shows the filled-in form rather than the top of the page."""
    if w.env.shots is None:
        return
    try:
        await w.page.evaluate(SCROLL_JS, form)
    except Exception:  # noqa: BLE001 - then the top of the page it is
        pass
    await w.tab.screenshot(sr)


def _check_submission(w: Walker, sr: StepResult, step, spec, values: dict, i: int) -> None:
    """The preview server must have captured the post with every field, hidden ones included."""
    captured = []
    try:
        for line in w.env.submissions.read_text(encoding="utf-8").splitlines():
            try:
                captured.append(json.loads(line))
            except ValueError:
                continue
    except OSError:
        pass
    marker = [v for v in values.values() if w.token in v]
    mine = [e for e in captured if isinstance(e.get("fields"), dict)
            and any(v in e["fields"].values() for v in marker)]
    if not mine:
        posts = w.tab.posts
        sr.check("form data received", False,
                 f"the form '{spec.id}' was not received by the preview server (it posted to "
                 f"{posts[-1] if posts else 'nowhere'})")
        return
    got = mine[-1]["fields"]
    want: dict[str, str] = {}
    for f in spec.fields:
        want[spec.wire_name(f.name)] = values[f.name]
    if spec.consent and spec.consent_checkbox:
        want[spec.wire_name("consent")] = "yes"
    want[spec.wire_name("fg_funnel")] = w.funnels[i]
    want[spec.wire_name("fg_step")] = step.id
    want[spec.wire_name("fg_variant")] = step.variant
    for k, v in w.utm.items():
        want[spec.wire_name(k)] = v
    if spec.provider == "netlify":
        want["form-name"] = form_name(spec.id, step.id)
    if spec.consent:
        want[spec.wire_name("fg_consent")] = spec.consent
    missing = [k for k in want if k not in got]
    wrong = [f"{k}={short(str(got[k]), 40)!r} (expected {short(want[k], 40)!r})"
             for k in want if k in got and got[k] != want[k]]
    problems = []
    if missing:
        problems.append("posted without " + ", ".join(missing))
    if wrong:
        problems.append("posted " + ", ".join(wrong))
    sr.check("form data received", not problems,
             f"the form '{spec.id}' " + "; ".join(problems) if problems
             else f"{len(got)} fields captured, funnel/step/UTM included")


async def buy(w: Walker, sr: StepResult, step, hop: Hop, i: int) -> Arrival:
    page, tab = w.page, w.tab
    offer = w.site.offers[hop.offer]
    ticked = ""
    if hop.bump:
        ticked = await tick_bump(w, sr, step, offer)
    link = await find(page, [f"a[data-fg-checkout]{attr('data-fg-offer', offer.id)}"])
    if link is None:
        sr.check("checkout button", False, await _no_checkout(w, step, offer))
        raise Stop
    sr.action = f"{ticked}clicked “{short(link['text'], 60)}”, paid in the test checkout"
    doc = tab.seen.get("doc")
    arrival = await tab.navigate(link["css"], "clicking the checkout button", sr)
    w.check_events(sr, step, tab.records(), doc,
                   {**quiet_events(), "begin_checkout": offer_params(w.funnels[i], step, offer)},
                   "when the checkout button is clicked")
    path, _q = tab.where()
    co = w.new_step(f"checkout: {offer.id}", "checkout")
    co.url = tab.rel(page.url)
    if not path.startswith(CHECKOUT_PREFIX) or (arrival.status or 200) >= 400:
        await tab.screenshot(co)
        co.check("test checkout opens", False, f"the checkout button for '{offer.id}' led to {co.url} "
                                               f"(HTTP {arrival.status}) instead of the test checkout")
        raise Stop
    co.check("test checkout opens", True, f"order summary for '{offer.id}'")
    pay = f"form[action^={json.dumps(PAY_PREFIX)}] button[type=submit]"
    await tab.screenshot(co)
    if await find(page, [pay]) is None:
        co.check("pay button", False, "the test checkout page has no pay button")
        raise Stop
    co.action = "paid (test payment)"
    result = await tab.navigate(pay, "paying in the test checkout", co)
    tab.health(co)
    return result


async def tick_bump(w: Walker, sr: StepResult, step, bundle) -> str:
    """Tick the order bump with the keyboard (Space, as a visitor would): the buy button must switch to the bundle."""
    box = f"input[type=checkbox][data-fg-bump]{attr('data-fg-offer', bundle.id)}"
    state = await find(w.page, [box])
    if not state or not state["visible"]:
        await w.tab.screenshot(sr)
        sr.check("order bump", False, f"no visible order-bump checkbox for '{bundle.id}' on '{step.id}' "
                                      f"(input[data-fg-bump][data-fg-offer=\"{bundle.id}\"])")
        raise Stop
    if state["checked"]:
        sr.check("order bump unticked", False, f"the order bump for '{bundle.id}' on '{step.id}' was already ticked")
    await find(w.page, [box], focus=True)  # focus it, as tabbing to it would
    await w.page.keyboard.press("Space")
    ok = bool((await find(w.page, [box]) or {}).get("checked"))
    sr.check("order bump", ok, f"ticked the box for '{bundle.id}' with the keyboard" if ok else
             f"pressing Space on the order bump for '{bundle.id}' did not tick it")
    if not ok:
        raise Stop
    return "ticked the order bump, "


async def _no_checkout(w: Walker, step, offer) -> str:
    others = await w.page.locator("a[data-fg-checkout]").evaluate_all(
        "els => els.map(a => a.getAttribute('data-fg-offer') || '')")
    if others:
        return (f"the checkout button on '{step.id}' sells '{others[0]}' instead of '{offer.id}' "
                f"(a[data-fg-checkout][data-fg-offer=\"{offer.id}\"] is missing)")
    raw = await w.page.locator(f'a[href^="{offer.checkout}"]').count() if offer.checkout else 0
    if raw:
        return (f"the buy button on '{step.id}' links straight to {offer.checkout} without data-fg-checkout and "
                f"data-fg-offer=\"{offer.id}\": begin_checkout never fires, Stripe gets no prefilled e-mail or "
                f"UTM, and the checkout cannot be tested (a template override probably dropped the attributes)")
    return f"no checkout button for offer '{offer.id}' on '{step.id}' (a[data-fg-checkout][data-fg-offer=\"{offer.id}\"])"
