(function (w, d) {
"use strict";
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
if (w.__fgTagsRun) w.location.reload();
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
var bar = d.querySelector("[data-fg-sticky]");
if (bar && w.IntersectionObserver) {
var shown = [];
var covers = function () {
var a = d.activeElement;
if (!a || a === d.body || bar.contains(a)) return false;
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
d.addEventListener("focusin", update);
d.addEventListener("focusout", function () { w.setTimeout(update, 0); });
w.addEventListener("scroll", update, { passive: true });
}
var el = d.getElementById("fg-page");
if (!el) return;
var P = JSON.parse(el.textContent);
if (P.variants) {
var chosen = d.documentElement.getAttribute("data-fg-variant");
if (!Object.prototype.hasOwnProperty.call(P.variants, chosen)) chosen = P.variant;
var tail = "--" + chosen, plain = function (v) {
return v.split(" ").map(function (t) { return t.slice(-tail.length) === tail ? t.slice(0, -tail.length) : t; }).join(" ");
};
Array.prototype.forEach.call(d.querySelectorAll(".fg-v"), function (n) {
if (n.getAttribute("data-fg-v") !== chosen) { if (n.parentNode) n.parentNode.removeChild(n); return; }
if (chosen === P.variant) return;
var refs = ["id", "for", "aria-describedby", "aria-labelledby", "aria-controls", "href"];
Array.prototype.forEach.call(n.querySelectorAll("[" + refs.slice(0, 5).join("],[") + "],[href^='#']"), function (e) {
refs.forEach(function (a) {
var v = e.getAttribute(a);
if (v && (a !== "href" || v.charAt(0) === "#")) e.setAttribute(a, plain(v));
});
});
});
var own = P.variants[chosen] || {};
for (var vk in own) P[vk] = own[vk];
}
var C = {"keys":["utm_source","utm_medium","utm_campaign","utm_term","utm_content","gclid","fbclid","yclid","ttclid","ldtag_cl","twclid"],"utm":["utm_source","utm_medium","utm_campaign","utm_term","utm_content"],"tx":[["session_id","^cs_(test|live)_[A-Za-z0-9_]{6,250}$"],["transaction_id","^[A-Za-z0-9][A-Za-z0-9._-]{5,127}$"],["order_id","^[A-Za-z0-9][A-Za-z0-9._-]{5,127}$"],["orderId","^[A-Za-z0-9][A-Za-z0-9._-]{5,127}$"]],"events":{"lead":"generate_lead","registration":"sign_up","view_item":"view_item","begin_checkout":"begin_checkout","purchase":"purchase"},"browser_purchase":true,"vendors":{"ga4":{"names":{"lead":"generate_lead","registration":"sign_up","view_item":"view_item","begin_checkout":"begin_checkout","purchase":"purchase"},"config":null},"meta_pixel":{"names":{"lead":"Lead","registration":"CompleteRegistration","view_item":"ViewContent","begin_checkout":"InitiateCheckout","purchase":"Purchase"},"config":null},"line_tag":{"names":{"lead":"Lead","registration":"Lead","purchase":"Purchase"},"config":"3f6a2c1e-8b4d-4f7a-9c2e-5d1b0a7e6f43"}}};
var ADAPTERS = {"ga4":function (d, cfg, w) { if (typeof w.gtag === 'function') w.gtag('event', d.name, d.params); },"meta_pixel":function (d, cfg, w) { if (typeof w.fbq !== 'function') return; var o = d.offer, m = o ? { value: o.value, currency: o.currency, content_ids: [o.id], content_name: o.name, content_type: 'product' } : {}; if (d.eventId) w.fbq('track', d.name, m, { eventID: d.eventId }); else w.fbq('track', d.name, m); },"line_tag":function (d, cfg, w) { if (typeof w._lt !== 'function') return; var cv = { type: d.name }; if (d.offer) { cv.value = d.offer.value; cv.currency = d.offer.currency; } w._lt('send', 'cv', cv, [cfg]); }};
w.dataLayer = w.dataLayer || [];
function store(kind) { try { return w[kind]; } catch (e) { return null; } }
var local = store("localStorage"), session = store("sessionStorage");
function get(s, k) { try { return s ? s.getItem(k) : null; } catch (e) { return null; } }
function put(s, k, v) { try { if (s) s.setItem(k, v); } catch (e) { /* private mode */ } }
function clean(v) { return String(v).replace(/[^A-Za-z0-9_\-.]/g, "_").slice(0, 150); }
var query = new URLSearchParams(w.location.search);
var touch = null;
try { touch = JSON.parse(get(local, "fg_touch") || "null"); } catch (e) { touch = null; }
if (!touch) {
var found = {}, any = false;
C.keys.forEach(function (k) { var v = query.get(k); if (v) { found[k] = v.slice(0, 150); any = true; } });
if (any) { touch = found; put(local, "fg_touch", JSON.stringify(found)); }
}
touch = touch || {};
var funnel = get(session, "fg_funnel");
if (P.entry_of) { funnel = P.entry_of; put(session, "fg_funnel", funnel); }
if (!funnel || (P.funnels || []).indexOf(funnel) < 0) funnel = (P.funnels || [])[0] || "";
var base = { fg_funnel: funnel, fg_step: P.step, fg_variant: P.variant };
function item(o) { return { item_id: o.id, item_name: o.name, price: o.value, quantity: 1 }; }
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
Array.prototype.forEach.call(d.querySelectorAll("form[data-fg-form]"), function (form) {
Array.prototype.forEach.call(form.querySelectorAll("input[data-fg-hidden]"), function (input) {
var key = input.getAttribute("data-fg-hidden");
if (key === "fg_funnel") input.value = funnel;
else if (key === "fg_variant") input.value = P.variant;
else if (touch[key]) input.value = touch[key];
});
form.noValidate = true;
function normalise(f) {
if (!f.hasAttribute("data-fg-normalise") || !f.value || !f.value.normalize) return;
var v = f.value.normalize("NFKC").trim();
if (f.type === "tel") v = v.replace(/[\u2010-\u2015\u2212\u30fc\uff70]/g, "-");
if (f.type === "email") v = v.replace(/\s+/g, "");
if (v !== f.value) f.value = v;
}
function day(offset, withTime) {
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
function chosen(a) { return (P.offers || {})[a.getAttribute("data-fg-offer")] || P.offer || null; }
Array.prototype.forEach.call(d.querySelectorAll("a[data-fg-checkout]"), function (a) {
var href = decorate(a.href);
if (href !== a.href) a.href = href;
a.addEventListener("click", function () { send("begin_checkout", chosen(a)); });
});
Array.prototype.forEach.call(d.querySelectorAll("input[data-fg-bump]"), function (box) {
var section = box.closest("section") || d, a = section.querySelector("a[data-fg-checkout]");
var plain = section.querySelector("table.summary"), extra = section.querySelector("[data-fg-bump-summary]");
if (!a) return;
var states = [
{ offer: a.getAttribute("data-fg-offer"), href: a.getAttribute("href"), label: a.textContent },
{ offer: box.getAttribute("data-fg-offer"), href: decorate(box.getAttribute("data-fg-href") || ""),
label: box.getAttribute("data-fg-label") || a.textContent }];
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
if (P.view_item && P.offer) send("view_item", P.offer);
else if (P.view_item && P.offers) {
send("view_item", null, { items: Object.keys(P.offers).map(function (k) { return item(P.offers[k]); }) });
}
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
if (bought && tx && C.browser_purchase !== false) {
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
