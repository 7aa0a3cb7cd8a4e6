"""Record tracking calls across page navigations.

funnel.js fires `begin_checkout` and then the browser leaves the page, and a
form's `generate_lead` fires just before the post: the page's own
`dataLayer` is gone by the time anyone could read it. This init script runs
before any page script and mirrors every `dataLayer.push`, `gtag(...)`,
`fbq(...)` and `_lt(...)` call into sessionStorage (same tab, same origin, so
it survives navigation), each tagged with the document that made it.

Nothing is changed about what the page sees: `window.dataLayer` is still an
array, `fbq.queue` and `_ltq` still fill up as the vendor snippets expect.
"""

from __future__ import annotations

import json

KEY = "__fg_verify"
DOC = "__fgVerifyDoc"

RECORDER_JS = r"""
(function () {
  "use strict";
  if (window.__fgVerifyDoc) return;
  var KEY = "__fg_verify";
  var doc = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  window.__fgVerifyDoc = doc;
  function plain(x) {
    try { return JSON.parse(JSON.stringify(x, function (k, v) { return v instanceof Date ? "(date)" : v; })); }
    catch (e) { return String(x); }
  }
  function isArgs(a) { return Object.prototype.toString.call(a) === "[object Arguments]"; }
  function rec(kind, value) {
    try {
      var list = JSON.parse(window.sessionStorage.getItem(KEY) || "[]");
      list.push({ k: kind, a: plain(value), doc: doc, path: location.pathname });
      window.sessionStorage.setItem(KEY, JSON.stringify(list));
    } catch (e) { /* storage disabled: nothing recorded */ }
  }
  // dataLayer: objects from funnel.js and GTM, Arguments from gtag().
  function hook(arr) {
    if (!arr || typeof arr.push !== "function" || arr.__fgHooked) return arr;
    var push = arr.push;
    arr.push = function () {
      for (var i = 0; i < arguments.length; i++) {
        var a = arguments[i];
        if (isArgs(a)) rec("gtag", Array.prototype.slice.call(a)); else rec("dataLayer", a);
      }
      return push.apply(this, arguments);
    };
    try { Object.defineProperty(arr, "__fgHooked", { value: true }); } catch (e) { /* frozen */ }
    return arr;
  }
  var layer;
  Object.defineProperty(window, "dataLayer", { configurable: true, enumerable: true,
    get: function () { return layer; }, set: function (v) { layer = hook(v); } });
  // fbq and _lt are functions with properties (queue, callMethod...): a Proxy records calls and keeps the rest.
  function recorded(name, kind) {
    var value;
    Object.defineProperty(window, name, { configurable: true, enumerable: true,
      get: function () { return value; },
      set: function (fn) {
        value = typeof fn !== "function" ? fn : new Proxy(fn, { apply: function (t, self, args) {
          rec(kind, Array.prototype.slice.call(args));
          return Reflect.apply(t, self, args);
        } });
      } });
  }
  recorded("fbq", "fbq");
  recorded("_lt", "line");
})();
"""

# Consent for EU sites: verify walks the funnel as a visitor who accepted, so tags run.
CONSENT_JS = "try { if (!localStorage.getItem('fg_consent')) localStorage.setItem('fg_consent', 'granted'); } catch (e) {}"

READ_JS = f"() => {{ try {{ return sessionStorage.getItem({json.dumps(KEY)}) || '[]'; }} catch (e) {{ return '[]'; }} }}"


def parse(raw: str | None) -> list[dict]:
    try:
        data = json.loads(raw or "[]")
    except ValueError:
        return []
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


FUNNEL_EVENTS = {"generate_lead": "Lead", "view_item": "ViewContent", "begin_checkout": "InitiateCheckout",
                 "purchase": "Purchase"}


def layer_events(records: list[dict], doc: str | None = None) -> list[dict]:
    """funnel.js events pushed to dataLayer (optionally by one document), in order."""
    return [r["a"] for r in records
            if r.get("k") == "dataLayer" and (doc is None or r.get("doc") == doc)
            and isinstance(r.get("a"), dict) and r["a"].get("event") in FUNNEL_EVENTS]


def gtag_events(records: list[dict], doc: str | None = None) -> list[list]:
    """gtag('event', name, params) calls, in order."""
    return [r["a"] for r in records
            if r.get("k") == "gtag" and (doc is None or r.get("doc") == doc)
            and isinstance(r.get("a"), list) and len(r["a"]) >= 2 and r["a"][0] == "event"]


def fbq_tracks(records: list[dict], doc: str | None = None) -> list[list]:
    """fbq('track', name, ...) calls, in order (PageView included)."""
    return [r["a"] for r in records
            if r.get("k") == "fbq" and (doc is None or r.get("doc") == doc)
            and isinstance(r.get("a"), list) and len(r["a"]) >= 2 and r["a"][0] == "track"]
