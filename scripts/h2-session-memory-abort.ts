// Deterministic repro of node:http2's native abort `Http2Session::~Http2Session(): Assertion
// (current_nghttp2_memory_) == (0)` (node 20.20.2; class of nodejs/node#35233, #39951, CVE-2024-27983):
// a stream holds an unfinished header block (RFC 9113 §4.3: HEADERS without END_HEADERS) when its session
// is destroyed while a write of that stream is still on the socket; node then leaves the stream out of
// the session's teardown, and a GC that frees the session before the stream aborts the process.
//
//   node --expose-gc --import tsx scripts/h2-session-memory-abort.ts [--target bare|ours|bare-client|client] [--pin]
//     [--via keepalive|destroy] [--connections N]
//
// Server side (bare, ours). Per connection (127.0.0.1 only, N connections, default 20): the client
// sends, in ONE write, request HEADERS (END_HEADERS, no END_STREAM), one DATA message and a trailer
// HEADERS without END_HEADERS; it never reads, so the server's 4 MiB response stays on the server's
// socket; the server then destroys the session (bare: session.destroy() 50 ms later; ours: keepalive
// ping unanswered, the same session.destroy() a client that stops reading gets from src/server/keepalive.ts).
// Client side (bare-client: a plain http2.connect client; client: our Channel): a hostile raw server
// answers the request with response HEADERS and a torn trailer block, then never reads, so the client's
// 64 MiB request stays on the client's socket; the client destroys the session (bare-client:
// session.destroy(); client: keepalive ping unanswered, src/client/subchannel.ts, or with `--via destroy`
// Channel.destroy()); the server drops the connection a turn of the loop later. A forced GC follows
// every 5 connections.
// Unmitigated: exit 134 and the assertion on stderr, at the first GC. Mitigated (`--pin` for bare and
// bare-client; always for ours and client, src/wire/session-pin.ts pinSessionOnEarlyDestroy): "no abort", exit 0.
// See docs/RELIABILITY.md, "Native http2 abort on a torn header block".

import * as http2 from "node:http2";
import * as net from "node:net";
import * as F from "../test/support/h2-frames.js";
import { Channel } from "../src/client/channel.js";
import { Client } from "../src/client/client.js";
import { clientMethods } from "../src/client/types.js";
import { Server } from "../src/server/server.js";
import { pinSessionOnEarlyDestroy } from "../src/wire/session-pin.js";
import { EchoMessageCodec, EchoService } from "../test/support/echo-service.js";

const ECHO = clientMethods(EchoService);

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const TARGET = arg("target", "bare");
const PIN = process.argv.includes("--pin");
const VIA = arg("via", "keepalive");
const CONNECTIONS = Math.min(1_000, Number(arg("connections", "20")));
const exposedGc = (globalThis as { gc?: () => void }).gc;
if (exposedGc === undefined) throw new Error("run with node --expose-gc");
const gc: () => void = exposedGc;
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

/** The server-side repro: a raw client tears its trailer block; the server destroys the session. */
async function serverRepro(): Promise<void> {
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
  server.close();
}

/**
 * The hostile server of the client-side repro (raw TCP, 127.0.0.1). Its SETTINGS (large windows, so
 * the client writes its whole request into the socket) and a connection WINDOW_UPDATE go out at once.
 * On the client's request HEADERS it stops reading and sends, in one write, SETTINGS ACK, response
 * HEADERS and a trailer HEADERS with END_STREAM but without END_HEADERS (never finished).
 * The client must take that block in before its request fills the socket: node:http2 stops reading,
 * and stops processing what it has read, while one of its writes is on the socket
 * (Http2Session::MaybeStopReading), so a block that comes behind a stuck write is never seen. Hence
 * both clients below write their request body only once the response headers are in.
 */
async function hostileServer(): Promise<{ port: number; sockets: net.Socket[]; close(): void }> {
  const sockets: net.Socket[] = [];
  const srv = net.createServer((sock) => {
    sockets.push(sock);
    sock.on("error", () => {});
    sock.write(
      Buffer.concat([
        F.settings([[F.SettingsId.INITIAL_WINDOW_SIZE, 0x7fffffff], [F.SettingsId.MAX_FRAME_SIZE, 16_777_215]]),
        F.windowUpdate(0, 0x7fffffff - 65_535),
      ]),
    );
    const reader = new F.FrameReader();
    let preface = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      if (preface.length < F.PREFACE.length) {
        preface = Buffer.concat([preface, chunk]);
        if (preface.length < F.PREFACE.length) return;
        chunk = preface.subarray(F.PREFACE.length);
      }
      if (!reader.push(chunk).some((f) => f.type === F.FrameType.HEADERS && f.streamId === 1)) return;
      sock.off("data", onData);
      sock.pause(); // never read again: the client's request stays on its socket
      sock.write(
        Buffer.concat([
          F.settings([], true),
          F.headers(1, F.headerBlock([[":status", "200"], ["content-type", "application/grpc"]])),
          // The trailer block, never finished.
          F.frame(F.FrameType.HEADERS, F.Flag.END_STREAM, 1, Buffer.concat([F.literal("grpc-status", "0"), F.literal("x-trailer", "y".repeat(100))])),
        ]),
      );
    };
    sock.on("data", onData);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}

/** The request body: more than loopback's socket buffers take (tcp_wmem/tcp_rmem can grow to tens of MiB). */
const CLIENT_BODY = 64 * 1024 * 1024;
/** One allocation for all connections (fewer GCs between them); only the client targets need it. */
const BIG = TARGET === "client" || TARGET === "bare-client" ? Buffer.alloc(CLIENT_BODY) : Buffer.alloc(0);

/** One client connection of the repro: how its call ended, and when its session emitted 'close'. */
interface ClientConnection {
  outcome: string;
  closed: Promise<void>;
}

const closeOf = (session: http2.ClientHttp2Session): Promise<void> => new Promise((r) => session.once("close", () => r()));

/** Bytes libuv still holds for a socket (its write queue): non-zero while a write is on the socket. */
const queuedOn = (socket: object | undefined): number => (socket as { _handle?: { writeQueueSize?: number } } | undefined)?._handle?.writeQueueSize ?? 0;

/** Our client: a bidi call that starts writing once the response headers are in and writes until the
 *  session dies. `--via keepalive` (default): keepalive (PING every 50 ms, unacknowledged after 50 ms:
 *  the server never reads) destroys the session, the path src/client/subchannel.ts takes. `--via
 *  destroy`: keepalive off; Channel.destroy() once a write is on the socket. */
async function ourClientConnection(port: number): Promise<ClientConnection> {
  const viaDestroy = VIA === "destroy";
  const channel = new Channel(`127.0.0.1:${port}`, viaDestroy ? {} : { keepalive: { timeMs: 50, timeoutMs: 50 } });
  const call = new Client(channel).bidiStreaming(ECHO.Bidi);
  const chunk = EchoMessageCodec.create({ payload: BIG.subarray(0, 1024 * 1024) });
  let closed: Promise<void> | undefined;
  void (async () => {
    await call.headers;
    // The channel's session (private; the repro waits for its 'close').
    const session = (channel as unknown as { subchannelList: Array<{ current?: { session: http2.ClientHttp2Session } }> }).subchannelList[0]?.current?.session;
    if (session === undefined) return;
    closed = closeOf(session);
    if (viaDestroy) {
      void (async () => {
        for (let n = 0; queuedOn(session.socket) === 0 && n < 2_000; n++) await settle(5);
        channel.destroy();
      })();
    }
    // Bounded; writes stop when the socket is full, and fail when the session is destroyed.
    for (let i = 0; i < CLIENT_BODY / (1024 * 1024); i++) await call.write(chunk);
  })().catch(() => {});
  const ended = (async () => {
    for await (const _ of call);
    return "OK";
  })().catch((e: unknown) => String(e));
  const outcome = await Promise.race([ended, settle(10_000).then(() => undefined)]);
  if (outcome === undefined) throw new Error("our client's call did not end within 10 s");
  if (closed === undefined) throw new Error(`our client's call ended before its response headers: ${outcome}`);
  channel.destroy();
  return { outcome, closed };
}

/** A plain node:http2 client: a request whose CLIENT_BODY-sized write starts once the response headers
 *  are in; session.destroy() once a write is on the socket (libuv's write queue not empty). */
async function bareClientConnection(port: number): Promise<ClientConnection> {
  let socket: net.Socket | undefined;
  const session = http2.connect(`http://127.0.0.1:${port}`, { createConnection: () => (socket = net.connect(port, "127.0.0.1")) });
  session.on("error", () => {});
  const closed = closeOf(session);
  const stream = session.request({ ":method": "POST", ":path": "/x", "content-type": "application/grpc", te: "trailers" }, { endStream: false });
  if (PIN) pinSessionOnEarlyDestroy(stream);
  stream.on("error", () => {});
  const responded = await Promise.race([new Promise<boolean>((r) => stream.once("response", () => r(true))), settle(10_000).then(() => false)]);
  if (!responded) throw new Error("the bare client got no response headers within 10 s");
  // 'response' comes from the read that carries the torn trailer block too (one write by the server);
  // the rest of that read is processed before the next turn of the loop.
  await new Promise((r) => setImmediate(r));
  stream.write(BIG);
  for (let n = 0; queuedOn(socket) === 0 && n < 2_000; n++) await settle(5);
  const pending = queuedOn(socket);
  session.destroy();
  return { outcome: `session destroyed with ${pending} bytes queued on the socket`, closed };
}

/** The client-side repro: the hostile server tears its trailer block; the client destroys its session. */
async function clientRepro(): Promise<void> {
  const server = await hostileServer();
  for (let i = 0; i < CONNECTIONS; i++) {
    const c = TARGET === "client" ? await ourClientConnection(server.port) : await bareClientConnection(server.port);
    if (i === 0) console.log(`connection 0: ${c.outcome}`);
    // One turn of the loop first: node decides whether to free a destroyed stream at once in an
    // immediate (not if a write of it is still on the socket); a peer that drops the connection in the
    // same tick would let that write fail first, and the stream would be freed before its session.
    await new Promise((r) => setImmediate(r));
    server.sockets[i]?.destroy();
    // node closes a destroyed session's socket once its writes are done: here, when the server drops the connection.
    if (!(await Promise.race([c.closed.then(() => true), settle(10_000).then(() => false)]))) throw new Error(`connection ${i}: the client's session did not close within 10 s`);
    if (i % 5 === 4) {
      gc(); // several dead sessions and streams in one GC: some session goes before its stream
      console.log(`connections ${i - 4}-${i}: sessions destroyed and collected`);
    }
  }
  server.close();
}

if (TARGET === "client" || TARGET === "bare-client") await clientRepro();
else await serverRepro();
await settle(50);
gc();
await settle(50);
gc();
console.log(`no abort: ${CONNECTIONS} connections (target ${TARGET}${PIN ? ", --pin" : ""})`);
process.exit(0);
