"""What each page must send, checked against the calls the recorder saw (funnelgen/verify/recorder.py).

An expectation maps a canonical funnel event (lead, registration, view_item, begin_checkout,
purchase) to the parameters funnel.js must send with it, or to None when the page must not send it
at all. Every expected event must arrive exactly once:

- in dataLayer, under its GA4/dataLayer name (`funnelgen.tracking.EVENTS`), with exactly these
  parameters (fg_funnel, fg_step, fg_variant, fg_offer, value, currency, transaction_id, form);
- at every enabled vendor that verify can record (`Vendor.recorder`) and that has a name for the
  event (`Vendor.event_names`), under that name, with the value and currency, the offer id where the
  vendor reports one, any funnel parameter it passes through under the same name, and on purchase the
  transaction id as its deduplication id where it takes one (`Vendor.read_call` says what it reports).

When the dataLayer check of an event fails, that one message says it: the vendors, which all hear the
event from the same funnel.js call, are not checked for it again.
"""

from __future__ import annotations

from ..prices import tracking_value
from ..tracking import EVENTS
from .recorder import layer_events, vendor_events
from .results import StepResult

LEAD_EVENTS = ("lead", "registration")  # what a form may fire on submit (StepKind.lead_event)


# -- what funnel.js must send -------------------------------------------------------------------------
def base_params(funnel: str, step) -> dict:
    return {"fg_funnel": funnel, "fg_step": step.id, "fg_variant": step.variant}


def offer_params(funnel: str, step, offer) -> dict:
    return {**base_params(funnel, step), "fg_offer": offer.id, "value": tracking_value(offer),
            "currency": offer.currency}


def view_params(funnel: str, step) -> dict | None:
    """view_item on arrival: the step's offer; on a plan table no value at all (no plan is chosen yet)."""
    if not step.traits.sells:
        return None
    if step.offer is not None:
        return offer_params(funnel, step, step.offer)
    if step.choices:
        return {**base_params(funnel, step), "fg_offer": None, "value": None, "currency": None}
    return None


def purchase_params(funnel: str, step, offer, tx: str) -> dict:
    return {**offer_params(funnel, step, offer), "transaction_id": tx}


def form_events(funnel: str, step) -> dict:
    """On submitting the step's form: its lead event (if its kind has one), no other lead, no checkout."""
    lead = step.traits.lead_event if step.form is not None else None
    want = {**base_params(funnel, step), "form": step.form.id} if lead else None
    return {**{e: (want if e == lead else None) for e in LEAD_EVENTS}, "begin_checkout": None}


def quiet_events() -> dict:
    """Following a plain link: no lead, no checkout."""
    return {**dict.fromkeys(LEAD_EVENTS), "begin_checkout": None}


# -- the checks -----------------------------------------------------------------------------------------
def check_events(sr: StepResult, step_id: str, records: list[dict], doc: str | None, expected: dict,
                 when: str, vendors: list) -> None:
    """Check the calls document `doc` made against `expected`; `vendors`: (Vendor, configured value) pairs."""
    clean = _check_layer(sr, step_id, layer_events(records, doc), expected, when)
    for vendor, value in vendors:
        _check_vendor(sr, step_id, vendor, value, vendor_events(records, vendor, doc), expected, clean, when)


def _check_layer(sr: StepResult, step_id: str, layer: list[dict], expected: dict, when: str) -> set[str]:
    """The dataLayer checks; returns the events that passed (fired as expected, or not at all when not)."""
    clean = set()
    for event, want in expected.items():
        name = EVENTS[event]
        got = [e for e in layer if e.get("event") == name]
        n = 1 if want is not None else 0
        if len(got) != n:
            if not n:
                detail = f"{name} fired {len(got)}× {when} on '{step_id}', where it should not fire at all"
            elif not got:
                detail = f"{name} did not fire {when} on '{step_id}'"
            else:
                detail = f"{name} should fire once {when} on '{step_id}', but it fired {len(got)} times"
            sr.check(f"{name} fires", False, detail)
            continue
        if want is None:
            clean.add(event)
            continue
        bad = [f"{k}={got[0].get(k)!r} (expected {v!r})" for k, v in want.items() if got[0].get(k) != v]
        if bad:
            sr.check(f"{name} fires", False, f"{name} on '{step_id}' has wrong values: " + ", ".join(bad))
            continue
        clean.add(event)
        summary = ", ".join(str(want[k]) for k in ("fg_offer", "value", "currency", "transaction_id")
                            if want.get(k) is not None)
        sr.check(f"{name} fires", True, f"{name} once" + (f" ({summary})" if summary else ""))
    return clean


def _check_vendor(sr: StepResult, step_id: str, vendor, value, got: list[tuple[str, dict]], expected: dict,
                  clean: set[str], when: str) -> None:
    names = vendor.event_names(value)
    wanted: dict[str, tuple[str, dict | None]] = {}  # the vendor's name -> (event, parameters or None)
    for event, want in expected.items():
        name = names.get(event)
        if name and (name not in wanted or want is not None):  # two events, one name (LINE's Lead): expected wins
            wanted[name] = (event, want)
    for name, (event, want) in wanted.items():
        if event not in clean:
            continue
        label = f"{vendor.name} {name}"
        # in messages, say which funnel event a vendor's own name stands for (X's tw-…-… ids, Meta's ViewContent)
        said = label if name.lower() in (event, EVENTS[event]) else f"{label} ({event})"
        mine = [data for n, data in got if n == name]
        if want is None:
            if mine:
                sr.check(label, False, f"{said} was sent {len(mine)}× {when} on '{step_id}', where it should not "
                                       "be sent at all")
            continue
        if len(mine) != 1:
            sr.check(label, False, f"{said} was not sent {when} on '{step_id}'" if not mine else
                     f"{said} was sent {len(mine)} times {when} on '{step_id}' (once expected)")
            continue
        bad = mismatches(mine[0], want)
        if bad:
            sr.check(label, False, f"{said} on '{step_id}' " + "; ".join(bad))
            continue
        reported = [str(mine[0][k]) for k in ("value", "currency", "offer") if mine[0].get(k) is not None]
        if mine[0].get("id") is not None:
            reported.append(f"id {mine[0]['id']}")
        sr.check(label, True, f"{label} once" + (f" ({' '.join(reported)})" if reported else ""))


def mismatches(data: dict, want: dict) -> list[str]:
    """What one vendor call (as `Vendor.read_call` reads it) carries that differs from `want`, in words."""
    bad = []
    for key in ("value", "currency"):
        if key in want and key in data and data[key] != want[key]:
            bad.append(f"has {key}={data[key]!r} (expected {want[key]!r})")
    covered = {"value", "currency"}
    if "fg_offer" in want and "offer" in data:
        covered.add("fg_offer")
        if data["offer"] != want["fg_offer"]:
            bad.append(f"names the offer {data['offer']!r} (expected {want['fg_offer']!r})")
    if "transaction_id" in want and "id" in data:
        covered.add("transaction_id")
        if data["id"] is None:
            bad.append(f"has no event id (expected the transaction id {want['transaction_id']!r}, so that the "
                       "vendor can deduplicate it against server-side events)")
        elif data["id"] != want["transaction_id"]:
            bad.append(f"has the event id {data['id']!r} (expected the transaction id {want['transaction_id']!r})")
    params = data.get("params") if isinstance(data.get("params"), dict) else {}
    bad += [f"has {k}={params[k]!r} (expected {v!r})" for k, v in want.items()
            if k not in covered and k in params and params[k] != v]
    return bad


def purchases_again(records: list[dict], doc: str | None, vendors: list) -> list[str]:
    """After a reload: every purchase document `doc` sent anyway ('purchase 1×', 'Meta Pixel Purchase 1×')."""
    out = []
    n = sum(1 for e in layer_events(records, doc) if e.get("event") == EVENTS["purchase"])
    if n:
        out.append(f"{EVENTS['purchase']} {n}×")
    for vendor, value in vendors:
        name = vendor.event_names(value).get("purchase")
        n = sum(1 for got, _data in vendor_events(records, vendor, doc) if name and got == name)
        if n:
            out.append(f"{vendor.name} {name} {n}×")
    return out
