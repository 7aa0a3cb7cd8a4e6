"""Record tracking calls across page navigations.

funnel.js fires `begin_checkout` and then the browser leaves the page, and a
form's lead event fires just before the post: the page's own globals are gone
by the time anyone could read them. This init script runs before any page
script and mirrors the calls into sessionStorage (same tab, same origin, so it
survives navigation), each tagged with the document that made it. Each document writes
its own entry (`__fg_verify/<n>`, numbered by `__fg_verify#`): one shared list re-read and
re-written on every call cost a walk's page loads time that grew with the walk.

What it hooks comes from the vendor registry (`Vendor.recorder`, funnelgen/vendors/):

- ``fn:NAME``: the global function NAME (Meta's fbq, LINE's _lt, X's twq). The first
  function assigned to NAME, the vendor snippet's own, is wrapped in a Proxy; each call
  that reaches it is recorded as kind ``fn:NAME``. A page script that later replaces NAME
  and swallows calls is therefore caught (nothing reaches the vendor), and one that wraps
  it and passes calls on is recorded once.
- ``queue:NAME``: the array NAME (GA4's dataLayer, TikTok's ttq, Yahoo's yjDataLayer); each
  `Arguments` or array pushed onto it is a call, recorded as kind ``queue:NAME``; anything
  else pushed is recorded as kind NAME. funnelgen's own dataLayer is always hooked: its
  objects are the funnel events (kind ``dataLayer``), its `Arguments` are gtag() calls.

Nothing is changed about what the page sees: the arrays are still arrays, the
functions keep their properties (queue, callMethod…) and still run.
"""

from __future__ import annotations

import json

from ..escaping import script_json
from ..tracking import EVENTS
from ..vendors import VENDORS

KEY = "__fg_verify"
DOC = "__fgVerifyDoc"
LAYER = "dataLayer"  # funnel.js pushes every funnel event here, whatever vendors are enabled

_SCRIPT = r"""
(function (FNS, QUEUES) {
  "use strict";
  if (window.__fgVerifyDoc) return;
  var KEY = "__fg_verify";
  var doc = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  window.__fgVerifyDoc = doc;
  function plain(x) {
    try { return JSON.parse(JSON.stringify(x, function (k, v) { return v instanceof Date ? "(date)" : v; })); }
    catch (e) { return String(x); }
  }
  function isCall(a) { return Array.isArray(a) || Object.prototype.toString.call(a) === "[object Arguments]"; }
  var mine = [], slot = null;
  function rec(kind, value) {
    try {
      var store = window.sessionStorage;
      if (slot === null) {  // this document's own entry, numbered in the order documents first record
        var n = Number(store.getItem(KEY + "#") || 0) + 1;
        store.setItem(KEY + "#", String(n));
        slot = KEY + "/" + n;
      }
      mine.push({ k: kind, a: plain(value), doc: doc, path: location.pathname });
      store.setItem(slot, JSON.stringify(mine));
    } catch (e) { /* storage disabled: nothing recorded */ }
  }
  function hook(name, arr) {
    if (!arr || typeof arr.push !== "function" || arr.__fgHooked) return arr;
    var push = arr.push;
    arr.push = function () {
      for (var i = 0; i < arguments.length; i++) {
        var a = arguments[i];
        if (isCall(a)) rec("queue:" + name, Array.prototype.slice.call(a)); else rec(name, a);
      }
      return push.apply(this, arguments);
    };
    try { Object.defineProperty(arr, "__fgHooked", { value: true }); } catch (e) { /* frozen */ }
    return arr;
  }
  QUEUES.forEach(function (name) {
    var value;
    Object.defineProperty(window, name, { configurable: true, enumerable: true,
      get: function () { return value; }, set: function (v) { value = hook(name, v); } });
  });
  FNS.forEach(function (name) {
    var value, own = null;
    Object.defineProperty(window, name, { configurable: true, enumerable: true,
      get: function () { return value; },
      set: function (fn) {
        if (typeof fn === "function" && !own) {
          own = new Proxy(fn, { apply: function (t, self, args) {
            rec("fn:" + name, Array.prototype.slice.call(args));
            return Reflect.apply(t, self, args);
          } });
          value = own;
        } else {
          value = fn;  // a later replacement: only what it passes on to the vendor's function is recorded
        }
      } });
  });
})(%s, %s);
"""


def recorder_specs(vendors=VENDORS) -> list[str]:
    """The recorder specs to hook: funnelgen's dataLayer, then every vendor's (registry order, once each)."""
    return list(dict.fromkeys([f"queue:{LAYER}"] + [v.recorder for v in vendors if v.recorder]))


def recorder_script(specs: list[str] | None = None) -> str:
    """The init script hooking `specs` ("fn:NAME" / "queue:NAME"; default: the whole registry)."""
    specs = recorder_specs() if specs is None else specs
    kinds = {"fn": [], "queue": []}
    for spec in specs:
        kind, _, name = spec.partition(":")
        if kind not in kinds or not name.isidentifier():
            raise ValueError(f"recorder spec {spec!r}: expected 'fn:NAME' or 'queue:NAME'")
        kinds[kind].append(name)
    return _SCRIPT % (script_json(kinds["fn"]), script_json(kinds["queue"]))


RECORDER_JS = recorder_script()

# Consent for EU sites: verify walks the funnel as a visitor who accepted, so tags run.
CONSENT_JS = "try { if (!localStorage.getItem('fg_consent')) localStorage.setItem('fg_consent', 'granted'); } catch (e) {}"

# Every document's entry, in order, as one JSON array (the entries are joined as text, not parsed in the page).
READ_EXPR = f"""(() => {{
  try {{
    const store = sessionStorage, n = Number(store.getItem({json.dumps(KEY + "#")}) || 0), parts = [];
    for (let i = 1; i <= n; i++) {{
      const part = store.getItem({json.dumps(KEY + "/")} + i);
      if (part && part.length > 2) parts.push(part.slice(1, -1));
    }}
    return '[' + parts.join(',') + ']';
  }} catch (e) {{ return '[]'; }}
}})()"""
READ_JS = f"() => {READ_EXPR}"


def parse(raw: str | None) -> list[dict]:
    try:
        data = json.loads(raw or "[]")
    except ValueError:
        return []
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


# funnel.js's dataLayer name of each funnel event (generate_lead, sign_up, view_item, begin_checkout, purchase)
LAYER_NAMES = frozenset(EVENTS.values())


def layer_events(records: list[dict], doc: str | None = None) -> list[dict]:
    """funnel.js events pushed to dataLayer (optionally by one document), in order."""
    return [r["a"] for r in records
            if r.get("k") == LAYER and (doc is None or r.get("doc") == doc)
            and isinstance(r.get("a"), dict) and r["a"].get("event") in LAYER_NAMES]


def calls(records: list[dict], spec: str, doc: str | None = None) -> list[list]:
    """The recorded calls of one recorder spec ("fn:NAME" / "queue:NAME"), each a list of arguments, in order."""
    return [r["a"] for r in records
            if r.get("k") == spec and (doc is None or r.get("doc") == doc) and isinstance(r.get("a"), list)]


def vendor_events(records: list[dict], vendor, doc: str | None = None) -> list[tuple[str, dict]]:
    """(the vendor's event name, what it carried) of every event call to `vendor`, in order (`Vendor.read_call`)."""
    if not vendor.recorder:
        return []
    out = []
    for args in calls(records, vendor.recorder, doc):
        try:
            read = vendor.read_call(args)
        except (TypeError, ValueError, AttributeError, IndexError):
            read = None  # a call of another shape (the page's own use of the global)
        if read is not None:
            out.append(read)
    return out
