/* funnelgen runtime: first-touch UTM, hidden form fields, checkout links, funnel events.
   No dependencies. Reads <script id="fg-page" type="application/json"> written by the build. */
(function (w, d) {
  "use strict";
  /*@IF eu@*/
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
  /*@ENDIF@*/

  // Sticky mobile action (partials/sticky.html): shown only while none of the page's real actions
  // ([data-fg-primary]: the form, the buy and next buttons) is on screen, and never over the element that has
  // focus (WCAG 2.2, 2.4.11 Focus Not Obscured): tabbing to a field behind it hides it.
  var bar = d.querySelector("[data-fg-sticky]");
  if (bar && w.IntersectionObserver) {
    var shown = [];
    var covers = function () {
      var a = d.activeElement;
      if (!a || a === d.body || bar.contains(a)) return false;
      // keyboard focus (and a field being typed in) hides the bar outright: no frame can race a scroll
      if (/^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName)) return true;
      try { if (a.matches(":focus-visible")) return true; } catch (e) { /* older browsers: geometry below */ }
      var r = a.getBoundingClientRect();
      return r.bottom > w.innerHeight - bar.offsetHeight - 8 && r.top < w.innerHeight;
    };
    var update = function () {
      bar.classList.toggle("is-on", shown.indexOf(true) < 0 && !covers());
    };
    var io = new w.IntersectionObserver(function (entries) {
      entries.forEach(function (e) { shown[e.target.fgIndex] = e.isIntersecting; });
      update();
    });
    Array.prototype.forEach.call(d.querySelectorAll("[data-fg-primary]"), function (t, i) {
      t.fgIndex = i; shown[i] = false; io.observe(t);
    });
    // again on the next frame: focusing may scroll the element into place after this event
    d.addEventListener("focusin", function () { update(); w.requestAnimationFrame(update); });
    d.addEventListener("focusout", function () { w.setTimeout(update, 0); });
    w.addEventListener("scroll", update, { passive: true });
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
  // Split tests (funnelgen/splitpage.py): the head script chose this page's variant before first paint
  // (<html data-fg-variant>); keep only that variant in the document and take its label and offer.
  // Ids inside a non-original variant carry "--<variant>" (unique in the static page): the kept one gets its own
  // ids back, so #anchors, labels and tag triggers read the same in every variant.
  if (P.variants) {
    var picked = d.documentElement.getAttribute("data-fg-variant");
    if (!Object.prototype.hasOwnProperty.call(P.variants, picked)) picked = P.variant;
    var tail = "--" + picked, plain = function (v) {
      return v.split(" ").map(function (t) { return t.slice(-tail.length) === tail ? t.slice(0, -tail.length) : t; }).join(" ");
    };
    Array.prototype.forEach.call(d.querySelectorAll(".fg-v"), function (n) {
      if (n.getAttribute("data-fg-v") !== picked) { if (n.parentNode) n.parentNode.removeChild(n); return; }
      if (picked === P.variant) return;
      var refs = ["id", "for", "aria-describedby", "aria-labelledby", "aria-controls", "href"];
      Array.prototype.forEach.call(n.querySelectorAll("[" + refs.slice(0, 5).join("],[") + "],[href^='#']"), function (e) {
        refs.forEach(function (a) {
          var v = e.getAttribute(a);
          if (v && (a !== "href" || v.charAt(0) === "#")) e.setAttribute(a, plain(v));
        });
      });
    });
    var own = P.variants[picked] || {};
    for (var vk in own) P[vk] = own[vk];
  }
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
      else if (key === "fg_variant") input.value = P.variant;
      else if (touch[key]) input.value = touch[key];
    });
    form.noValidate = true;  // without the runtime the browser's own validation still guards the form
    // Own validation: each field's message in the page's language, written by the
    // build (funnelgen/formfields.py), next to the field and announced (aria-describedby + aria-live).
    // Full-width input from a Japanese IME is normalised (NFKC) first, so 「ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ」 is sent as
    // yamada@example.jp.
    function normalise(f) {
      if (!f.hasAttribute("data-fg-normalise") || !f.value || !f.value.normalize) return;
      var v = f.value.normalize("NFKC").trim();
      if (f.type === "tel") v = v.replace(/[\u2010-\u2015\u2212\u30fc\uff70]/g, "-");
      if (f.type === "email") v = v.replace(/\s+/g, "");
      if (v !== f.value) f.value = v;
    }
    function day(offset, withTime) {  // the visitor's local date, offset days from today, as min/max wants it
      var t = new Date(); t.setDate(t.getDate() + offset);
      var s = t.getFullYear() + "-" + ("0" + (t.getMonth() + 1)).slice(-2) + "-" + ("0" + t.getDate()).slice(-2);
      return withTime ? s + "T00:00" : s;
    }
    Array.prototype.forEach.call(form.querySelectorAll("[data-fg-min-days]"), function (f) {
      var dt = f.type === "datetime-local";
      f.min = day(+f.getAttribute("data-fg-min-days"), dt);
      f.max = day(+f.getAttribute("data-fg-max-days"), dt).replace("T00:00", "T23:59");
    });
    function message(f) {
      var v = f.validity;
      if (v.valid) return "";
      if (v.valueMissing) return f.getAttribute("data-fg-required") || f.validationMessage;
      var show = function (x) { return new Date(x.slice(0, 10) + "T00:00").toLocaleDateString(d.documentElement.lang); };
      return (f.getAttribute("data-fg-invalid") || f.validationMessage)
        .replace("{min}", f.min ? show(f.min) : "").replace("{max}", f.max ? show(f.max) : "");
    }
    function mark(field) {
      normalise(field);
      var err = d.getElementById(field.id + "-error");
      var text = message(field);
      field.setAttribute("aria-invalid", text ? "true" : "false");
      if (err) err.textContent = text;
      return !!text;
    }
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.willValidate) return;
      f.addEventListener("blur", function () { normalise(f); if (f.hasAttribute("aria-invalid")) mark(f); });
      f.addEventListener("change", function () { if (f.hasAttribute("aria-invalid")) mark(f); });
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
  function decorate(href) {
    var url;
    try { url = new URL(href, w.location.href); } catch (e) { return href; }
    if (url.hostname !== "buy.stripe.com") return href;
    if (email && !url.searchParams.has("prefilled_email")) url.searchParams.set("prefilled_email", email);
    url.searchParams.set("client_reference_id", clean([funnel, P.step, P.variant].join("-")));
    C.utm.forEach(function (k) { if (touch[k]) url.searchParams.set(k, clean(touch[k])); });
    return url.toString();
  }
  // The offer a button charges (a plan, or the bump's bundle while its box is ticked) is what is reported.
  function chosen(a) { return (P.offers || {})[a.getAttribute("data-fg-offer")] || P.offer || null; }
  Array.prototype.forEach.call(d.querySelectorAll("a[data-fg-checkout]"), function (a) {
    var href = decorate(a.href);
    if (href !== a.href) a.href = href;  // other providers' links stay exactly as written
    a.addEventListener("click", function () { send("begin_checkout", chosen(a)); });
  });

  /*@IF bump@*/
  // Order bump: the (never pre-ticked) box switches the buy button to the bundle's own payment link, its
  // label and its order summary; unticking switches back. Shown only when this script runs.
  Array.prototype.forEach.call(d.querySelectorAll("input[data-fg-bump]"), function (box) {
    var section = box.closest("section") || d, a = section.querySelector("a[data-fg-checkout]");
    var plain = section.querySelector("table.summary"), extra = section.querySelector("[data-fg-bump-summary]");
    if (!a) return;
    var states = [
      { offer: a.getAttribute("data-fg-offer"), href: a.getAttribute("href"), label: a.textContent },
      { offer: box.getAttribute("data-fg-offer"), href: decorate(box.getAttribute("data-fg-href") || ""),
        label: box.getAttribute("data-fg-label") || a.textContent }];
    // buttons in the copy and the sticky bar that scroll to the order say the same as the buy button
    var echoes = Array.prototype.filter.call(d.querySelectorAll("a[data-fg-to-order], .sticky a[href='#order']"),
      function (e) { return e.textContent === states[0].label; });
    function apply() {
      var s = states[box.checked ? 1 : 0];
      a.setAttribute("data-fg-offer", s.offer);
      a.href = s.href;
      a.textContent = s.label;
      echoes.forEach(function (e) { e.textContent = s.label; });
      if (plain) plain.hidden = box.checked;
      if (extra) extra.hidden = !box.checked;
    }
    box.checked = false;
    box.addEventListener("change", apply);
    apply();
    var wrap = box.closest("[data-fg-bump-box]");
    if (wrap) wrap.hidden = false;
  });
  /*@ENDIF@*/

  // View of an offer page (a plan table: every plan as an item, and no value, since none is chosen yet).
  if (P.view_item && P.offer) send("view_item", P.offer);
  else if (P.view_item && P.offers) {
    send("view_item", null, { items: Object.keys(P.offers).map(function (k) { return item(P.offers[k]); }) });
  }

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
