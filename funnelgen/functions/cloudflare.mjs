// Cloudflare Pages Functions entry for funnelgen's Stripe webhook: POST https://<site>/api/stripe-webhook
// Written by funnelgen to functions/api/stripe-webhook.js (file-based routing); purchase.mjs and the site's generated
// config.mjs go to functions/_funnelgen/ (they export no onRequest handler, so they are no routes).
// Docs: https://developers.cloudflare.com/pages/functions/api-reference/
// Secrets: Settings → Variables and Secrets of the Pages project, read from context.env.
// Optional replay store: bind a KV namespace as FG_WEBHOOK_EVENTS (https://developers.cloudflare.com/pages/functions/bindings/).
import { handleStripeWebhook, kvStore, memoryStore } from "../_funnelgen/purchase.mjs";
import site from "../_funnelgen/config.mjs";

const memory = memoryStore();

export async function onRequestPost(context) {
  const { request, env = {} } = context;
  const result = await handleStripeWebhook({
    rawBody: await request.text(), // read once (a second read throws on Workers), verified before it is parsed
    signatureHeader: request.headers.get("stripe-signature"),
    env: {
      STRIPE_WEBHOOK_SECRET: env.STRIPE_WEBHOOK_SECRET, GA4_API_SECRET: env.GA4_API_SECRET,
      META_ACCESS_TOKEN: env.META_ACCESS_TOKEN, META_TEST_EVENT_CODE: env.META_TEST_EVENT_CODE,
    },
    config: site,
    seen: env.FG_WEBHOOK_EVENTS ? kvStore(env.FG_WEBHOOK_EVENTS) : memory,
  });
  for (const line of result.log) console.log(`fg-stripe-webhook: ${line}`);
  return new Response(result.body + "\n", {
    status: result.status, headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
