// Pure-JS repro: AsyncResource.prototype.bind (what node:http2 request() does per call) promotes what the bound function reaches.
//   for m in bind plain none; do node --trace-gc-nvp scripts/gc-hunt/bind-repro.mjs $m | awk '/gc=s /{for(i=1;i<=NF;i++){split($i,a,"="); if(a[1]=="promoted")p+=a[2]}} END{print p/2e6, "B promoted per iteration"}'; done
// node 20.20.2: bind 1330 B/iteration and 5.7 us each; plain (runInAsyncScope.bind) and none 0.1 B.
import { AsyncResource } from "node:async_hooks";
const mode = process.argv[2];
function target(a, b) { return this.x + a.length + b.n; }
let sink = 0;
const N = 2_000_000;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const obj = { x: i, pad: new Array(8).fill(i) };
  let f;
  if (mode === "bind") f = new AsyncResource("PendingRequest").bind(target.bind(obj, [1, 2], { n: 1 }));
  else if (mode === "plain") { const r = new AsyncResource("PendingRequest"); f = r.runInAsyncScope.bind(r, target.bind(obj, [1, 2], { n: 1 }), undefined); }
  else f = target.bind(obj, [1, 2], { n: 1 });
  sink += f();
}
console.error(mode, "ms", (performance.now() - t0).toFixed(0), sink > 0);
