// Deterministic repro of node:http2's native abort `Http2Session::~Http2Session(): Assertion
// (current_nghttp2_memory_) == (0)` (node 20.20.2; class of nodejs/node#35233, #39951, CVE-2024-27983):
// a stream holds an unfinished header block (RFC 9113 §4.3: HEADERS without END_HEADERS) when its session
// is destroyed while a write of that stream is still on the socket; node then leaves the stream out of
// the session's teardown, and a GC that frees the session before the stream aborts the process.
//
//   node --expose-gc --import tsx scripts/h2-session-memory-abort.ts [--target bare|ours] [--pin] [--connections N]
//
// Per connection (127.0.0.1 only, N connections, default 20): the client sends, in ONE write, request
// HEADERS (END_HEADERS, no END_STREAM), one DATA message and a trailer HEADERS without END_HEADERS; it
// never reads, so the server's 4 MiB response stays on the server's socket; the server then destroys
// the session (bare: session.destroy() 50 ms later; ours: keepalive ping unanswered, the same
// session.destroy() a client that stops reading gets from src/server/keepalive.ts). A forced GC follows every 5 connections.
// Unmitigated: exit 134 and the assertion on stderr, at the first GC. Mitigated (`--pin` for bare;
// always for ours, src/wire/session-pin.ts pinSessionOnEarlyDestroy): "no abort", exit 0.
// See docs/RELIABILITY.md, "Native http2 abort on a torn header block".

import * as http2 from "node:http2";
import * as net from "node:net";
import * as F from "../test/support/h2-frames.js";
import { Server } from "../src/server/server.js";
import { pinSessionOnEarlyDestroy } from "../src/wire/session-pin.js";
import { EchoMessageCodec, EchoService } from "../test/support/echo-service.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const TARGET = arg("target", "bare");
const PIN = process.argv.includes("--pin");
const CONNECTIONS = Math.min(1_000, Number(arg("connections", "20")));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const BODY = 4 * 1024 * 1024;

interface Target {
  port: number;
  path: string;
  /** Resolves when the server has destroyed its next session (sessions are accepted in connection order). */
  nextSessionDestroyed(): Promise<void>;
  close(): void;
}

/** Each accepted session, in order; the next one's destroy() is seen by polling `destroyed` (node emits
 *  'close' only once the socket is gone, and the client holds it open on purpose). */
function sessionDestroys(srv: http2.Http2Server): () => Promise<void> {
  const sessions: Array<http2.ServerHttp2Session | undefined> = [];
  srv.on("session", (s: http2.ServerHttp2Session) => void sessions.push(s));
  let next = 0;
  return async () => {
    while (sessions[next]?.destroyed !== true) await settle(5);
    sessions[next++] = undefined; // let it be collected
  };
}

async function bare(): Promise<Target> {
  const srv = http2.createServer({ maxSessionMemory: 64 });
  srv.on("stream", (s) => {
    s.on("error", () => {});
    if (PIN) pinSessionOnEarlyDestroy(s);
    s.respond({ ":status": 200, "content-type": "application/grpc" });
    s.write(Buffer.alloc(BODY)); // more than the socket buffers take: the write stays on the socket
    setTimeout(() => s.session?.destroy(), 50);
  });
  srv.on("session", (s) => s.on("error", () => {}));
  const nextSessionDestroyed = sessionDestroys(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { port: (srv.address() as net.AddressInfo).port, path: "/x", nextSessionDestroyed, close: () => srv.close() };
}

async function ours(): Promise<Target> {
  // Keepalive: a PING every 50 ms, destroyed when one is not acknowledged within 50 ms (the client never reads).
  const srv = new Server({ keepalive: { timeMs: 50, timeoutMs: 50 }, onError: () => {} });
  srv.addService(EchoService, {
    Unary: async (req) => req,
    ServerStream: async () => {},
    ClientStream: async () => EchoMessageCodec.create({}),
    Bidi: async (requests, _ctx, out) => {
      for await (const _ of requests) {
        // Not awaited: the client never reads, so these would never drain.
        for (let i = 0; i < 64; i++) out.write(EchoMessageCodec.create({ payload: Buffer.alloc(BODY / 64) })).catch(() => {});
      }
    },
  });
  const port = await srv.listen({ port: 0, host: "127.0.0.1" });
  // Its node:http2 server (private; test/robustness/server-child.ts reaches it the same way).
  const h2 = (srv as unknown as { listeners: http2.Http2Server[] }).listeners[0]!;
  return { port, path: "/test.Echo/Bidi", nextSessionDestroyed: sessionDestroys(h2), close: () => void srv.forceShutdown() };
}

const server = TARGET === "ours" ? await ours() : await bare();
for (let i = 0; i < CONNECTIONS; i++) {
  const sock = net.connect(server.port, "127.0.0.1");
  await new Promise<void>((r) => sock.once("connect", () => r()));
  sock.on("error", () => {});
  sock.pause(); // never read
  const block = F.grpcRequestBlock(server.path);
  sock.write(
    Buffer.concat([
      F.PREFACE,
      // Large windows, so the server writes its whole response into the socket.
      F.settings([[F.SettingsId.INITIAL_WINDOW_SIZE, 0x7fffffff], [F.SettingsId.MAX_FRAME_SIZE, 16_777_215]]),
      F.windowUpdate(0, 0x7fffffff - 65_535),
      F.settings([], true),
      F.headers(1, block),
      ...(TARGET === "ours" ? [F.data(1, F.grpcMessage(EchoMessageCodec.encode(EchoMessageCodec.create({ text: "x" }))))] : []),
      // The trailer block, never finished.
      F.frame(F.FrameType.HEADERS, F.Flag.END_STREAM, 1, F.literal("x-trailer", "y".repeat(100))),
    ]),
  );
  // The server destroys the session (bare: after 50 ms; ours: keepalive, ~100 ms); bounded, in case it never does.
  const closed = await Promise.race([server.nextSessionDestroyed().then(() => true), settle(10_000).then(() => false)]);
  if (!closed) throw new Error(`connection ${i}: the server did not destroy the session within 10 s`);
  sock.destroy();
  if (i % 5 === 4) {
    gc(); // several dead sessions and streams in one GC: some session goes before its stream
    console.log(`connections ${i - 4}-${i}: sessions destroyed and collected`);
  }
}
await settle(50);
gc();
await settle(50);
gc();
console.log(`no abort: ${CONNECTIONS} connections (target ${TARGET}${PIN ? ", --pin" : ""})`);
server.close();
process.exit(0);
