// Pure-JS repro: a long-lived Map churned like node:http2's session streams Map promotes every value; a fresh copy every 1024 sets does not.
//   node --expose-gc --trace-gc-nvp --no-allocation-site-pretenuring scripts/gc-hunt/old-map-churn.mjs map|fresh
const mode = process.argv[2];
let m = new Map();
// let the map (and its table) reach old space
for (let i = 0; i < 20; i++) { new Array(100000); }
globalThis.gc?.(); globalThis.gc?.();
const live = [];
let id = 0;
const N = 3_000_000;
const t0 = Date.now();
for (let i = 0; i < N; i++) {
  const o = { a: new Array(20).fill(i), b: { c: i } };
  const k = id++;
  if (mode === "obj") { live.push(k); m[k] = o; } else { m.set(k, o); live.push(k); }
  if (live.length > 16) { const d = live.shift(); if (mode === "obj") delete m[d]; else m.delete(d); }
  if (mode === "fresh" && (i & 1023) === 0) m = new Map(m);
}
console.log("done", Date.now() - t0, "ms");
