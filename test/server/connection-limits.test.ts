// Connection-level limits (issue 10): the handshake timeout (h2c preface, TLS handshake), the cap on
// open connections, max connection idle and max connection age with its grace (grpc-go's
// keepalive.ServerParameters), and failed TLS handshakes reported with the peer address.

import * as http2 from "node:http2";
import * as net from "node:net";
import * as tls from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_CONCURRENT_STREAMS, Server, Status, type ServerOptions } from "../../src/server/index.js";
import { MAX_DEFAULT_CONNECTIONS, defaultMaxConnections } from "../../src/server/options.js";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { makeTestCerts, type TestCerts } from "../support/certs.js";
import { EchoMessageCodec, EchoService, echo } from "../support/echo-service.js";
import { GRPC_HEADERS, rawCall } from "../support/raw-client.js";
import { holdingEcho } from "../support/holding-echo.js";
import { Flag, FrameType, RawH2, parseGoaway } from "../support/h2-frames.js";

const impl = holdingEcho;

function server(options: ServerOptions): Server {
  return new Server(options).addService(EchoService, impl);
}

const unaryBody = (): Buffer[] => [encodeEnvelope(EchoMessageCodec.encode(echo({ text: "hi" })), false)];
const UNARY = { ...GRPC_HEADERS, ":path": "/test.Echo/Unary" };

/** Resolves when the socket has closed (it reads and drops what arrives, so it sees the server's FIN). */
function socketClosed(socket: net.Socket): Promise<void> {
  socket.resume();
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));
}

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});

describe("handshake timeout", () => {
  it("closes an h2c connection that sends no preface; one that does is kept", async () => {
    const s = server({ handshakeTimeoutMs: 200 });
    const port = await s.listen();
    const silent = net.connect(port, "127.0.0.1");
    silent.on("error", () => {});
    const good = await RawH2.connect(port);
    await socketClosed(silent);
    // The well-behaved connection outlives the silent one and still serves.
    expect(good.closed).toBe(false);
    await good.until((f) => f.some((x) => x.type === FrameType.SETTINGS && (x.flags & Flag.ACK) !== 0), "SETTINGS ACK");
    expect(good.closed).toBe(false);
    good.close();
    await s.forceShutdown();
  });

  it("closes a TLS connection that never completes its handshake, and reports it with the peer address", async () => {
    const errors: unknown[] = [];
    const s = server({ handshakeTimeoutMs: 200, onError: (e) => errors.push(e) });
    const port = await s.listen({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    const silent = net.connect(port, "127.0.0.1");
    silent.on("error", () => {});
    await new Promise<void>((r) => silent.once("connect", () => r()));
    const local = `127.0.0.1:${silent.localPort}`;
    await socketClosed(silent);
    await s.forceShutdown();
    const e = errors.find((x) => x instanceof Error && x.message.includes(local)) as (Error & { peer?: string }) | undefined;
    expect(e?.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed/);
    expect(e?.peer).toBe(local);
  });
});

describe("failed TLS handshakes", () => {
  it("are reported to onError with the peer address", async () => {
    const errors: unknown[] = [];
    const s = server({ onError: (e) => errors.push(e) });
    const port = await s.listen({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    // A client that does not trust the server's CA aborts the handshake.
    const sock = tls.connect({ port, host: "127.0.0.1", ALPNProtocols: ["h2"], ca: certs.otherCaCert, servername: "localhost" });
    sock.on("error", () => {});
    await new Promise<void>((r) => sock.once("connect", () => r()));
    const local = `127.0.0.1:${sock.localPort}`;
    await socketClosed(sock);
    // Plaintext HTTP/2 against the TLS port: not a TLS ClientHello.
    const plain = net.connect(port, "127.0.0.1");
    plain.on("error", () => {});
    await new Promise<void>((r) => plain.once("connect", () => r()));
    const plainPeer = `127.0.0.1:${plain.localPort}`;
    plain.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    await socketClosed(plain);
    await s.forceShutdown();
    const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)));
    expect(messages.some((m) => m.startsWith(`TLS handshake with ${local} failed`))).toBe(true);
    expect(messages.some((m) => m.startsWith(`TLS handshake with ${plainPeer} failed`))).toBe(true);
  });
});

describe("max connections", () => {
  it("the default is below the process's open-file limit", () => {
    const d = defaultMaxConnections();
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(MAX_DEFAULT_CONNECTIONS);
    expect(server({}).options.maxConnections).toBe(d);
    expect(server({}).options.maxConcurrentStreams).toBe(DEFAULT_MAX_CONCURRENT_STREAMS);
  });

  it("closes connections beyond the cap at once, and the connections within it keep working", async () => {
    const s = server({ maxConnections: 2 });
    const port = await s.listen();
    const a = http2.connect(`http://127.0.0.1:${port}`);
    const b = http2.connect(`http://127.0.0.1:${port}`);
    expect((await rawCall(a, UNARY, unaryBody())).grpcStatus).toBe("0");
    expect((await rawCall(b, UNARY, unaryBody())).grpcStatus).toBe("0");
    const third = net.connect(port, "127.0.0.1");
    third.on("error", () => {});
    let got = 0;
    third.on("data", (d: Buffer) => (got += d.length));
    await socketClosed(third);
    expect(got).toBe(0); // closed before any HTTP/2 frame
    expect((await rawCall(a, UNARY, unaryBody())).grpcStatus).toBe("0");
    // Once one closes, a new connection is accepted again.
    b.destroy();
    // The server learns of the close from its socket, which no client-side event reports: retry a
    // few times (each attempt is a real call, so the loop ends as soon as the slot is free).
    let fourthOk = false;
    for (let i = 0; i < 50 && !fourthOk; i++) {
      const c = http2.connect(`http://127.0.0.1:${port}`);
      c.on("error", () => {});
      fourthOk = (await rawCall(c, UNARY, unaryBody())).grpcStatus === "0";
      c.destroy();
      if (!fourthOk) await new Promise((r) => setTimeout(r, 20));
    }
    expect(fourthOk).toBe(true);
    a.destroy();
    await s.forceShutdown();
  });
});

describe("max connection idle", () => {
  it("sends GOAWAY(NO_ERROR) and closes a connection that has had no call for maxConnectionIdleMs", async () => {
    const s = server({ maxConnectionIdleMs: 200 });
    const port = await s.listen();
    const c = await RawH2.connect(port);
    await c.untilClosed();
    const g = c.frames.filter((x) => x.type === FrameType.GOAWAY).map(parseGoaway);
    expect(g.length).toBeGreaterThanOrEqual(1);
    expect(g[g.length - 1]).toMatchObject({ code: 0, lastStreamId: 0 });
    await s.forceShutdown();
  });

  it("does not close a connection while a call is open", async () => {
    const s = server({ maxConnectionIdleMs: 100 });
    const port = await s.listen();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    let goaway = false;
    session.on("goaway", () => (goaway = true));
    const req = session.request({ ...GRPC_HEADERS, ":path": "/test.Echo/ServerStream" });
    req.end(encodeEnvelope(EchoMessageCodec.encode(echo()), false));
    req.on("error", () => {});
    await new Promise<void>((r) => req.once("data", () => r()));
    // Deliberately lets time pass (not synchronisation): several idle periods go by with the call open.
    await new Promise((r) => setTimeout(r, 500));
    expect(goaway).toBe(false);
    req.close();
    await new Promise<void>((r) => session.once("goaway", () => r()));
    session.destroy();
    await s.forceShutdown();
  });
});

describe("max connection age", () => {
  it("drains at the age (GOAWAY 2^31-1, PING, GOAWAY last id), then ends open calls with UNAVAILABLE after the grace and closes", async () => {
    const s = server({ maxConnectionAgeMs: 300, maxConnectionAgeGraceMs: 300 });
    const port = await s.listen();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const goaways: Array<[number, number]> = [];
    session.on("goaway", (code, last) => goaways.push([code, last]));
    session.on("error", () => {});
    const r = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/ServerStream" }, [encodeEnvelope(EchoMessageCodec.encode(echo()), false)]);
    expect(r.trailers?.["grpc-status"]).toBe(String(Status.UNAVAILABLE));
    expect(r.trailers?.["grpc-message"]).toBe("connection max age reached");
    expect(goaways[0]).toEqual([0, 0x7fffffff]);
    await new Promise<void>((r) => (session.closed ? r() : session.once("close", () => r())));
    session.destroy();
    await s.forceShutdown();
  });

  it("a connection past its age takes no new calls, and a new connection serves them", async () => {
    const s = server({ maxConnectionAgeMs: 100 });
    const port = await s.listen();
    const old = http2.connect(`http://127.0.0.1:${port}`);
    old.on("error", () => {});
    expect((await rawCall(old, UNARY, unaryBody())).grpcStatus).toBe("0");
    await new Promise<void>((r) => (old.closed ? r() : old.once("close", () => r())));
    const fresh = http2.connect(`http://127.0.0.1:${port}`);
    expect((await rawCall(fresh, UNARY, unaryBody())).grpcStatus).toBe("0");
    fresh.destroy();
    await s.forceShutdown();
  });
});

