// src/client/lean-request.ts and src/wire/young-stream-tables.ts on the client, and respond()'s
// options on the server (src/server/respond.ts): a finished call's objects must die young. Under load (16 calls in flight on one session, our server in this process
// doing the same for its side), the bytes promoted by young-generation GCs per call stay a fraction of
// what node:http2's request() alone promotes (~4.4 KB per call of the client's, 5+ KB here).
import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import * as v8 from "node:v8";
import { expect, test } from "vitest";
import { clientMethods } from "../../src/client/index.js";
import { leanBindCount, requestStream } from "../../src/client/lean-request.js";
import { EchoService, echo } from "../support/echo-service.js";
import { startOurEcho } from "../support/our-echo.js";

const M = clientMethods(EchoService);

interface GcStat {
  gcType: string;
  beforeGC: { heapSpaceStatistics: Array<{ spaceName: string; spaceUsedSize: number }> };
  afterGC: { heapSpaceStatistics: Array<{ spaceName: string; spaceUsedSize: number }> };
}
const oldUsed = (s: GcStat["beforeGC"]): number => s.heapSpaceStatistics.find((x) => x.spaceName === "old_space")?.spaceUsedSize ?? 0;

test("a finished unary call is not promoted out of the young generation", async () => {
  const e = await startOurEcho();
  try {
    const run = async (calls: number): Promise<void> => {
      let left = calls;
      const worker = async (): Promise<void> => {
        while (left-- > 0) expect((await e.client.unary(M.Unary, echo({ text: "x" }))).text).toBe("x");
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    };
    await run(2000); // warm: the sessions, their stream tables and the code are old by now
    const profiler = new v8.GCProfiler();
    profiler.start();
    const CALLS = 6000;
    await run(CALLS);
    const { statistics } = profiler.stop() as unknown as { statistics: GcStat[] };
    const scavenges = statistics.filter((s) => s.gcType === "Scavenge");
    const promoted = scavenges.reduce((sum, s) => sum + Math.max(0, oldUsed(s.afterGC) - oldUsed(s.beforeGC)), 0);
    expect(scavenges.length).toBeGreaterThan(0);
    // Measured: 12–14 B. Without endStream in the server's respond() options (src/server/respond.ts)
    // 100–115 B; without the client's full request() options ~525 B, without the young tables ~2.1 KB,
    // without the lean bind ~5.3 KB.
    expect(promoted / CALLS, `bytes promoted per call over ${scavenges.length} scavenges`).toBeLessThan(60);
  } finally {
    await e.close();
  }
});

/** A bare node:http2 server answering 200 to every stream. */
async function okServer(): Promise<{ srv: http2.Http2Server; url: string }> {
  const srv = http2.createServer();
  srv.on("stream", (s) => s.respond({ ":status": 200 }, { endStream: true }));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { srv, url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` };
}

function status(s: http2.ClientHttp2Stream): Promise<number> {
  return new Promise((resolve, reject) => {
    s.on("response", (h) => resolve(Number(h[":status"])));
    s.on("error", reject);
    s.resume();
  });
}

test("requestStream opens streams before and after the session connects, and puts node's bind back", async () => {
  const nodeBind = AsyncResource.prototype.bind;
  const { srv, url } = await okServer();
  const session = http2.connect(url);
  try {
    const before = leanBindCount();
    // Before 'connect' node defers the stream's start through the bound function: it must still run,
    // in the async context request() was called in (node's 'ready' is emitted from it).
    const als = new AsyncLocalStorage<string>();
    const early = als.run("caller", () => requestStream(session, { ":path": "/", ":method": "POST" }));
    const readyIn = new Promise<string | undefined>((r) => early.once("ready", () => r(als.getStore())));
    early.end();
    expect(AsyncResource.prototype.bind).toBe(nodeBind);
    expect(await readyIn).toBe("caller");
    expect(await status(early)).toBe(200);
    const late = requestStream(session, { ":path": "/", ":method": "POST" });
    late.end();
    expect(await status(late)).toBe(200);
    // node 20's request() binds once per stream; both went through the lean bind.
    expect(leanBindCount() - before).toBe(2);
    expect(AsyncResource.prototype.bind).toBe(nodeBind);
    session.destroy();
    expect(() => requestStream(session, { ":path": "/" })).toThrow(/ERR_HTTP2_INVALID_SESSION|destroyed/);
    expect(AsyncResource.prototype.bind).toBe(nodeBind);
  } finally {
    session.destroy();
    await new Promise((r) => srv.close(r));
  }
});
