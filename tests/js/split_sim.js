// Runs funnelgen's split-test head script (funnelgen/runtime/split.js) for simulated visitors in Node's vm,
// with a seeded random number generator, fake storage and a fake <html>; prints what each visit chose.
// Usage: node split_sim.js <split.js> '<scenario json>'   (tests/test_split_script.py)
"use strict";
const fs = require("fs");
const vm = require("vm");

const script = new vm.Script(fs.readFileSync(process.argv[2], "utf8"));
const scenario = JSON.parse(process.argv[3]);

function mulberry32(a) {  // a small seeded PRNG (public domain, Tommy Ettinger)
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function storage(blocked) {
  const m = new Map();
  return {
    getItem(k) { if (blocked) throw new Error("SecurityError"); return m.has(k) ? m.get(k) : null; },
    setItem(k, v) { if (blocked) throw new Error("QuotaExceededError"); m.set(k, String(v)); },
    dump() { return Object.fromEntries(m); },
  };
}

const ctx = vm.createContext({ URLSearchParams });
const rng = mulberry32(scenario.seed || 1);
vm.runInContext("Math.random = function () { return __rng(); }", Object.assign(ctx, { __rng: rng }));
const visitors = {};
const out = [];

function visit(v) {
  const who = visitors[v.visitor] || (visitors[v.visitor] = { local: storage(v.blocked), session: storage(v.blocked) });
  if (v.new_session) who.session = storage(v.blocked);
  const attrs = {};
  ctx.document = {
    documentElement: { setAttribute(k, val) { attrs[k] = val; } },
    currentScript: { getAttribute(name) { return name === "data-fg-split" ? JSON.stringify(v.config) : null; } },
  };
  ctx.window = { localStorage: who.local, sessionStorage: who.session, location: { search: v.search || "" } };
  script.runInContext(ctx);
  return { variant: attrs["data-fg-variant"] || null, forced: attrs["data-fg-forced"] || null,
           local: who.local.dump(), session: who.session.dump() };
}

if (scenario.visitors) {  // many new visitors, one visit each: how many got each variant
  const counts = {};
  for (let i = 0; i < scenario.visitors; i++) {
    const r = visit({ visitor: "v" + i, config: scenario.config });
    counts[r.variant] = (counts[r.variant] || 0) + 1;
    delete visitors["v" + i];
  }
  out.push(counts);
}
for (const v of scenario.visits || []) out.push(visit(v));
process.stdout.write(JSON.stringify(out));
