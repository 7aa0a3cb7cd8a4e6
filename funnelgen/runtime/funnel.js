/* funnelgen runtime: first-touch UTM, hidden form fields, checkout links, funnel events.
   No dependencies. Reads <script id="fg-page" type="application/json"> written by the build. */
(function (w, d) {
  "use strict";
  // EU consent (site.audience: eu): vendor tags wait in <template data-fg-consent> (and user tags in
  // <script type="text/plain" data-fg-consent>) until the visitor accepts; Consent Mode defaults are denied.
  var banner = d.getElementById("fg-consent");
  function getConsent() { try { return w.localStorage.getItem("fg_consent"); } catch (e) { return null; } }
  function setConsent(v) { try { w.localStorage.setItem("fg_consent", v); } catch (e) { /* private mode */ } }
  function runTags() {
    if (w.__fgTagsRun) return;
    w.__fgTagsRun = true;
    if (typeof w.gtag === "function") {
      w.gtag("consent", "update", { ad_storage: "granted", ad_user_data: "granted",
        ad_personalization: "granted", analytics_storage: "granted" });
    }
    var held = [];
    Array.prototype.forEach.call(d.querySelectorAll("template[data-fg-consent]"), function (t) {
      Array.prototype.forEach.call(t.content.querySelectorAll("script"), function (s) { held.push(s); });
    });
    Array.prototype.forEach.call(d.querySelectorAll("script[type='text/plain'][data-fg-consent]"), function (s) { held.push(s); });
    held.forEach(function (old) {
      var s = d.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (a) {
        if (a.name !== "type" && a.name !== "data-fg-consent" && a.name !== "data-src") s.setAttribute(a.name, a.value);
      });
      if (old.getAttribute("data-src")) s.src = old.getAttribute("data-src");
      if (old.text) s.text = old.text;
      d.head.appendChild(s);
    });
  }
  if (banner) {
    var choice = getConsent();
    if (choice === "granted") runTags(); else if (!choice) banner.hidden = false;
    banner.addEventListener("click", function (ev) {
      var t = ev.target;
      if (t.hasAttribute("data-fg-consent-accept")) { setConsent("granted"); banner.hidden = true; runTags(); }
      if (t.hasAttribute("data-fg-consent-reject")) {
        setConsent("denied");
        banner.hidden = true;
        if (w.__fgTagsRun) w.location.reload();  // withdrawal: reload without the tags
      }
    });
    Array.prototype.forEach.call(d.querySelectorAll("[data-fg-consent-open]"), function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        banner.hidden = false;
        var first = banner.querySelector("button");
        if (first) first.focus();
      });
    });
  }

  // Video facades (video blocks): nothing is requested from the video host until the visitor clicks.
  d.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-fg-video]");
    if (!a) return;
    ev.preventDefault();
    var file = a.getAttribute("data-fg-video-kind") === "file", p = d.createElement(file ? "video" : "iframe");
    p.src = a.getAttribute("data-fg-video");
    if (file) { p.controls = p.autoplay = p.playsInline = true; }
    else { p.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen"; p.allowFullscreen = true; }
    p.title = a.getAttribute("data-fg-video-title") || a.textContent.trim();
    p.className = "video-player";
    a.parentNode.replaceChild(p, a);
    p.focus();
  });

  var el = d.getElementById("fg-page");
  if (!el) return;
  var P = JSON.parse(el.textContent);
  // Filled in by the build (funnelgen/tracking.py): attribution keys, the names of transaction-id
  // parameters, the dataLayer name of each funnel event, and for every enabled vendor the names it
  // uses, its settings and the function that sends one event (funnelgen/vendors/).
  var C = /*@FUNNELGEN_CONFIG@*/{ keys: [], utm: [], tx: [], events: {}, vendors: {} }/*@END@*/;
  var ADAPTERS = /*@FUNNELGEN_ADAPTERS@*/{}/*@END@*/;
  w.dataLayer = w.dataLayer || [];

  function store(kind) { try { return w[kind]; } catch (e) { return null; } }
  var local = store("localStorage"), session = store("sessionStorage");
  function get(s, k) { try { return s ? s.getItem(k) : null; } catch (e) { return null; } }
  function put(s, k, v) { try { if (s) s.setItem(k, v); } catch (e) { /* private mode */ } }
  function clean(v) { return String(v).replace(/[^A-Za-z0-9_\-.]/g, "_").slice(0, 150); }

  var query = new URLSearchParams(w.location.search);

  // First touch wins: the campaign that brought the visitor in is kept across steps.
  var touch = null;
  try { touch = JSON.parse(get(local, "fg_touch") || "null"); } catch (e) { touch = null; }
  if (!touch) {
    var found = {}, any = false;
    C.keys.forEach(function (k) { var v = query.get(k); if (v) { found[k] = v.slice(0, 150); any = true; } });
    if (any) { touch = found; put(local, "fg_touch", JSON.stringify(found)); }
  }
  touch = touch || {};

  // Which funnel (persona) the visitor entered through; shared steps report it.
  var funnel = get(session, "fg_funnel");
  if (P.entry_of) { funnel = P.entry_of; put(session, "fg_funnel", funnel); }
  if (!funnel || (P.funnels || []).indexOf(funnel) < 0) funnel = (P.funnels || [])[0] || "";
  var base = { fg_funnel: funnel, fg_step: P.step, fg_variant: P.variant };

  function item(o) { return { item_id: o.id, item_name: o.name, price: o.value, quantity: 1 }; }

  // One funnel event (lead, registration, view_item, begin_checkout, purchase) to dataLayer and to every
  // enabled vendor that has a name for it.
  function send(event, offer, extra, eventId) {
    var params = {}, k;
    for (k in base) params[k] = base[k];
    if (offer) {
      params.fg_offer = offer.id;
      params.value = offer.value;
      params.currency = offer.currency;
      params.items = [item(offer)];
    }
    for (k in (extra || {})) params[k] = extra[k];
    var layer = { event: C.events[event] };
    for (k in params) layer[k] = params[k];
    w.dataLayer.push(layer);
    for (k in ADAPTERS) {
      var v = C.vendors[k] || {}, name = (v.names || {})[event];
      if (!name) continue;
      try {
        ADAPTERS[k]({ event: event, name: name, params: params, offer: offer || null, eventId: eventId }, v.config, w);
      } catch (e) { /* a vendor's failure must not stop the funnel */ }
    }
  }

  // Forms: hidden attribution fields, lead event, remember the email for checkout prefill.
  Array.prototype.forEach.call(d.querySelectorAll("form[data-fg-form]"), function (form) {
    Array.prototype.forEach.call(form.querySelectorAll("input[data-fg-hidden]"), function (input) {
      var key = input.getAttribute("data-fg-hidden");
      if (key === "fg_funnel") input.value = funnel;
      else if (touch[key]) input.value = touch[key];
    });
    // Accessible errors: JS takes over validation so messages sit next to each field.
    form.noValidate = true;
    function mark(field) {
      var err = d.getElementById(field.id + "-error");
      var bad = !field.validity.valid;
      field.setAttribute("aria-invalid", bad ? "true" : "false");
      if (err) err.textContent = bad ? field.validationMessage : "";
      return bad;
    }
    Array.prototype.forEach.call(form.elements, function (f) {
      if (f.willValidate) f.addEventListener("blur", function () { if (f.hasAttribute("aria-invalid")) mark(f); });
    });
    form.addEventListener("submit", function (ev) {
      var first = null;
      Array.prototype.forEach.call(form.elements, function (f) { if (f.willValidate && mark(f) && !first) first = f; });
      if (first) { ev.preventDefault(); first.focus(); return; }
      var email = form.querySelector("input[type=email]");
      if (email && email.value) put(session, "fg_email", email.value);
      var lead = form.getAttribute("data-fg-lead");
      if (lead) send(lead, null, { form: form.getAttribute("data-fg-form") });
    });
  });

  // Checkout links: Stripe Payment Links accept prefilled_email, client_reference_id and utm_*.
  var email = get(session, "fg_email");
  Array.prototype.forEach.call(d.querySelectorAll("a[data-fg-checkout]"), function (a) {
    var url;
    try { url = new URL(a.href); } catch (e) { return; }
    if (url.hostname === "buy.stripe.com") {
      if (email && !url.searchParams.has("prefilled_email")) url.searchParams.set("prefilled_email", email);
      url.searchParams.set("client_reference_id", clean([funnel, P.step, P.variant].join("-")));
      C.utm.forEach(function (k) { if (touch[k]) url.searchParams.set(k, clean(touch[k])); });
      a.href = url.toString();
    }
    a.addEventListener("click", function () { send("begin_checkout", P.offer); });
  });

  // View of an offer page.
  if (P.offer && P.view_item) send("view_item", P.offer);

  // Purchase: only on a page a payment provider sent the buyer to (the head of such a page moved the return
  // parameters into __fgReturn before any tag could read the URL), with a well-formed transaction id, once per
  // transaction. Vendors get a hash of the id (transactionEventId), never the id itself.
  function transactionEventId(tx, done) {
    var c = w.crypto && w.crypto.subtle;
    if (!c || !w.TextEncoder) return;
    c.digest("SHA-256", new w.TextEncoder().encode(tx)).then(function (buf) {
      var hex = Array.prototype.map.call(new Uint8Array(buf), function (b) { return ("0" + b.toString(16)).slice(-2); });
      done("fg_" + hex.join("").slice(0, 32));
    }, function () { /* no hash, no purchase event */ });
  }
  if (P.purchase) {
    var ret = w.__fgReturn || {};
    var offerId = ret.fg_offer || "";
    var bought = Object.prototype.hasOwnProperty.call(P.purchase, offerId) ? P.purchase[offerId] : null;
    var tx = null;
    C.tx.forEach(function (p) { var v = ret[p[0]]; if (!tx && v && new RegExp(p[1]).test(v)) tx = v; });
    if (bought && tx && C.browser_purchase !== false) {  // off when the host's function reports purchases
      transactionEventId(tx, function (id) {
        var seen = "fg_tx_" + id;
        if (get(local, seen)) return;
        put(local, seen, "1");
        send("purchase", bought, { transaction_id: id }, id);
      });
    }
  }
  w.funnelgen = { page: P, touch: touch, funnel: funnel };
})(window, document);
