// End to end: our client (src/client) against our server (src/server), all four call kinds, metadata, status details, deadlines, cancellation, compression, size limits, TLS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, GrpcError, Metadata, Status, clientMethods } from "../../src/client/index.js";
import { Server, defineService, type ServerCallContext } from "../../src/server/index.js";
import { makeTestCerts } from "../support/certs.js";
import { EchoCodec, type Echo } from "../support/client-echo.js";
import { collect, rejection } from "../support/outcomes.js";
import { settle } from "../support/settle.js";

const EchoService = defineService("test.Echo", {
  Unary: { kind: "unary", requestCodec: EchoCodec, responseCodec: EchoCodec },
  ServerStream: { kind: "server_streaming", requestCodec: EchoCodec, responseCodec: EchoCodec },
  ClientStream: { kind: "client_streaming", requestCodec: EchoCodec, responseCodec: EchoCodec },
  Bidi: { kind: "bidi_streaming", requestCodec: EchoCodec, responseCodec: EchoCodec },
});
const M = clientMethods(EchoService);

/** What the handlers observed, for the tests to check the server side. */
const seen: { deadline?: number; aborted?: Promise<unknown> } = {};

function echoMetadata(ctx: ServerCallContext): void {
  ctx.metadata.forEach((v, k) => {
    if (!k.startsWith("x-")) return;
    ctx.responseHeader.add(k, v);
    ctx.trailer.add(`t-${k}`, v);
  });
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

/** Called as each Unary handler starts: a test that needs a call in flight awaits it. */
let unaryStarted: () => void = () => {};

const implementation = {
  async Unary(req: Echo, ctx: ServerCallContext): Promise<Echo> {
    unaryStarted();
    echoMetadata(ctx);
    seen.deadline = ctx.deadline;
    seen.aborted = new Promise((r) => ctx.signal.addEventListener("abort", () => r(ctx.signal.reason)));
    if (ctx.metadata.get("x-gzip") !== undefined) ctx.setResponseEncoding("gzip");
    if (req.text === "fail") {
      throw new GrpcError(Status.FAILED_PRECONDITION, "präcondition ✗", { metadata: new Metadata({ "t-extra": "1" }) }).addErrorInfo("STATE", "test.example", { k: "v" });
    }
    if (req.text === "throw") throw new Error("secret internals");
    if (req.text.startsWith("sleep:")) await sleep(Number(req.text.slice(6)), ctx.signal);
    if (req.text.startsWith("big:")) return { text: "x".repeat(Number(req.text.slice(4))), n: 0 };
    return req;
  },
  async ServerStream(req: Echo, ctx: ServerCallContext, out: { write(m: Echo): Promise<void> | void }): Promise<void> {
    echoMetadata(ctx);
    seen.aborted = new Promise((r) => ctx.signal.addEventListener("abort", () => r(ctx.signal.reason)));
    for (let i = 0; i < req.n; i++) {
      if (req.text === "slow") await sleep(5, ctx.signal);
      await out.write({ text: req.text, n: i });
    }
  },
  async ClientStream(requests: AsyncIterable<Echo>, ctx: ServerCallContext): Promise<Echo> {
    echoMetadata(ctx);
    const texts: string[] = [];
    for await (const r of requests) texts.push(r.text);
    return { text: texts.join(","), n: texts.length };
  },
  async Bidi(requests: AsyncIterable<Echo>, ctx: ServerCallContext, out: { write(m: Echo): Promise<void> | void }): Promise<void> {
    echoMetadata(ctx);
    for await (const r of requests) await out.write({ text: r.text, n: r.n + 1 });
  },
};

let server: Server;
let channel: Channel;
let client: Client;

beforeAll(async () => {
  server = new Server({ maxReceiveMessageSize: 1024 * 1024 });
  server.addService(EchoService, implementation);
  const port = await server.listen({ port: 0 });
  channel = new Channel(`127.0.0.1:${port}`);
  client = new Client(channel);
});

afterAll(async () => {
  await channel.close();
  await server.forceShutdown();
});

describe("four call kinds", () => {
  it("unary with headers and trailers", async () => {
    const md = new Metadata({ "x-id": "42" });
    md.set("x-raw-bin", Buffer.from([0, 255, 7]));
    let headers: Metadata | undefined;
    let trailers: Metadata | undefined;
    const r = await client.unary(M.Unary, { text: "ünïcode", n: -5 }, { metadata: md, onHeader: (h) => (headers = h), onTrailer: (t) => (trailers = t) });
    expect(r).toEqual({ text: "ünïcode", n: -5 });
    expect(headers?.get("x-id")).toBe("42");
    expect(headers?.get("x-raw-bin")).toEqual(Buffer.from([0, 255, 7]));
    expect(trailers?.get("t-x-raw-bin")).toEqual(Buffer.from([0, 255, 7]));
  });

  it("server streaming", async () => {
    const call = client.serverStreaming(M.ServerStream, { text: "s", n: 4 }, { metadata: new Metadata({ "x-k": "v" }) });
    expect((await collect(call)).map((m) => m.n)).toEqual([0, 1, 2, 3]);
    expect((await call.headers).get("x-k")).toBe("v");
    expect((await call.trailers).get("t-x-k")).toBe("v");
  });

  it("client streaming", async () => {
    const call = client.clientStreaming(M.ClientStream);
    for (const t of ["x", "y", "z"]) await call.write({ text: t, n: 0 });
    expect(await call.closeAndRecv()).toEqual({ text: "x,y,z", n: 3 });
  });

  it("bidi, interleaved", async () => {
    const call = client.bidiStreaming(M.Bidi);
    const it = call[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) {
      await call.write({ text: `m${i}`, n: i });
      expect((await it.next()).value).toEqual({ text: `m${i}`, n: i + 1 });
    }
    call.end();
    expect((await it.next()).done).toBe(true);
  });

  it("a server stream of 2000 messages arrives complete and in order", async () => {
    const got = await collect(client.serverStreaming(M.ServerStream, { text: "many", n: 2000 }));
    expect(got.length).toBe(2000);
    expect(got.every((m, i) => m.n === i)).toBe(true);
  });
});

describe("errors", () => {
  it("status, non-ASCII message, trailers and ErrorInfo details", async () => {
    const err = await rejection(client.unary(M.Unary, { text: "fail", n: 0 }));
    expect(err.code).toBe(Status.FAILED_PRECONDITION);
    expect(err.rawMessage).toBe("präcondition ✗");
    expect(err.metadata.get("t-extra")).toBe("1");
    expect(err.errorInfo).toMatchObject({ reason: "STATE", domain: "test.example" });
  });

  it("a plain Error in a handler becomes UNKNOWN without leaking", async () => {
    const err = await rejection(client.unary(M.Unary, { text: "throw", n: 0 }));
    expect([Status.UNKNOWN, Status.INTERNAL]).toContain(err.code);
    expect(err.message).not.toMatch(/at .*\.ts:\d+/);
  });

  it("unknown method is UNIMPLEMENTED", async () => {
    const err = await rejection(client.unary({ ...M.Unary, path: "/test.Echo/Missing" }, { text: "", n: 0 }));
    expect(err.code).toBe(Status.UNIMPLEMENTED);
  });
});

describe("deadlines, cancellation", () => {
  it("the server gets the deadline; expiry fails the client and aborts the handler", async () => {
    const before = Date.now();
    const err = await rejection(client.unary(M.Unary, { text: "sleep:5000", n: 0 }, { timeoutMs: 200 }));
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(seen.deadline).toBeGreaterThanOrEqual(before + 150);
    expect(seen.deadline).toBeLessThanOrEqual(Date.now() + 250);
    await seen.aborted;
  });

  it("cancelling a server stream aborts the handler's signal", async () => {
    const call = client.serverStreaming(M.ServerStream, { text: "slow", n: 100_000 });
    let n = 0;
    for await (const _ of call) if (++n === 3) break;
    const reason = await seen.aborted;
    expect(reason).toBeInstanceOf(GrpcError);
    expect((reason as GrpcError).code).toBe(Status.CANCELLED);
  });
});

describe("compression and size limits", () => {
  it("compressed requests and responses", async () => {
    for (const compression of ["gzip", "deflate"] as const) {
      const text = `compress ${compression} `.repeat(50);
      expect(await client.unary(M.Unary, { text, n: 1 }, { compression, metadata: new Metadata({ "x-gzip": "1" }) })).toEqual({ text, n: 1 });
    }
  });

  it("oversize both ways", async () => {
    // Request over the server's 1 MiB limit.
    const up = await rejection(client.unary(M.Unary, { text: "y".repeat(1024 * 1024 + 10), n: 0 }));
    expect(up.code).toBe(Status.RESOURCE_EXHAUSTED);
    // Response over a client limit of 64 KiB.
    const small = new Channel(channel.peer, { maxReceiveMessageSize: 64 * 1024 });
    const down = await rejection(new Client(small).unary(M.Unary, { text: `big:${100 * 1024}`, n: 0 }));
    expect(down.code).toBe(Status.RESOURCE_EXHAUSTED);
    await small.close();
  });
});

describe("TLS", () => {
  it("mTLS: our server requires and sees our client's certificate", async () => {
    const certs = makeTestCerts();
    const tlsServer = new Server();
    let cn: unknown;
    tlsServer.addService(EchoService, {
      ...implementation,
      Unary: (req: Echo, ctx: ServerCallContext) => {
        cn = ctx.peerCertificate?.subject.CN;
        return req;
      },
    });
    const port = await tlsServer.listen({ port: 0, host: "localhost", tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.caCert, requestCert: true, rejectUnauthorized: true } });
    const ch = new Channel(`localhost:${port}`, { tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey } });
    expect(await new Client(ch).unary(M.Unary, { text: "secure", n: 1 })).toEqual({ text: "secure", n: 1 });
    expect(cn).toBe("test-client");
    await ch.close();
    await tlsServer.forceShutdown();
  });
});

describe("flow control and shutdown", () => {
  it("a slow reader holds the server back instead of buffering the whole stream", async () => {
    let written = 0;
    const total = 400;
    const srv = new Server();
    srv.addService(EchoService, {
      ...implementation,
      async ServerStream(req: Echo, _ctx: ServerCallContext, out: { write(m: Echo): Promise<void> | void }) {
        const text = "p".repeat(64 * 1024);
        for (let i = 0; i < total; i++) {
          await out.write({ text, n: i });
          written++;
        }
      },
    });
    const port = await srv.listen({ port: 0 });
    const ch = new Channel(`127.0.0.1:${port}`);
    const it = new Client(ch).serverStreaming(M.ServerStream, { text: "", n: 0 })[Symbol.asyncIterator]();
    expect((await it.next()).value?.n).toBe(0);
    // Let the server write as much as flow control allows, until it stalls.
    await settle(() => written);
    expect(written).toBeLessThan(total / 4);
    let n = 1;
    while (!(await it.next()).done) n++;
    expect(n).toBe(total);
    await ch.close();
    await srv.forceShutdown();
  });

  it("graceful server shutdown: the call in flight completes, the channel goes idle, later calls are UNAVAILABLE", async () => {
    const srv = new Server();
    srv.addService(EchoService, implementation);
    const port = await srv.listen({ port: 0 });
    const ch = new Channel(`127.0.0.1:${port}`, { backoff: { initialBackoffMs: 60_000 } });
    const c = new Client(ch);
    expect((await c.unary(M.Unary, { text: "warm", n: 0 })).text).toBe("warm");
    const inHandler = new Promise<void>((r) => (unaryStarted = r));
    const inFlight = c.unary(M.Unary, { text: "sleep:300", n: 0 });
    await inHandler;
    const down = srv.shutdown(5000);
    expect((await inFlight).text).toBe("sleep:300");
    await down;
    const err = await rejection(c.unary(M.Unary, { text: "late", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toContain(`127.0.0.1:${port}`);
    await ch.close();
  });
});

describe("request streams after the call ended", () => {
  it("a server that finishes a bidi call early: iteration ends, and later writes reject instead of hanging", async () => {
    const srv = new Server();
    srv.addService(EchoService, {
      ...implementation,
      async Bidi(requests: AsyncIterable<Echo>, _ctx: ServerCallContext, out: { write(m: Echo): Promise<void> | void }) {
        for await (const r of requests) {
          await out.write(r);
          return; // done after one message, while the client still has its side open
        }
      },
    });
    const port = await srv.listen({ port: 0 });
    const ch = new Channel(`127.0.0.1:${port}`);
    const call = new Client(ch).bidiStreaming(M.Bidi);
    await call.write({ text: "only", n: 0 });
    expect(await collect(call)).toEqual([{ text: "only", n: 0 }]);
    await expect(call.write({ text: "late", n: 0 })).rejects.toBeInstanceOf(GrpcError);
    await ch.close();
    await srv.forceShutdown();
  });

  it("writes waiting in a client stream fail with DEADLINE_EXCEEDED when the deadline passes", async () => {
    const call = client.clientStreaming(M.ClientStream, { timeoutMs: 100 });
    const err = await rejection(call.response);
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    const late = await rejection(call.write({ text: "late", n: 0 }));
    expect(late.code).toBe(Status.DEADLINE_EXCEEDED);
  });
});

describe("keepalive enforcement", () => {
  it("a too_many_pings GOAWAY doubles the client's keepalive time, and the next call reconnects", async () => {
    const srv = new Server({ keepalive: { minPingIntervalMs: 60_000, permitWithoutCalls: true, maxPingStrikes: 1 } });
    srv.addService(EchoService, implementation);
    const port = await srv.listen({ port: 0 });
    const ch = new Channel(`127.0.0.1:${port}`, { keepalive: { timeMs: 10, permitWithoutCalls: true } });
    const c = new Client(ch);
    expect((await c.unary(M.Unary, { text: "1", n: 0 })).text).toBe("1");
    while (ch.keepaliveTimeMs === 10) await new Promise((r) => setTimeout(r, 10));
    expect(ch.keepaliveTimeMs).toBe(20);
    expect(ch.state).toBe("idle");
    expect((await c.unary(M.Unary, { text: "2", n: 0 })).text).toBe("2");
    await ch.close();
    await srv.forceShutdown();
  });
});

describe("server limits", () => {
  it("more concurrent calls than the server's MAX_CONCURRENT_STREAMS wait their turn on the one connection", async () => {
    const srv = new Server({ maxConcurrentStreams: 2 });
    srv.addService(EchoService, implementation);
    const port = await srv.listen({ port: 0 });
    const ch = new Channel(`127.0.0.1:${port}`);
    const c = new Client(ch);
    await c.unary(M.Unary, { text: "settings", n: 0 }); // the server's SETTINGS are known from here on
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => c.unary(M.Unary, { text: "sleep:20", n: i })));
    expect(rs.map((r) => r.n)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    await ch.close();
    await srv.forceShutdown();
  });
});
