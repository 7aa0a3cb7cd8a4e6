// Netlify Functions (v2) entry for funnelgen's Stripe webhook: POST https://<site>/api/stripe-webhook
// Written by funnelgen to netlify/functions/fg-stripe-webhook/fg-stripe-webhook.mjs next to purchase.mjs and the
// site's generated config.mjs. Docs: https://docs.netlify.com/functions/get-started/
// Secrets come from the site's environment variables (Functions scope; variables in netlify.toml do not reach
// functions): https://docs.netlify.com/build/functions/environment-variables/
import { handleStripeWebhook, memoryStore } from "./purchase.mjs";
import site from "./config.mjs";

const NAMES = ["STRIPE_WEBHOOK_SECRET", "GA4_API_SECRET", "META_ACCESS_TOKEN", "META_TEST_EVENT_CODE"];
// Replay store: this instance's memory (see docs/server-events.md; both platforms also deduplicate on the event id).
const seen = memoryStore();

function readEnv() {
  const netlifyEnv = globalThis.Netlify && globalThis.Netlify.env;
  const processEnv = typeof process !== "undefined" && process.env ? process.env : {};
  return Object.fromEntries(NAMES.map((name) => [name, (netlifyEnv && netlifyEnv.get(name)) || processEnv[name]]));
}

export default async (req) => {
  if (req.method !== "POST") return new Response("POST only\n", { status: 405, headers: { allow: "POST" } });
  const result = await handleStripeWebhook({
    rawBody: await req.text(), // the exact bytes Stripe signed: read once, as text, before anything parses them
    signatureHeader: req.headers.get("stripe-signature"),
    env: readEnv(), config: site, seen,
  });
  for (const line of result.log) console.log(`fg-stripe-webhook: ${line}`);
  return new Response(result.body + "\n", {
    status: result.status, headers: { "content-type": "text/plain; charset=utf-8" },
  });
};

export const config = { path: "/api/stripe-webhook", method: ["POST"] };
