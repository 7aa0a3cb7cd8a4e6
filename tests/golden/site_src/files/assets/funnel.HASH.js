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

  var el = d.getElementById("fg-page");
  if (!el) return;
  var P = JSON.parse(el.textContent);
  var V = P.vendors || {};
  var KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "yclid"];
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
    KEYS.forEach(function (k) { var v = query.get(k); if (v) { found[k] = v.slice(0, 150); any = true; } });
    if (any) { touch = found; put(local, "fg_touch", JSON.stringify(found)); }
  }
  touch = touch || {};

  // Which funnel (persona) the visitor entered through; shared steps report it.
  var funnel = get(session, "fg_funnel");
  if (P.entry_of) { funnel = P.entry_of; put(session, "fg_funnel", funnel); }
  if (!funnel || (P.funnels || []).indexOf(funnel) < 0) funnel = (P.funnels || [])[0] || "";
  var base = { fg_funnel: funnel, fg_step: P.step, fg_variant: P.variant };

  function item(o) { return { item_id: o.id, item_name: o.name, price: o.value, quantity: 1 }; }

  function send(ga, meta, offer, extra) {
    var params = {}, k;
    for (k in base) params[k] = base[k];
    if (offer) {
      params.fg_offer = offer.id;
      params.value = offer.value;
      params.currency = offer.currency;
      params.items = [item(offer)];
    }
    for (k in (extra || {})) params[k] = extra[k];
    var layer = { event: ga };
    for (k in params) layer[k] = params[k];
    w.dataLayer.push(layer);
    if (V.ga4 && typeof w.gtag === "function") w.gtag("event", ga, params);
    var m = offer ? { value: offer.value, currency: offer.currency, content_ids: [offer.id],
                      content_name: offer.name, content_type: "product" } : {};
    var eventId = (extra && extra.transaction_id) ? { eventID: extra.transaction_id } : undefined;
    if (V.meta && typeof w.fbq === "function") {
      if (eventId) w.fbq("track", meta, m, eventId); else w.fbq("track", meta, m);
    }
    if (V.tiktok && w.ttq) w.ttq.track(meta === "Lead" ? "SubmitForm" : meta, m);
    if (V.line && typeof w._lt === "function" && (meta === "Purchase" || meta === "Lead")) {
      var cv = { type: meta };
      if (offer) { cv.value = offer.value; cv.currency = offer.currency; }
      w._lt("send", "cv", cv, [V.line]);
    }
    if (V.yahoo && typeof w.ytag === "function" && meta === "Purchase") {
      w.ytag({ type: "yss_conversion", config: { yahoo_conversion_id: V.yahoo.conversion_id,
        yahoo_conversion_label: V.yahoo.conversion_label, yahoo_conversion_value: String(offer ? offer.value : 0) } });
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
      if (form.hasAttribute("data-fg-lead")) send("generate_lead", "Lead", null, { form: form.getAttribute("data-fg-form") });
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
      KEYS.slice(0, 5).forEach(function (k) { if (touch[k]) url.searchParams.set(k, clean(touch[k])); });
      a.href = url.toString();
    }
    a.addEventListener("click", function () { send("begin_checkout", "InitiateCheckout", P.offer); });
  });

  // View of an offer page.
  if (P.offer && ["sales", "upsell", "downsell", "crosssell", "backend"].indexOf(P.kind) >= 0) {
    send("view_item", "ViewContent", P.offer);
  }

  // Purchase: only on a page a payment provider sent the buyer to, once per transaction.
  if (P.purchase) {
    var offerId = query.get("fg_offer") || "";
    var bought = Object.prototype.hasOwnProperty.call(P.purchase, offerId) ? P.purchase[offerId] : null;
    var tx = query.get("session_id") || query.get("transaction_id") || query.get("order_id") || query.get("orderId");
    if (bought && tx && tx.indexOf("{") < 0) {
      var seen = "fg_tx_" + clean(tx);
      if (!get(local, seen)) {
        put(local, seen, "1");
        send("purchase", "Purchase", bought, { transaction_id: tx });
      }
    }
  }
  w.funnelgen = { page: P, touch: touch, funnel: funnel };
})(window, document);
