// Hunts node:http2's `~Http2Session ... Assertion (current_nghttp2_memory_) == (0)` crash (seen once
// under test/robustness/fuzz.test.ts in CI, 2026-12-04; the bug class of nodejs/node#35233, #39951):
// a bare node:http2 server with our limits (maxSessionMemory 64, maxHeaderListSize 16 KiB) in this
// process; raw sockets send header blocks that node or nghttp2 rejects (too large, too many, cut
// CONTINUATION, reset or GOAWAY behind them), then close the connection three ways; a full GC after
// each. No crash found so far (N=20 per case and close, and N=5 with --gc-interval=2000).
//   node --expose-gc [--gc-interval=2000] --import tsx scripts/h2-crash-hunt.ts     [CASE=name] [N=20]
import http2 from "node:http2";
import net from "node:net";
import * as F from "../test/support/h2-frames.js";

const gc = (globalThis as { gc?: () => void }).gc!;
const server = http2.createServer({ maxSessionMemory: 64, settings: { maxHeaderListSize: 16384, maxConcurrentStreams: 100 } });
server.on("stream", (s) => { s.respond({ ":status": 200 }); s.end(); });
server.on("sessionError", () => {});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as net.AddressInfo).port;

function send(chunks: Buffer[], closeHow: "end" | "destroy" | "wait"): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => {
      s.write(Buffer.concat([F.PREFACE, F.settings()]));
      for (const c of chunks) s.write(c);
      if (closeHow === "end") s.end();
      else if (closeHow === "destroy") setTimeout(() => s.destroy(), 5);
    });
    s.on("data", () => {});
    s.on("error", () => {});
    s.on("close", () => resolve());
    setTimeout(() => s.destroy(), closeHow === "wait" ? 50 : 30);
  });
}
const big = (n: number) => "a".repeat(n);
const block = (extra: [string, string][]) => F.grpcRequestBlock("/user.UserService/GetUser", extra);
const cases: Record<string, () => Buffer[]> = {
  hugeValueOneFrame: () => [F.headers(1, block([["x-big", big(20000)]]), { endHeaders: true })],
  hugeValueContinuation: () => { const b = block([["x-big", big(90000)]]); const out = [F.headers(1, b.subarray(0, 16000))]; for (let i = 16000; i < b.length; i += 16000) out.push(F.continuation(1, b.subarray(i, i + 16000), i + 16000 >= b.length)); return out; },
  halfContinuation: () => { const b = block([["x-big", big(30000)]]); return [F.headers(1, b.subarray(0, 16000)), F.continuation(1, b.subarray(16000, 20000))]; },
  manyHeaders: () => [F.headers(1, block(Array.from({ length: 3000 }, (_, i) => [`x-h${i}`, "v"] as [string, string])), { endHeaders: true })],
  bigThenRst: () => [F.headers(1, block([["x-big", big(20000)]]), { endHeaders: true }), F.rstStream(1, 8)],
  twoStreamsBig: () => [F.headers(1, block([["x-big", big(20000)]]), { endHeaders: true }), F.headers(3, block([["x-big", big(20000)]]), { endHeaders: true })],
  bigThenGoaway: () => [F.headers(1, block([["x-big", big(20000)]]), { endHeaders: true }), F.goaway(0, 0)],
  badThenBig: () => [F.headers(1, block([["Upper", "x"]]), { endHeaders: true }), F.headers(3, block([["x-big", big(20000)]]), { endHeaders: true })],
  bigAfterData: () => [F.headers(1, block([]), { endHeaders: true }), F.data(1, Buffer.alloc(100)), F.headers(1, block([["x-big", big(20000)]]), { endHeaders: true, endStream: true })],
  trailersBig: () => [F.headers(1, block([]), { endHeaders: true }), F.headers(1, F.headerBlock([["x-big", big(20000)]]), { endHeaders: true, endStream: true })],
};
const only = process.env.CASE;
for (const [name, make] of Object.entries(cases)) {
  if (only && only !== name) continue;
  for (const how of ["end", "destroy", "wait"] as const) {
    for (let i = 0; i < Number(process.env.N ?? 20); i++) {
      await send(make(), how);
      gc();
    }
    process.stdout.write(`${name}/${how} ok\n`);
  }
}
server.close();
gc();
process.stdout.write("done\n");
