// Channel behaviour against real servers: lazy connect, UNAVAILABLE naming the peer, reconnect after a restart, keepalive, Unix sockets, TLS and mTLS.
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import * as http2 from "node:http2";
import * as net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, Status, type ConnectivityState } from "../../src/client/index.js";
import { makeTestCerts, type TestCerts } from "../support/certs.js";
import { Methods, startGrpcJsEchoServer } from "../support/client-echo.js";
import { rejection } from "../support/outcomes.js";
import { freePort } from "../support/free-port.js";

/** A promise for a call's response headers and the onHeader callback that resolves it. */
function nextHeader(): { promise: Promise<void>; seen: () => void } {
  let seen: () => void = () => {};
  const promise = new Promise<void>((r) => (seen = r));
  return { promise, seen };
}


function waitForState(ch: Channel, ...want: ConnectivityState[]): Promise<void> {
  if (want.includes(ch.state)) return Promise.resolve();
  return new Promise((resolve) => {
    const off = ch.onStateChange((s) => {
      if (want.includes(s)) {
        off();
        resolve();
      }
    });
  });
}

describe("connecting", () => {
  it("connects lazily: idle until the first call", async () => {
    const srv = await startGrpcJsEchoServer();
    const ch = new Channel(srv.target);
    expect(ch.state).toBe("idle");
    const c = new Client(ch);
    expect(await c.unary(Methods.unary, { text: "a", n: 1 })).toEqual({ text: "a", n: 1 });
    expect(ch.state).toBe("ready");
    await ch.close();
    expect(ch.state).toBe("shutdown");
    const err = await rejection(c.unary(Methods.unary, { text: "a", n: 1 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/closed/);
    await srv.close();
  });

  it("destroy() ends calls in flight at once; close() lets them finish", async () => {
    const srv = await startGrpcJsEchoServer();
    const a = new Channel(srv.target);
    // The echo server sends its response headers before it sleeps: onHeader says the call is in flight.
    let inFlight = nextHeader();
    const slowA = new Client(a).unary(Methods.unary, { text: "sleep:5000", n: 0 }, { onHeader: inFlight.seen });
    await inFlight.promise;
    a.destroy();
    const err = await rejection(slowA);
    expect(err.code).toBe(Status.CANCELLED);
    expect(err.message).toMatch(/destroyed/);
    const b = new Channel(srv.target);
    inFlight = nextHeader();
    const slowB = new Client(b).unary(Methods.unary, { text: "sleep:100", n: 0 }, { onHeader: inFlight.seen });
    await inFlight.promise;
    const closed = b.close();
    expect((await slowB).text).toBe("sleep:100");
    await closed;
    srv.server.forceShutdown();
  });

  it("a session that can open no more streams is retired and the call goes out on a new one", async () => {
    const srv = await startGrpcJsEchoServer();
    const ch = new Channel(srv.target);
    const c = new Client(ch);
    expect((await c.unary(Methods.unary, { text: "first", n: 0 })).text).toBe("first");
    const old = ch.acquire(false);
    if (old instanceof Promise || "failure" in old) throw new Error("expected a ready session");
    // What node:http2 throws once a session has used up its 2^31 stream ids.
    old.session.request = () => {
      throw Object.assign(new Error("No stream ID is available because maximum stream ID has been reached"), { code: "ERR_HTTP2_OUT_OF_STREAMS" });
    };
    expect((await c.unary(Methods.unary, { text: "second", n: 0 })).text).toBe("second");
    const now = ch.acquire(false);
    expect(now).not.toBe(old);
    expect(old.session.closed).toBe(true);
    await ch.close();
    await srv.close();
  });

  it("UNAVAILABLE names the peer and the cause when nothing listens", async () => {
    const port = await freePort();
    const ch = new Channel(`127.0.0.1:${port}`, { backoff: { initialBackoffMs: 60_000 } });
    const c = new Client(ch);
    const err = await rejection(c.unary(Methods.unary, { text: "a", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toMatch(/ECONNREFUSED/);
    // While backing off, calls fail fast with the same cause and the time to the next attempt.
    const again = await rejection(c.unary(Methods.unary, { text: "a", n: 0 }));
    expect(again.code).toBe(Status.UNAVAILABLE);
    expect(again.message).toMatch(/next attempt in \d+ ms/);
    expect(ch.state).toBe("transient_failure");
    await ch.close();
  });

  it("rejects a malformed target", () => {
    expect(() => new Channel("localhost:notaport")).toThrow(/invalid port/);
  });

  it("reconnects after the server restarts on the same port", async () => {
    const srv = await startGrpcJsEchoServer();
    const ch = new Channel(srv.target, { backoff: { initialBackoffMs: 20, maxBackoffMs: 50 } });
    const c = new Client(ch);
    expect((await c.unary(Methods.unary, { text: "1", n: 0 })).text).toBe("1");
    srv.server.forceShutdown();
    // A clean close leaves the channel idle; a reset connection puts it in transient_failure.
    await waitForState(ch, "idle", "transient_failure");
    const down = await rejection(c.unary(Methods.unary, { text: "2", n: 0 }));
    expect(down.code).toBe(Status.UNAVAILABLE);
    const again = await startGrpcJsEchoServer({}, undefined, srv.port);
    // waitForReady rides out the backoff instead of failing fast.
    expect((await c.unary(Methods.unary, { text: "3", n: 0 }, { waitForReady: true, timeoutMs: 10_000 })).text).toBe("3");
    expect(ch.state).toBe("ready");
    await ch.close();
    await again.close();
  });

  it("waitForReady calls wait through a failed attempt and succeed once the server is up", async () => {
    const port = await freePort();
    const ch = new Channel(`127.0.0.1:${port}`, { backoff: { initialBackoffMs: 30, maxBackoffMs: 60 } });
    const c = new Client(ch);
    const first = await rejection(c.unary(Methods.unary, { text: "x", n: 0 }));
    expect(first.code).toBe(Status.UNAVAILABLE);
    const pending = c.unary(Methods.unary, { text: "later", n: 0 }, { waitForReady: true, timeoutMs: 10_000 });
    const srv = await startGrpcJsEchoServer({}, undefined, port);
    expect((await pending).text).toBe("later");
    await ch.close();
    await srv.close();
  });

  it("a waitForReady call made before the server exists waits for it, through failed attempts", async () => {
    const port = await freePort();
    const ch = new Channel(`127.0.0.1:${port}`, { backoff: { initialBackoffMs: 20, maxBackoffMs: 40 } });
    const states: ConnectivityState[] = [];
    ch.onStateChange((s) => states.push(s));
    const pending = new Client(ch).unary(Methods.unary, { text: "patient", n: 0 }, { waitForReady: true, timeoutMs: 20_000 });
    await waitForState(ch, "transient_failure");
    const srv = await startGrpcJsEchoServer({}, undefined, port);
    expect((await pending).text).toBe("patient");
    expect(states.slice(0, 2)).toEqual(["connecting", "transient_failure"]);
    await ch.close();
    await srv.close();
  });

  it("talks to a server on a Unix domain socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "client-uds-"));
    const path = join(dir, "s.sock");
    const server = new grpc.Server();
    const { echoServiceDefinition, echoImplementation } = await import("../support/client-echo.js");
    server.addService(echoServiceDefinition, echoImplementation);
    await new Promise<void>((res, rej) => server.bindAsync(`unix:${path}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? rej(e) : res())));
    const ch = new Channel(`unix:${path}`);
    expect((await new Client(ch).unary(Methods.unary, { text: "uds", n: 2 })).text).toBe("uds");
    await ch.close();
    await new Promise<void>((r) => server.tryShutdown(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("process lifetime", () => {
  it("a pending call keeps the process alive; an idle channel does not", async () => {
    const srv = await startGrpcJsEchoServer();
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/client-one-call.ts", srv.target, "sleep:300"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    // The call finished (the process did not exit while waiting), then the process exited by itself.
    expect(out).toBe("answer:sleep:300\n");
    expect(code).toBe(0);
    await srv.close();
  });
});

describe("process lifetime with load balancing", () => {
  function oneCall(...args: string[]): Promise<{ out: string; code: number | null }> {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/client-one-call.ts", ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    return new Promise((r) => child.on("exit", (code) => r({ out, code })));
  }

  it("a call waiting for round_robin to connect (with health checking) keeps the process alive, then it exits", async () => {
    const srv = await startGrpcJsEchoServer();
    const sc = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }], healthCheckConfig: { serviceName: "test.Echo" } });
    // grpc-js's echo server has no health service: UNIMPLEMENTED, healthy (A17).
    expect(await oneCall(`ipv4:127.0.0.1:${srv.port},127.0.0.1:${srv.port}`, "sleep:100", sc)).toEqual({ out: "answer:sleep:100\n", code: 0 });
    await srv.close();
  });

  it("a waitForReady call that times out while nothing listens lets the process exit", async () => {
    const port = await freePort();
    const r = await oneCall(`ipv4:127.0.0.1:${port}`, "never", JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }), "wfr", "300");
    expect(r.out).toMatch(/^error:GrpcError: DEADLINE_EXCEEDED/);
    expect(r.code).toBe(0);
  });

  it("a waitForReady call waits for a server that is not up yet, then the process exits", async () => {
    const port = await freePort();
    const child = oneCall(`ipv4:127.0.0.1:${port}`, "late", JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }), "wfr");
    // Not synchronisation: whether the child has failed an attempt yet or not, the call must succeed.
    await new Promise((r) => setTimeout(r, 1500));
    const srv = await startGrpcJsEchoServer({}, undefined, port);
    expect(await child).toEqual({ out: "answer:late\n", code: 0 });
    await srv.close();
  });
});

describe("keepalive", () => {
  it("sends pings the server acknowledges, and calls keep working", async () => {
    const server = http2.createServer();
    let pings = 0;
    let thirdPing: () => void = () => {};
    const threePings = new Promise<void>((r) => (thirdPing = r));
    server.on("session", (s) => s.on("ping", () => ++pings === 3 && thirdPing()));
    server.on("stream", (stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const ch = new Channel(`127.0.0.1:${port}`, { keepalive: { timeMs: 20, timeoutMs: 1000, permitWithoutCalls: true } });
    const c = new Client(ch);
    expect(await c.unary(Methods.unary, { text: "k", n: 0 })).toEqual({ text: "", n: 0 });
    await threePings;
    expect(ch.state).toBe("ready");
    expect(await c.unary(Methods.unary, { text: "k", n: 0 })).toEqual({ text: "", n: 0 });
    await ch.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("a peer that never acknowledges pings fails the call with UNAVAILABLE naming keepalive", async () => {
    // A bare TCP server that does the HTTP/2 SETTINGS exchange and then ignores everything.
    const sockets: net.Socket[] = [];
    const server = net.createServer((sock) => {
      sockets.push(sock);
      sock.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])); // SETTINGS
      sock.write(Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0])); // SETTINGS ack
      sock.on("data", () => {});
      sock.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const ch = new Channel(`127.0.0.1:${port}`, { keepalive: { timeMs: 30, timeoutMs: 60 }, backoff: { initialBackoffMs: 60_000 } });
    const err = await rejection(new Client(ch).unary(Methods.unary, { text: "k", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/keepalive ping not acknowledged within 60 ms/);
    expect(err.message).toContain(`127.0.0.1:${port}`);
    await ch.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe("TLS", () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts();
  });

  it("TLS with a trusted CA", async () => {
    const srv = await startGrpcJsEchoServer({}, grpc.ServerCredentials.createSsl(certs.caCert, [{ cert_chain: certs.serverCert, private_key: certs.serverKey }], false), 0, "localhost");
    const ch = new Channel(`localhost:${srv.port}`, { tls: { ca: certs.caCert } });
    expect((await new Client(ch).unary(Methods.unary, { text: "tls", n: 0 })).text).toBe("tls");
    expect(ch.secure).toBe(true);
    await ch.close();
    await srv.close();
  });

  it("an untrusted server certificate is UNAVAILABLE with the TLS cause", async () => {
    const srv = await startGrpcJsEchoServer({}, grpc.ServerCredentials.createSsl(certs.caCert, [{ cert_chain: certs.serverCert, private_key: certs.serverKey }], false), 0, "localhost");
    const ch = new Channel(`localhost:${srv.port}`, { tls: { ca: certs.otherCaCert }, backoff: { initialBackoffMs: 60_000 } });
    const err = await rejection(new Client(ch).unary(Methods.unary, { text: "tls", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/certificate/i);
    await ch.close();
    await srv.close();
  });

  it("mTLS: the server requires a client certificate", async () => {
    const creds = grpc.ServerCredentials.createSsl(certs.caCert, [{ cert_chain: certs.serverCert, private_key: certs.serverKey }], true);
    const srv = await startGrpcJsEchoServer({}, creds, 0, "localhost");
    const withCert = new Channel(`localhost:${srv.port}`, { tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey } });
    expect((await new Client(withCert).unary(Methods.unary, { text: "mtls", n: 0 })).text).toBe("mtls");
    const without = new Channel(`localhost:${srv.port}`, { tls: { ca: certs.caCert }, backoff: { initialBackoffMs: 60_000 } });
    const err = await rejection(new Client(without).unary(Methods.unary, { text: "mtls", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/certificate required/);
    // The dead session is dropped: the channel does not keep handing it out.
    expect(without.state).toBe("transient_failure");
    await withCert.close();
    await without.close();
    await srv.close();
  });
});
