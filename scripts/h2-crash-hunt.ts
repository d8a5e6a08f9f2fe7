// Hunts a native node:http2 abort (`Http2Session::~Http2Session(): Assertion (current_nghttp2_memory_) == (0)`,
// nodejs/node#35233, #39951, CVE-2024-27983) by sending frame shapes that leave nghttp2 holding header or
// DATA memory when a connection dies (RFC 9113 §4.3, §6.2, §6.10), many connections in ONE process,
// with a forced GC every few connections, so that sessions and streams are collected while it runs.
//
//   node --expose-gc --import tsx scripts/h2-crash-hunt.ts [--target bare|ours|both] [--rounds N] [--gc-every K] [--shape NAME] [--seed S]
//   (--shape random: fuzzer-like sequences from a seeded PRNG; not in the default set)
//   # harsher GC timing: add --gc-interval=500 or --stress-compaction to the node flags (slow)
//
// bare = a plain http2.createServer with our session options (maxSessionMemory 64, maxHeaderListSize);
// ours = src/server's Server with the user service, as test/robustness/server-child.ts runs it.
// Everything targets 127.0.0.1 on port 0; every loop is bounded (shapes x rounds connections).
// A crash kills this process (exit 134, the assertion on stderr): the last "shape ... round" line
// printed names the shape being sent (the leaking session may be an earlier connection's).
// Exit 0 and "no crash" otherwise. None of these shapes aborted node 20.20.2 (docs/RELIABILITY.md, "Native
// http2 abort on a torn header block", has the counts); the trigger found needs the server to destroy the
// session while a stream write is on the socket: scripts/h2-session-memory-abort.ts reproduces it.

import * as http2 from "node:http2";
import * as F from "../test/support/h2-frames.js";
import { Server } from "../src/server/server.js";
import { UserHandlers } from "../src/service/user-handlers.js";
import { UserServiceDescriptor, userServiceImplementation } from "../src/service/user-service.js";
import { MemoryUserStore } from "../src/store/memory-store.js";
import { UserUpdateRequestCodec } from "../src/schema/user.js";
import { registerStandardServices } from "../src/service/app.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const TARGET = arg("target", "both");
const ROUNDS = Math.min(100_000, Number(arg("rounds", "30")));
const GC_EVERY = Math.max(1, Number(arg("gc-every", "3")));
const ONLY = arg("shape", "");
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) console.warn("run with node --expose-gc for forced GCs");

const PATH = "/user.UserService/ListUsers";
const req = (extra: ReadonlyArray<readonly [string, string]> = [], path = PATH): Buffer =>
  F.grpcRequestBlock(path, [["authorization", "Bearer t-admin-0123456789"], ...extra]);
/** A bidi call whose handler runs and writes while the client keeps its side open (an unknown user: an error message each). */
const BIDI = "/user.UserService/StreamUserUpdates";
const update = F.grpcMessage(UserUpdateRequestCodec.encode(UserUpdateRequestCodec.create({ userId: "nobody", field: "full_name", value: "x" })));
const big = (n: number): string => "a".repeat(n);
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A shape: what to send (in steps, with the server given `pause` ms between them) and how to leave. */
interface Shape {
  steps: Buffer[];
  end: "destroy" | "end" | "stay";
  settings?: ReadonlyArray<readonly [number, number]>;
}

/** A header block cut into one HEADERS and CONTINUATION frames of at most `size` bytes. */
function fragmented(id: number, block: Buffer, size: number, endHeaders: boolean, endStream = false): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0; o < block.length; o += size) {
    const part = block.subarray(o, o + size);
    const last = o + size >= block.length && endHeaders;
    out.push(o === 0 ? F.frame(F.FrameType.HEADERS, (last ? F.Flag.END_HEADERS : 0) | (endStream ? F.Flag.END_STREAM : 0), id, part) : F.continuation(id, part, last));
  }
  return out;
}

const SHAPES: Record<string, () => Shape> = {
  // CVE-2024-27983: HEADERS and CONTINUATION without END_HEADERS, then the TCP connection goes.
  "continuation-then-close": () => ({ steps: [Buffer.concat([F.headers(1, req(), { endHeaders: false }), F.continuation(1, F.literal("x-a", "b"), false)])], end: "destroy" }),
  // The same with a half-close instead of a reset.
  "continuation-then-end": () => ({ steps: [Buffer.concat([F.headers(1, req(), { endHeaders: false }), F.continuation(1, F.literal("x-a", "b"), false)])], end: "end" }),
  // A stream JS already knows (request headers emitted), then an unfinished trailer block; connection dropped.
  "trailers-partial-close": () => ({
    steps: [Buffer.concat([F.headers(1, req()), F.data(1, F.grpcMessage(Buffer.alloc(0)))]), F.frame(F.FrameType.HEADERS, F.Flag.END_STREAM, 1, F.literal("x-trailer", big(200)))],
    end: "destroy",
  }),
  // The same, ended by a frame that is a PROTOCOL_ERROR inside a header block (nghttp2 fails the session in its callback).
  "trailers-partial-protocol-error": () => ({
    steps: [Buffer.concat([F.headers(1, req()), F.data(1, F.grpcMessage(Buffer.alloc(0)))]), Buffer.concat([F.frame(F.FrameType.HEADERS, F.Flag.END_STREAM, 1, F.literal("x-trailer", big(200))), F.ping(Buffer.alloc(8))])],
    end: "stay",
  }),
  // The same on a running bidi call that has written responses (writes may still be on the socket).
  "bidi-trailers-partial-protocol-error": () => ({
    steps: [Buffer.concat([F.headers(1, req([], BIDI)), F.data(1, update), F.data(1, update)]), Buffer.concat([F.frame(F.FrameType.HEADERS, F.Flag.END_STREAM, 1, F.literal("x-trailer", big(200))), F.ping(Buffer.alloc(8))])],
    end: "stay",
  }),
  "bidi-trailers-partial-close": () => ({
    steps: [Buffer.concat([F.headers(1, req([], BIDI)), F.data(1, update)]), Buffer.concat([F.data(1, update), F.frame(F.FrameType.HEADERS, F.Flag.END_STREAM, 1, F.literal("x-trailer", big(200)))])],
    end: "destroy",
  }),
  // RST_STREAM in the middle of a header block (connection PROTOCOL_ERROR).
  "rst-during-headers": () => ({ steps: [Buffer.concat([F.headers(1, req(), { endHeaders: false }), F.rstStream(1, 8)])], end: "stay" }),
  // nodejs/node#35233/#39951: a header list over nghttp2's hd inflater threshold (64 KiB) in CONTINUATIONs.
  "oversized-header-block": () => ({ steps: fragmented(1, Buffer.concat([req(), F.literal("x-big", big(87_382))]), 16_384, true, true), end: "stay" }),
  // The same, connection dropped before END_HEADERS.
  "oversized-header-block-cut": () => ({ steps: fragmented(1, Buffer.concat([req(), F.literal("x-big", big(87_382))]), 16_384, false), end: "destroy" }),
  // Over our maxHeaderListSize (16 KiB by default) but under nghttp2's threshold: node rejects the stream itself.
  "over-max-header-list": () => ({ steps: fragmented(1, Buffer.concat([req(), F.literal("x-big", big(40_000))]), 16_384, true, true), end: "stay" }),
  // A DATA frame whose header promises 16 KiB, 100 bytes of it sent, then the connection drops.
  "half-data-then-close": () => ({
    steps: [F.headers(1, req()), Buffer.concat([F.frame(F.FrameType.DATA, 0, 1, Buffer.alloc(16_384)).subarray(0, 9 + 100)])],
    end: "destroy",
  }),
  // A DATA frame on stream 0 (connection PROTOCOL_ERROR) after a half-read one on stream 1.
  "data-protocol-error": () => ({ steps: [Buffer.concat([F.headers(1, req()), F.data(1, Buffer.alloc(50)), F.data(0, Buffer.alloc(10))])], end: "stay" }),
  // Many streams with large headers: maxSessionMemory pressure (ENHANCE_YOUR_CALM), then the connection drops.
  "session-memory-pressure": () => {
    const frames: Buffer[] = [];
    for (let i = 0; i < 100; i++) frames.push(F.headers(2 * i + 1, req([["x-pad", big(8_000)]])));
    return { steps: [Buffer.concat(frames)], end: "destroy" };
  },
  // A SETTINGS flood (nghttp2 answers ENHANCE_YOUR_CALM past 1,000 unacknowledged ones) with a header block open.
  "settings-flood-mid-headers": () => {
    const frames: Buffer[] = [F.headers(1, req())];
    for (let i = 0; i < 1_200; i++) frames.push(F.settings([[F.SettingsId.INITIAL_WINDOW_SIZE, 65_535 + i]]));
    return { steps: [Buffer.concat(frames)], end: "destroy" };
  },
  // A response we cannot receive (window 0) and a GOAWAY from the client while it is queued.
  "goaway-with-pending-data": () => ({
    settings: [[F.SettingsId.INITIAL_WINDOW_SIZE, 0]],
    steps: [Buffer.concat([F.headers(1, req()), F.data(1, F.grpcMessage(Buffer.from([0x08, 0x05])), true)]), F.goaway(0, 0, "bye")],
    end: "destroy",
  }),
  // Request headers, then the trailer block cut in the middle of an HPACK literal.
  "trailers-cut-hpack": () => {
    const lit = F.literal("x-trailer", big(300));
    return { steps: [F.headers(1, req()), F.frame(F.FrameType.HEADERS, F.Flag.END_STREAM, 1, lit.subarray(0, 150))], end: "destroy" };
  },
};

/** Seeded PRNG (mulberry32), so a "random" run can be replayed with the same --seed. */
let seed = Number(arg("seed", "20261204")) >>> 0;
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const randomBytes = (max: number): Buffer => Buffer.from(Array.from({ length: Math.floor(rand() * max) }, () => Math.floor(rand() * 256)));

/** Fuzzer-like: well-formed calls, then 1-8 frames of the kinds test/robustness/fuzz.test.ts sends, maybe cut; any ending. */
SHAPES["random"] = () => {
  const id = (): number => pick([1, 1, 1, 3, 5, 0, 2, 7]);
  const makers: Array<() => Buffer> = [
    () => F.headers(id(), req(), { endStream: rand() < 0.5 }),
    () => F.headers(id(), req(), { endHeaders: false }),
    () => F.frame(F.FrameType.HEADERS, rand() < 0.5 ? F.Flag.END_STREAM : 0, id(), F.literal("x-t", big(Math.floor(rand() * 300)))),
    () => F.continuation(id(), rand() < 0.5 ? randomBytes(200) : F.literal("x-c", big(Math.floor(rand() * 200))), rand() < 0.5),
    () => F.data(id(), F.grpcMessage(randomBytes(64)), rand() < 0.5),
    () => F.rstStream(id(), Math.floor(rand() * 14)),
    () => F.ping(Buffer.alloc(8), rand() < 0.2),
    () => F.settings([[Math.floor(rand() * 8), pick([0, 1, 16_384, 65_535, 0x7fffffff, 0xffffffff])]]),
    () => F.windowUpdate(id(), pick([0, 1, 65_535, 0x7fffffff])),
    () => F.goaway(id(), Math.floor(rand() * 14), "fuzz"),
    () => F.frame(Math.floor(rand() * 256), Math.floor(rand() * 256), id(), randomBytes(64)),
    () => F.frame(F.FrameType.DATA, 0, id(), Buffer.alloc(16_384)).subarray(0, 9 + Math.floor(rand() * 200)),
  ];
  const calls: Buffer[] = [];
  const n = Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) calls.push(F.headers(2 * i + 1, req()), F.data(2 * i + 1, F.grpcMessage(Buffer.from([0x08, 0x02])), rand() < 0.5));
  const chaos: Buffer[] = [];
  const m = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < m; i++) chaos.push(pick(makers)());
  let tail = Buffer.concat(chaos);
  if (rand() < 0.15) tail = tail.subarray(0, Math.floor(rand() * (tail.length + 1)));
  if (rand() < 0.2 && tail.length > 0) {
    const at = Math.floor(rand() * tail.length);
    tail = Buffer.from(tail);
    tail[at] = Math.floor(rand() * 256);
  }
  return { steps: [Buffer.concat(calls), tail, F.ping(Buffer.from("outcome!"))], end: pick(["destroy", "end", "stay"] as const) };
};

async function sendShape(port: number, name: string): Promise<void> {
  const shape = SHAPES[name]!();
  const conn = await F.RawConnection.open(port, shape.settings !== undefined ? { settings: shape.settings } : {});
  for (const step of shape.steps) {
    await conn.write(step);
    await settle(2); // let the server read this step on its own
  }
  if (shape.end === "end") conn.socket.end();
  if (shape.end === "stay") await Promise.race([conn.closedPromise, settle(30)]);
  conn.destroy();
  await Promise.race([conn.closedPromise, settle(50)]);
}

async function bareServer(): Promise<{ port: number; close(): Promise<void> }> {
  const srv = http2.createServer({ maxSessionMemory: 64, settings: { maxConcurrentStreams: 100, maxHeaderListSize: 16_384 } });
  srv.on("stream", (s) => {
    s.on("error", () => {});
    s.respond({ ":status": 200, "content-type": "application/grpc" });
    // More than a window, so data stays queued in nghttp2; the stream stays open until the client
    // ends its side, so the client's trailer blocks reach an open stream with writes in flight.
    s.write(Buffer.alloc(70_000));
    s.resume();
    s.on("end", () => s.end());
  });
  srv.on("session", (s) => s.on("error", () => s.destroy()));
  srv.on("sessionError", () => {});
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { port: (srv.address() as { port: number }).port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

async function ourServer(): Promise<{ port: number; close(): Promise<void> }> {
  const srv = new Server({ onError: () => {} });
  srv.addService(UserServiceDescriptor, userServiceImplementation(new UserHandlers(new MemoryUserStore(), { maxBatchSize: 10_000 })));
  registerStandardServices(srv);
  const port = await srv.listen({ port: 0, host: "127.0.0.1" });
  return { port, close: () => srv.forceShutdown() };
}

const names = ONLY !== "" ? [ONLY] : Object.keys(SHAPES).filter((n) => n !== "random");
let sent = 0;
for (const target of TARGET === "both" ? ["bare", "ours"] : [TARGET]) {
  const server = target === "bare" ? await bareServer() : await ourServer();
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      console.log(`target ${target} shape ${name} round ${round}`);
      await sendShape(server.port, name);
      if (++sent % GC_EVERY === 0) gc?.();
    }
  }
  gc?.();
  await settle(50);
  gc?.();
  await Promise.race([server.close(), settle(2_000)]);
  gc?.();
}
console.log(`no crash: ${sent} connections (${names.length} shapes x ${ROUNDS} rounds per target), gc every ${GC_EVERY}`);
process.exit(0);
