// Tests src/wire/trace.ts and its hooks in the server and client: the trace of known calls
// (CreateUser through our client against our server) matches test/fixtures/trace/create-user.trace.
// Regenerate the fixture after an intended format change with UPDATE_FIXTURES=1.

import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runUserctl } from "../../src/cli/run.js";
import { Channel } from "../../src/client/channel.js";
import { Client } from "../../src/client/client.js";
import { clientMethods } from "../../src/client/types.js";
import { Server } from "../../src/server/server.js";
import { startUserService, type RunningUserService } from "../../src/service/app.js";
import { loadConfig } from "../../src/service/config.js";
import { createLogger } from "../../src/service/logger.js";
import { UserServiceClient } from "../../src/service/user-client.js";
import { MemoryUserStore } from "../../src/store/memory-store.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Metadata } from "../../src/wire/metadata.js";
import { Status } from "../../src/wire/status.js";
import { CallTrace, enableWireTrace, formatHeaders, hexRows, maskSecret, wireTrace } from "../../src/wire/trace.js";
import { EchoMessageCodec, EchoService } from "../support/echo-service.js";

const FIXTURE = new URL("../fixtures/trace/create-user.trace", import.meta.url);
const TOKEN = "demo-token-0123456789";

const saved = { ...wireTrace };
let lines: string[] = [];
let app: RunningUserService;
let target: string;

beforeAll(async () => {
  const loaded = loadConfig({ AUTH_TOKENS: `${TOKEN}=admin`, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent" }, []);
  if (!loaded.ok) throw new Error("bad test config");
  // A store with a fixed clock and fixed ids, so the response bytes are the same on every run.
  const store = new MemoryUserStore({ now: () => 1_700_000_000_000, newId: () => "00000000-0000-4000-8000-000000000001" });
  app = await startUserService({ config: loaded.config, store, logger: createLogger("silent", () => undefined) });
  target = `127.0.0.1:${app.port}`;
});
afterAll(async () => {
  await app.server.forceShutdown();
  Object.assign(wireTrace, saved);
});
afterEach(() => {
  Object.assign(wireTrace, saved);
  lines = [];
});

/** Tracing on, into `lines`, with a clock that stands still (every timestamp +0.000ms). */
function traceOn(): void {
  enableWireTrace((l) => lines.push(l));
  wireTrace.clock = () => 0;
}

/** Waits until the trace holds a line matching `re` (the server's side ends after the client's). */
async function until(re: RegExp, count = 1): Promise<void> {
  for (let i = 0; i < 400 && lines.filter((l) => re.test(l)).length < count; i++) await new Promise((r) => setTimeout(r, 5));
}

/**
 * The lines of one side's calls (`C` or `S`), call after call: ids renumbered from 1 in order of
 * appearance, each call's lines kept in their order (calls of one connection may overlap: the end
 * of one and the start of the next come in either order). Ports and dates, which change from run
 * to run, are replaced.
 */
function sideByCall(ls: string[], side: "C" | "S"): string[] {
  const ids = new Map<string, number>();
  const rows: Array<{ call: number; text: string }> = [];
  for (const l of ls) {
    const m = new RegExp(`^\\[${side}(\\d+)`).exec(l);
    if (m === null) continue;
    if (!ids.has(m[1])) ids.set(m[1], ids.size + 1);
    const call = ids.get(m[1]) as number;
    const text = l
      .replace(/^\[[CS]\d+/, `[${side}${call}`)
      .replace(/(127\.0\.0\.1|localhost):\d+/g, "$1:PORT")
      .replace(/date: .*/, "date: <date>");
    rows.push({ call, text });
  }
  return rows.sort((a, b) => a.call - b.call).map((r) => r.text);
}

describe("the trace of CreateUser through our client and our server", () => {
  it("matches the stored trace, call by call, side by side", async () => {
    traceOn();
    const client = new UserServiceClient({ target, token: TOKEN });
    const md = new Metadata().set("x-request-id", "req-1");
    await client.createUser({ username: "alice", email: "alice@example.com", fullName: "Alice Liddell" }, { metadata: md });
    const bad = await client
      .createUser({ username: "bob", email: "not-an-email" }, { metadata: new Metadata().set("x-request-id", "req-2") })
      .then(() => undefined, (e: unknown) => e);
    expect(bad).toBeInstanceOf(GrpcError);
    expect((bad as GrpcError).code).toBe(Status.INVALID_ARGUMENT);
    await until(/^\[S\d+ .*stream closed/, 2);
    await until(/^\[C\d+ .*stream closed/, 2);
    await client.channel.close();

    // How the two sides interleave depends on the scheduler: they are compared one after the other.
    const text = ["# client side (userctl --trace)", ...sideByCall(lines, "C"), "", "# server side (npm start -- --trace)", ...sideByCall(lines, "S"), ""].join("\n");
    if (process.env.UPDATE_FIXTURES === "1") writeFileSync(FIXTURE, text);
    expect(text).toBe(readFileSync(FIXTURE, "utf8"));
  });

  it("never shows the token, and says which header carried it", async () => {
    traceOn();
    const client = new UserServiceClient({ target, token: TOKEN });
    await client.getUser("00000000-0000-4000-8000-000000000001");
    await until(/^\[S\d+ .*stream closed/);
    await client.channel.close();
    expect(lines.join("\n")).not.toContain(TOKEN);
    expect(lines.some((l) => /^\[C\d+\]    authorization: Bearer \*\*\*\*$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\[S\d+\]    authorization: Bearer \*\*\*\*$/.test(l))).toBe(true);
  });

  it("traces the connections: the client's GOAWAY on close reaches the server", async () => {
    traceOn();
    const client = new UserServiceClient({ target, token: TOKEN });
    await client.getUser("00000000-0000-4000-8000-000000000001");
    await client.channel.close();
    await until(/^\[S-conn\d+\] · connection closed/);
    expect(lines.some((l) => /^\[C-conn\d+\] → GOAWAY NO_ERROR \(0x0\)/.test(l))).toBe(true);
    expect(lines.some((l) => /^\[S-conn\d+\] ← GOAWAY NO_ERROR \(0x0\)/.test(l))).toBe(true);
  });

  it("prints nothing when off", async () => {
    wireTrace.sink = (l) => lines.push(l);
    expect(wireTrace.enabled).toBe(false);
    const client = new UserServiceClient({ target, token: TOKEN });
    await client.getUser("00000000-0000-4000-8000-000000000001");
    await client.channel.close();
    expect(lines).toEqual([]);
  });
});

describe("a bidi stream and a cancellation", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = new Server().addService(EchoService, {
      Unary: (req) => req,
      async ServerStream(req, ctx, out) {
        await out.write(EchoMessageCodec.create({ text: req.text }));
        // Waits for the client's RST_STREAM.
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      },
      async ClientStream(reqs) {
        let n = 0;
        for await (const _ of reqs) n++;
        return EchoMessageCodec.create({ count: n });
      },
      async Bidi(reqs, _ctx, out) {
        for await (const r of reqs) await out.write(r);
      },
    });
    port = await server.listen({ port: 0 });
  });
  afterAll(() => server.forceShutdown());

  it("shows every message each way, then the half-close and the trailers", async () => {
    traceOn();
    const channel = new Channel(`127.0.0.1:${port}`);
    const m = clientMethods(EchoService);
    const call = new Client(channel).bidiStreaming(m.Bidi);
    await call.write(EchoMessageCodec.create({ text: "one" }));
    await call.write(EchoMessageCodec.create({ text: "two" }));
    call.end();
    const got: string[] = [];
    for await (const r of call) got.push(r.text);
    await until(/^\[S\d+ .*stream closed/);
    await channel.close();
    expect(got).toEqual(["one", "two"]);
    const client = lines.filter((l) => l.startsWith("[C") && !l.startsWith("[C-"));
    const server = lines.filter((l) => l.startsWith("[S") && !l.startsWith("[S-"));
    const heads = (ls: string[]) => ls.filter((l) => / [→←·] /.test(l)).map((l) => l.slice(l.indexOf("]") + 2));
    expect(heads(client)).toEqual([
      "· call /test.Echo/Bidi",
      "→ HEADERS",
      "→ DATA: Length-Prefixed-Message",
      "→ DATA: Length-Prefixed-Message",
      "→ DATA +END_STREAM (half-close: no more messages)",
      "· on HTTP/2 stream 1",
      "← HEADERS",
      "← DATA: Length-Prefixed-Message",
      "← DATA: Length-Prefixed-Message",
      "← HEADERS (trailers) +END_STREAM",
      "· call ended: OK",
      "· stream closed",
    ]);
    // The server answers each message as it comes: the order of its lines is fixed only per direction.
    const s = heads(server);
    expect(s.filter((l) => l.startsWith("←"))).toEqual(["← HEADERS", "← DATA: Length-Prefixed-Message", "← DATA: Length-Prefixed-Message", "← DATA +END_STREAM (half-close: no more messages)"]);
    expect(s.filter((l) => l.startsWith("→"))).toEqual(["→ HEADERS", "→ DATA: Length-Prefixed-Message", "→ DATA: Length-Prefixed-Message", "→ HEADERS (trailers) +END_STREAM"]);
    expect(lines.filter((l) => l.endsWith('1 (LEN): "two"'))).toHaveLength(4);
  });

  it("shows the client's RST_STREAM CANCEL on both sides", async () => {
    traceOn();
    const channel = new Channel(`127.0.0.1:${port}`);
    const m = clientMethods(EchoService);
    const call = new Client(channel).serverStreaming(m.ServerStream, EchoMessageCodec.create({ text: "hi" }));
    for await (const r of call) {
      expect(r.text).toBe("hi");
      break; // leaving the loop cancels the call
    }
    await until(/^\[S\d+ .*stream closed/);
    channel.destroy();
    expect(lines.some((l) => /^\[C\d+ .*\] → RST_STREAM CANCEL \(0x8\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\[S\d+ .*\] ← RST_STREAM CANCEL \(0x8\)$/.test(l))).toBe(true);
  });

  it("shows a compressed message's fields, before compression and after inflation", async () => {
    traceOn();
    const channel = new Channel(`127.0.0.1:${port}`);
    const m = clientMethods(EchoService);
    const r = await new Client(channel).unary(m.Unary, EchoMessageCodec.create({ text: "zip".repeat(20) }), { compression: "gzip" });
    await until(/^\[S\d+ .*stream closed/);
    await channel.close();
    expect(r.text).toBe("zip".repeat(20));
    const all = lines.join("\n");
    expect(all).toMatch(/\[C\d+ .*\] → DATA \+END_STREAM: Length-Prefixed-Message\n\[C\d+\]    prefix: 01 /);
    expect(all).toMatch(/\[C\d+\]    before compression: 62 bytes/);
    expect(all).toMatch(/\[S\d+ .*\] · message inflated by the receiver\n\[S\d+\]    decompressed: 62 bytes/);
    expect(lines.filter((l) => l.endsWith(`1 (LEN): "${"zip".repeat(20)}"`)).length).toBeGreaterThanOrEqual(4);
  });

  it("shows the server's GOAWAY on graceful shutdown", async () => {
    traceOn();
    const s2 = new Server().addService(EchoService, {
      Unary: (req) => req,
      ServerStream: () => undefined,
      ClientStream: () => EchoMessageCodec.create(),
      Bidi: () => undefined,
    });
    const p2 = await s2.listen({ port: 0 });
    const channel = new Channel(`127.0.0.1:${p2}`);
    await new Client(channel).unary(clientMethods(EchoService).Unary, EchoMessageCodec.create({ text: "x" }));
    await s2.shutdown(1000);
    await until(/^\[C-conn\d+\] ← GOAWAY/);
    channel.destroy();
    expect(lines.some((l) => /^\[S-conn\d+\] → GOAWAY NO_ERROR \(0x0\)/.test(l))).toBe(true);
    expect(lines.some((l) => /^\[C-conn\d+\] ← GOAWAY NO_ERROR \(0x0\) last-stream-id=1$/.test(l))).toBe(true);
  });
});

describe("formatting", () => {
  it("masks secrets but keeps the scheme", () => {
    expect(maskSecret("Bearer abc")).toBe("Bearer ****");
    expect(maskSecret("abc")).toBe("****");
    expect(formatHeaders({ authorization: "Bearer s3cret", cookie: "a=b" })).toEqual(["authorization: Bearer ****", "cookie: ****"]);
  });

  it("decodes -bin headers, names grpc-status and percent-decodes grpc-message", () => {
    const out = formatHeaders({ "grpc-status": "5", "grpc-message": "no%20such%20user", "x-trace-bin": Buffer.from([0x08, 0x96, 0x01]).toString("base64") });
    expect(out).toEqual([
      "grpc-status: 5  (NOT_FOUND)",
      'grpc-message: no%20such%20user  (decoded: "no such user")',
      "x-trace-bin: CJYB",
      "  base64 of 3 bytes:",
      "    0000  08 96 01",
      "  fields (field number, wire type):",
      "    1 (VARINT): 150",
    ]);
  });

  it("shows pseudo-headers first and hex in rows of 16 with offsets", () => {
    expect(formatHeaders({ "content-type": "application/grpc", ":status": 200 })).toEqual([":status: 200", "content-type: application/grpc"]);
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => i);
    expect(hexRows(bytes, 256, "")).toEqual(["0000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f", "0010  10 11 12 13"]);
    expect(hexRows(bytes, 16, "")).toEqual(["0000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f", "… 4 more bytes"]);
  });

  it("shows a message that is not protobuf, and a negative int64 in both readings", () => {
    traceOn();
    const t = new CallTrace("client", "/x/y");
    t.message("in", false, Uint8Array.from([0x0a, 0x05, 0x61]));
    t.message("in", false, Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(lines.some((l) => l.includes("(not a protobuf message:"))).toBe(true);
    expect(lines.some((l) => l.endsWith("1 (VARINT): 18446744073709551615  (as int64: -1)"))).toBe(true);
  });
});

describe("--trace flags", () => {
  it("npm start: --trace and GRPC_WIRE_TRACE=1 turn the trace on; a bad value is refused", () => {
    const on = loadConfig({}, ["--trace"]);
    expect(on.ok && on.config.trace).toBe(true);
    const env = loadConfig({ GRPC_WIRE_TRACE: "1" }, []);
    expect(env.ok && env.config.trace).toBe(true);
    const off = loadConfig({}, []);
    expect(off.ok && off.config.trace).toBe(undefined);
    expect(loadConfig({ GRPC_WIRE_TRACE: "yes" }, []).ok).toBe(false);
  });

  it("userctl --trace prints the client's side of the call on its stderr", async () => {
    const out: string[] = [];
    const err: string[] = [];
    wireTrace.clock = () => 0;
    const code = await runUserctl(["--target", target, "--token", TOKEN, "--trace", "get", "00000000-0000-4000-8000-000000000001"], {
      stdin: process.stdin,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: {},
    });
    expect(code).toBe(0);
    expect(JSON.parse(out[0]) as { username: string }).toMatchObject({ username: "alice" });
    expect(err.some((l) => / → HEADERS$/.test(l))).toBe(true);
    expect(err.some((l) => l.endsWith(":path: /user.UserService/GetUser"))).toBe(true);
    expect(err.some((l) => l.endsWith("grpc-status: 0  (OK)"))).toBe(true);
    expect(err.join("\n")).not.toContain(TOKEN);
  });
});
