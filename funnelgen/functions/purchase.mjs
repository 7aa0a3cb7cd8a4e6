// funnelgen server-side purchase events: Stripe webhook in, GA4 Measurement Protocol and Meta Conversions API out.
//
// One dependency-free ES module for Node 20 (Netlify Functions) and Cloudflare Workers (Pages Functions): only Web
// platform APIs (crypto.subtle, TextEncoder, URL, fetch). The host wrappers (netlify.mjs, cloudflare.mjs) read the raw
// body, the Stripe-Signature header and the environment, and call handleStripeWebhook.
//
// Sources:
//   Stripe signatures (algorithm of stripe-node, 300 s tolerance):
//     https://docs.stripe.com/webhooks#verify-manually · https://github.com/stripe/stripe-node/blob/master/src/Webhooks.ts
//   Checkout Session fields: https://docs.stripe.com/api/checkout/sessions/object
//   Paid vs delayed payment methods: https://docs.stripe.com/checkout/fulfillment
//   Minor units: https://docs.stripe.com/currencies#zero-decimal
//   GA4 Measurement Protocol: https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference
//   Meta Conversions API: https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
//     parameters: https://developers.facebook.com/docs/marketing-api/conversions-api/parameters
//     deduplication: https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events
//
// Status codes. Stripe retries every non-2xx answer for up to three days, so:
//   400  the request is not a genuine, fresh Stripe event (no secret configured, no or bad signature, timestamp outside
//        the tolerance, body not JSON). Retrying cannot make a forgery genuine; a missing secret is fixed by setting it,
//        and Stripe's retries then deliver the held-back events.
//   200  everything else that retrying would not change: events we do not count ("ignored": other types, unpaid
//        sessions, checkouts of other sites or products on the same Stripe account) and events we refuse ("refused":
//        an fg_offer this site does not sell, a replayed event id). A 4xx/5xx here would make Stripe retry for three
//        days, e-mail the account owner about a failing endpoint and eventually disable it, for events that are
//        simply not ours. The reason is in the body and in the log.
//   503  a vendor could not be reached (network error, HTTP 5xx or 429): Stripe retries later. Vendors already sent
//        are remembered per event and not sent again; both platforms deduplicate on the same id anyway. Any other vendor
//        answer (e.g. 400/401: a wrong token or a rejected payload) is logged and the webhook answers 200, because a
//        retry would be refused the same way.

export const TOLERANCE_SECONDS = 300; // stripe-node's DEFAULT_TOLERANCE
export const META_API_VERSION = "v25.0"; // Graph API version in Meta's current Conversions API examples
export const DEFAULT_ENDPOINTS = { ga4: "https://www.google-analytics.com", meta: "https://graph.facebook.com" };
export const EVENT_TYPES = ["checkout.session.completed", "checkout.session.async_payment_succeeded"];

// Stripe amounts are in the currency's minor unit; these currencies have none, or three decimals
// (https://docs.stripe.com/currencies#zero-decimal, #three-decimal). Every other currency: cents.
const ZERO_DECIMAL = new Set(["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
  "XAF", "XOF", "XPF"]);
const THREE_DECIMAL = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);

const enc = new TextEncoder();

function subtle() {
  const c = globalThis.crypto && globalThis.crypto.subtle;
  if (!c) throw new Error("Web Crypto (crypto.subtle) is not available: Node 20+ or Cloudflare Workers needed");
  return c;
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(text) {
  return hex(await subtle().digest("SHA-256", enc.encode(text)));
}

/** The id the browser (funnel.js) gives vendors for this transaction: "fg_" + 32 hex digits of SHA-256(session id).
 * Same as funnelgen.tracking.transaction_event_id, so GA4 and Meta deduplicate the browser and server events. */
export async function transactionEventId(sessionId) {
  return "fg_" + (await sha256Hex(sessionId)).slice(0, 32);
}

/** Constant-time comparison of two strings of hex digits (no early exit on the first difference). */
function sameHex(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Checks a Stripe-Signature header ("t=…,v1=…,v1=…,v0=…") against the raw body. Returns null when it is good, else
 * the reason. Every v1 signature is tried (Stripe sends several while a secret is being rotated). */
export async function verifyStripeSignature(rawBody, header, secret, nowSeconds, tolerance = TOLERANCE_SECONDS) {
  if (!secret) return "STRIPE_WEBHOOK_SECRET is not set on the host";
  if (!header) return "no Stripe-Signature header";
  let timestamp = null;
  const signatures = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === "t") timestamp = value;
    else if (key === "v1") signatures.push(value.toLowerCase());
  }
  if (!timestamp || !/^\d+$/.test(timestamp)) return "Stripe-Signature has no timestamp";
  if (!signatures.length) return "Stripe-Signature has no v1 signature";
  const key = await subtle().importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const expected = hex(await subtle().sign("HMAC", key, enc.encode(`${timestamp}.${rawBody}`)));
  let match = false;
  for (const s of signatures) match = sameHex(s, expected) || match; // try all, whatever the first one says
  if (!match) return "signature does not match (wrong STRIPE_WEBHOOK_SECRET, or the body was changed)";
  const age = nowSeconds - Number(timestamp);
  if (Math.abs(age) > tolerance) return `timestamp is ${age} s old, outside the ${tolerance} s tolerance (replay?)`;
  return null;
}

/** The amount Stripe charged, in major units: 9800 (jpy) → 9800; 1999 (usd) → 19.99. */
export function majorUnits(amount, currency) {
  const c = String(currency || "").toUpperCase();
  if (ZERO_DECIMAL.has(c)) return amount;
  return THREE_DECIMAL.has(c) ? amount / 1000 : amount / 100;
}

/** An in-memory replay store: lives as long as the function instance (lost on a cold start, not shared between
 * instances). The default when the host offers nothing durable. */
export function memoryStore(limit = 10000) {
  const ids = new Set();
  return {
    async has(id) { return ids.has(id); },
    async add(id) {
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value);
    },
  };
}

/** A replay store on a Cloudflare KV namespace (get/put), kept for 7 days: longer than Stripe retries (3 days). */
export function kvStore(kv, ttlSeconds = 7 * 24 * 3600) {
  return {
    async has(id) { return (await kv.get(`fg-stripe/${id}`)) !== null; },
    async add(id) { await kv.put(`fg-stripe/${id}`, "1", { expirationTtl: ttlSeconds }); },
  };
}

function parseUrl(text) {
  try { return new URL(text); } catch { return null; }
}

function isTransient(status) {
  return status === 0 || status === 429 || status >= 500; // 0: no answer (network error, timeout)
}

export const VENDOR_TIMEOUT_MS = 8000; // well inside the time Stripe waits for an answer

async function post(fetchImpl, url, body) {
  try {
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
    if (typeof AbortSignal !== "undefined" && AbortSignal.timeout) init.signal = AbortSignal.timeout(VENDOR_TIMEOUT_MS);
    const response = await fetchImpl(url, init);
    return { status: response.status, text: (await response.text().catch(() => "")).slice(0, 300) };
  } catch (error) {
    return { status: 0, text: String(error && error.message || error) };
  }
}

function ga4Request(config, env, sale) {
  const base = (config.endpoints && config.endpoints.ga4) || DEFAULT_ENDPOINTS.ga4;
  const url = `${base}/mp/collect?measurement_id=${encodeURIComponent(config.ga4)}` +
    `&api_secret=${encodeURIComponent(env.GA4_API_SECRET)}`;
  return {
    url,
    body: {
      // A webhook never sees the browser's _ga cookie, so this is not the buyer's GA client id: it is derived from the
      // Checkout Session (the same session always gives the same id; it reveals nothing about the session id).
      client_id: sale.clientId,
      timestamp_micros: sale.eventTime * 1000000,
      events: [{
        name: "purchase",
        params: {
          transaction_id: sale.eventId, value: sale.value, currency: sale.currency,
          items: [{ item_id: sale.offer, item_name: sale.offerName, price: sale.value, quantity: 1 }],
        },
      }],
    },
  };
}

function metaRequest(config, env, sale) {
  const base = (config.endpoints && config.endpoints.meta) || DEFAULT_ENDPOINTS.meta;
  const version = config.meta_api_version || META_API_VERSION;
  const url = `${base}/${version}/${encodeURIComponent(config.meta_pixel)}/events` +
    `?access_token=${encodeURIComponent(env.META_ACCESS_TOKEN)}`;
  // Meta asks for client_user_agent (and likes fbp/fbc/IP) on website events; a Stripe webhook has none of them,
  // only the buyer's e-mail (https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event#action-source).
  const userData = {};
  if (sale.emailHash) userData.em = [sale.emailHash];
  const body = {
    data: [{
      event_name: "Purchase", event_time: sale.eventTime, event_id: sale.eventId, action_source: "website",
      event_source_url: sale.sourceUrl, user_data: userData,
      custom_data: { value: sale.value, currency: sale.currency, content_ids: [sale.offer], content_type: "product" },
    }],
  };
  if (env.META_TEST_EVENT_CODE) body.test_event_code = env.META_TEST_EVENT_CODE; // Events Manager → Test events
  return { url, body };
}

/**
 * Handles one Stripe webhook delivery.
 *   rawBody          the request body exactly as received (string)
 *   signatureHeader  the Stripe-Signature header
 *   env              STRIPE_WEBHOOK_SECRET, GA4_API_SECRET, META_ACCESS_TOKEN, optional META_TEST_EVENT_CODE
 *   config           generated from site.yml: { site, offers: {id: {name, currency}}, ga4, meta_pixel, endpoints }
 *   fetch            the fetch to use (tests pass one; default globalThis.fetch)
 *   now              milliseconds since the epoch, or a function returning them (default Date.now)
 *   seen             replay store { has(id), add(id) } (async); default: a fresh in-memory store
 * Returns { status, body, log: [lines] }. The log never holds a secret, an e-mail address or a raw session id.
 */
export async function handleStripeWebhook({ rawBody, signatureHeader, env = {}, config = {}, fetch, now, seen } = {}) {
  const log = [];
  const done = (status, body) => {
    log.push(`${status} ${body}`);
    return { status, body, log };
  };
  const fetchImpl = fetch || globalThis.fetch;
  const nowMs = typeof now === "function" ? now() : (typeof now === "number" ? now : Date.now());
  const store = seen || memoryStore();
  const raw = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody || new Uint8Array());

  const bad = await verifyStripeSignature(raw, signatureHeader, env.STRIPE_WEBHOOK_SECRET, Math.floor(nowMs / 1000));
  if (bad) return done(400, `refused: ${bad}`);
  let event;
  try { event = JSON.parse(raw); } catch { return done(400, "refused: body is not JSON"); }
  const session = event && event.data && event.data.object;
  if (!event || !event.id || !session) return done(400, "refused: not a Stripe event");
  log.push(`${event.id} ${event.type}${event.livemode === false ? " (test mode)" : ""}`);

  if (!EVENT_TYPES.includes(event.type)) return done(200, `ignored: ${event.type} is not a purchase`);
  if (event.type === "checkout.session.completed" && session.payment_status !== "paid") {
    // "unpaid": a delayed payment method (konbini, bank transfer …); async_payment_succeeded follows when it is paid.
    // "no_payment_required": nothing was charged.
    return done(200, `ignored: payment_status is ${session.payment_status}`);
  }

  const successUrl = parseUrl(session.success_url || "");
  const offerId = successUrl && successUrl.searchParams.get("fg_offer");
  if (!offerId) return done(200, "ignored: success_url has no fg_offer (not a funnelgen checkout)");
  const site = parseUrl(config.site || "");
  if (site && successUrl.host !== site.host) {
    return done(200, `ignored: success_url is on ${successUrl.host}, this site is ${site.host}`);
  }
  const offer = (config.offers || {})[offerId];
  if (!offer) return done(200, `refused: unknown offer ${JSON.stringify(offerId.slice(0, 64))}`);
  if (await store.has(event.id)) return done(200, `refused: ${event.id} was already processed (replay)`);

  if (!Number.isInteger(session.amount_total) || !session.currency || !session.id) {
    return done(200, "refused: session has no amount_total, currency or id");
  }
  const currency = String(session.currency).toUpperCase();
  if (offer.currency && offer.currency !== currency) {
    log.push(`note: ${offerId} is configured in ${offer.currency}, Stripe charged ${currency}; sending what Stripe charged`);
  }
  const email = session.customer_details && session.customer_details.email || session.customer_email || "";
  const sessionHash = await sha256Hex(session.id);
  const sale = {
    offer: offerId, offerName: offer.name || offerId, currency,
    value: majorUnits(session.amount_total, currency),
    eventId: "fg_" + sessionHash.slice(0, 32),
    eventTime: Number.isInteger(event.created) ? event.created : Math.floor(nowMs / 1000),
    clientId: `${parseInt(sessionHash.slice(32, 40), 16)}.${Number(session.created) || 0}`,
    emailHash: email ? await sha256Hex(email.trim().toLowerCase()) : null,
    sourceUrl: successUrl.origin + successUrl.pathname, // without the query: the raw session id never leaves
  };
  log.push(`purchase ${sale.eventId} offer=${offerId} value=${sale.value} ${currency}`);

  const vendors = [];
  if (config.ga4 && env.GA4_API_SECRET) vendors.push(["ga4", ga4Request(config, env, sale)]);
  else if (config.ga4) log.push("ga4: not sent, GA4_API_SECRET is not set");
  if (config.meta_pixel && env.META_ACCESS_TOKEN) vendors.push(["meta", metaRequest(config, env, sale)]);
  else if (config.meta_pixel) log.push("meta: not sent, META_ACCESS_TOKEN is not set");

  const results = await Promise.all(vendors.map(async ([name, request]) => {
    const key = `${event.id}/${name}`;
    if (await store.has(key)) return [name, "sent before"];
    const result = await post(fetchImpl, request.url, request.body);
    if (result.status >= 200 && result.status < 300) {
      await store.add(key);
      return [name, "sent"];
    }
    log.push(`${name}: HTTP ${result.status || "error"} ${result.text}`);
    return [name, isTransient(result.status) ? "retry" : "failed"];
  }));
  const summary = results.map(([name, outcome]) => `${name} ${outcome}`).join(", ") || "no vendor configured";
  if (results.some(([, outcome]) => outcome === "retry")) return done(503, `retry: ${summary}`);
  await store.add(event.id);
  return done(200, `ok: ${summary}`);
}
