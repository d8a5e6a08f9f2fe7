// Naming, subchannels, pick_first/round_robin, health checking (A17) and service config against several real loopback servers (ours, port 0, and Unix sockets).
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Channel, Client, GrpcError, Status, type ConnectivityState } from "../../src/client/index.js";
import { HealthService, HealthServiceDescriptor, ServingStatus } from "../../src/service/health.js";
import { Server } from "../../src/server/index.js";
import { defineService } from "../../src/server/types.js";
import { makeTestCerts } from "../support/certs.js";
import { EchoCodec, Methods, type Echo } from "../support/client-echo.js";
import { rejection } from "../support/outcomes.js";
import { freePort } from "../support/free-port.js";

const EchoService = defineService("test.Echo", {
  Unary: { kind: "unary", requestCodec: EchoCodec, responseCodec: EchoCodec },
});

/** One replica: answers Unary with its name; `failNext` calls fail UNAVAILABLE first. */
interface Replica {
  readonly name: string;
  readonly server: Server;
  readonly port: number;
  readonly health: HealthService;
  served: number;
  failNext: number;
}

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function replica(name: string, opts: { port?: number; path?: string; health?: boolean } = {}): Promise<Replica> {
  const server = new Server();
  const health = new HealthService(["test.Echo"]);
  const r: Replica = { name, server, port: 0, health, served: 0, failNext: 0 };
  server.addService(EchoService, {
    Unary: async (req: Echo) => {
      r.served++;
      if (r.failNext > 0) {
        r.failNext--;
        throw new GrpcError(Status.UNAVAILABLE, `${name} is busy`);
      }
      if (req.text.startsWith("sleep:")) await new Promise((res) => setTimeout(res, Number(req.text.slice(6))));
      return { text: name, n: req.n };
    },
  });
  if (opts.health !== false) server.addService(HealthServiceDescriptor, health.implementation);
  const port = await server.listen(opts.path !== undefined ? { path: opts.path } : { port: opts.port ?? 0 });
  (r as { port: number }).port = port;
  cleanup.push(() => server.forceShutdown());
  return r;
}


function channel(target: string, serviceConfig?: object, extra: object = {}): Channel {
  const ch = new Channel(target, { backoff: { initialBackoffMs: 20, maxBackoffMs: 100 }, ...(serviceConfig === undefined ? {} : { serviceConfig }), ...extra });
  cleanup.push(() => ch.close());
  return ch;
}

/** Waits (event-driven) until `cond` holds after some state change of the channel or its subchannels. */
async function until(ch: Channel, cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(ch.subchannelStates())}`);
    // Subchannel changes do not always change the channel's state: poll at a short interval too.
    await ch.watchState(ch.state, Date.now() + 20);
  }
}

const rr = { loadBalancingConfig: [{ round_robin: {} }] };

describe("targets", () => {
  it("a bad target or service config is a clear error at construction", () => {
    expect(() => new Channel("ipv4:1.2.3.4:5,nope:6")).toThrow(/"nope" is not an IPv4 address/);
    expect(() => new Channel("dns://8.8.8.8/x:1")).toThrow(/DNS server authority/);
    expect(() => new Channel("unix:")).toThrow(/names no socket path/);
    expect(() => new Channel("http://x")).toThrow(/unsupported scheme/);
    expect(() => new Channel("localhost:1", { serviceConfig: "{" })).toThrow(/service config: not valid JSON/);
    expect(() => new Channel("localhost:1", { serviceConfig: { loadBalancingConfig: [{ grpclb: {} }] } })).toThrow(/names no supported policy/);
  });

  it("dns:///localhost:port resolves with node:dns and connects", async () => {
    const a = await replica("a");
    const ch = channel(`dns:///localhost:${a.port}`);
    expect(ch.state).toBe("idle");
    expect((await new Client(ch).unary(Methods.unary, { text: "x", n: 1 })).text).toBe("a");
    expect(ch.subchannelStates()).toContainEqual({ address: `127.0.0.1:${a.port}`, state: "ready" });
  });

  it("a dns: name that does not resolve fails the call UNAVAILABLE naming the target", async () => {
    const ch = channel("dns:///no-such-host.invalid:80");
    const err = await rejection(new Client(ch).unary(Methods.unary, { text: "x", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/failed to resolve dns:\/\/\/no-such-host\.invalid:80: could not resolve .*ENOTFOUND/);
  });

  it("ipv6:[::1]:port reaches a server on the IPv6 loopback; a dual-stack ipv4/ipv6 pair via a custom list", async () => {
    const server = new Server();
    server.addService(EchoService, { Unary: () => ({ text: "v6", n: 0 }) });
    const port = await server.listen({ port: 0, host: "::1" });
    cleanup.push(() => server.forceShutdown());
    const ch = channel(`ipv6:[::1]:${port}`);
    expect((await new Client(ch).unary(Methods.unary, { text: "x", n: 0 })).text).toBe("v6");
    expect(ch.subchannelStates()).toEqual([{ address: `[::1]:${port}`, state: "ready" }]);
    // pick_first over an IPv4 address nobody serves and the IPv6 one: the second is used.
    const both = channel(`ipv4:127.0.0.1:${await freePort()}`, undefined, {
      resolve: () => [{ kind: "tcp", host: "127.0.0.1", port: 1 }, { kind: "tcp", host: "::1", port }],
    });
    expect((await new Client(both).unary(Methods.unary, { text: "x", n: 0 })).text).toBe("v6");
  });

  it("unix:path and unix:///absolute reach a server on a Unix socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "client-lb-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "s.sock");
    await replica("uds", { path });
    expect((await new Client(channel(`unix:${path}`)).unary(Methods.unary, { text: "x", n: 0 })).text).toBe("uds");
    expect((await new Client(channel(`unix://${path}`)).unary(Methods.unary, { text: "x", n: 0 })).text).toBe("uds");
  });
});

describe("pick_first", () => {
  it("goes idle → connecting → ready, skipping an address that refuses", async () => {
    const dead = await freePort();
    const a = await replica("a");
    const ch = channel(`ipv4:127.0.0.1:${dead},127.0.0.1:${a.port}`);
    const states: ConnectivityState[] = [];
    ch.onStateChange((s) => states.push(s));
    expect(ch.getState()).toBe("idle");
    expect(ch.getState(true)).toBe("connecting");
    await ch.waitForReady(Date.now() + 10_000);
    expect(states).toEqual(["connecting", "ready"]);
    expect(ch.subchannelStates()).toEqual([
      { address: `127.0.0.1:${dead}`, state: "transient_failure" },
      { address: `127.0.0.1:${a.port}`, state: "ready" },
    ]);
    const c = new Client(ch);
    for (let i = 0; i < 5; i++) expect((await c.unary(Methods.unary, { text: "x", n: i })).text).toBe("a");
  });

  it("an address whose handshake hangs does not hold up the next one (A61 happy eyeballs, 250 ms)", async () => {
    // A TCP server that accepts and never answers the TLS handshake: that attempt stays CONNECTING.
    const silent = net.createServer((sock) => {
      sock.on("error", () => {});
      sock.resume();
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => silent.close(() => r())));
    const certs = makeTestCerts();
    const server = new Server();
    server.addService(EchoService, { Unary: () => ({ text: "tls", n: 0 }) });
    const port = await server.listen({ port: 0, tls: { key: certs.serverKey, cert: certs.serverCert } });
    cleanup.push(() => server.forceShutdown());
    const silentPort = (silent.address() as net.AddressInfo).port;
    // The connect timeout (60 s) is longer than the test's: only trying the second address in parallel passes.
    const ch = channel(`ipv4:127.0.0.1:${silentPort},127.0.0.1:${port}`, undefined, {
      tls: { ca: certs.caCert, serverName: "localhost" },
      backoff: { minConnectTimeoutMs: 60_000 },
    });
    const c = new Client(ch);
    expect((await c.unary(Methods.unary, { text: "x", n: 0 }, { waitForReady: true })).text).toBe("tls");
    expect(ch.subchannelStates()[1]).toEqual({ address: `127.0.0.1:${port}`, state: "ready" });
    // The hanging attempt was let go once the second address was chosen.
    expect(ch.subchannelStates()[0]?.state).toBe("idle");
  });

  it("the address in use going away sends the next call to another address", async () => {
    const a = await replica("a");
    const b = await replica("b");
    const ch = channel(`ipv4:127.0.0.1:${a.port},127.0.0.1:${b.port}`);
    const c = new Client(ch);
    expect((await c.unary(Methods.unary, { text: "x", n: 0 })).text).toBe("a");
    await a.server.forceShutdown();
    await until(ch, () => ch.state !== "ready", "the channel to notice");
    expect((await c.unary(Methods.unary, { text: "x", n: 0 })).text).toBe("b");
  });

  it("every address down: TRANSIENT_FAILURE, calls fail fast naming each address; waitForReady calls wait", async () => {
    const p1 = await freePort();
    const p2 = await freePort();
    const ch = channel(`ipv4:127.0.0.1:${p1},127.0.0.1:${p2}`);
    const c = new Client(ch);
    const err = await rejection(c.unary(Methods.unary, { text: "x", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toContain(`127.0.0.1:${p1}: `);
    expect(err.message).toContain(`127.0.0.1:${p2}: `);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(await ch.watchState("idle", Date.now() + 10)).toBe(true);
    const waiting = c.unary(Methods.unary, { text: "x", n: 0 }, { waitForReady: true, timeoutMs: 20_000 });
    await replica("late", { port: p2 });
    expect((await waiting).text).toBe("late");
    expect(ch.state).toBe("ready");
  });

  it("waitForReady() without a deadline waits through failed attempts until a server comes up", async () => {
    const port = await freePort();
    const ch = channel(`127.0.0.1:${port}`);
    const ready = ch.waitForReady();
    await until(ch, () => ch.state === "transient_failure", "a failed attempt");
    await replica("late", { port });
    await ready;
    expect(ch.state).toBe("ready");
  });

  it("waitForReady() rejects at its deadline while nothing listens", async () => {
    const ch = channel(`127.0.0.1:${await freePort()}`);
    await expect(ch.waitForReady(Date.now() + 200)).rejects.toThrow(/not ready before the deadline/);
  });
});

describe("round_robin", () => {
  it("spreads calls over every READY subchannel", async () => {
    const rs = await Promise.all(["a", "b", "c"].map((n) => replica(n)));
    const ch = channel(`ipv4:${rs.map((r) => `127.0.0.1:${r.port}`).join(",")}`, rr);
    ch.getState(true);
    await until(ch, () => ch.subchannelStates().every((s) => s.state === "ready"), "all READY");
    const c = new Client(ch);
    const seen: Record<string, number> = {};
    await Promise.all(Array.from({ length: 300 }, async (_, i) => {
      const r = await c.unary(Methods.unary, { text: "x", n: i });
      seen[r.text] = (seen[r.text] ?? 0) + 1;
    }));
    // With every subchannel READY the picker goes round: an even spread.
    expect(seen).toEqual({ a: 100, b: 100, c: 100 });
  });

  it("a failed address is skipped, retried with backoff, and used once it comes up", async () => {
    const a = await replica("a");
    const dead = await freePort();
    const ch = channel(`ipv4:127.0.0.1:${a.port},127.0.0.1:${dead}`, rr);
    const c = new Client(ch);
    for (let i = 0; i < 10; i++) expect((await c.unary(Methods.unary, { text: "x", n: i })).text).toBe("a");
    expect(ch.subchannelStates()[1]?.state).not.toBe("ready");
    const b = await replica("b", { port: dead });
    await until(ch, () => ch.subchannelStates().every((s) => s.state === "ready"), "the second address to come up");
    const names = new Set<string>();
    for (let i = 0; i < 10; i++) names.add((await c.unary(Methods.unary, { text: "x", n: i })).text);
    expect([...names].sort()).toEqual(["a", "b"]);
    expect(b.served).toBeGreaterThan(0);
  });

  it("waitForReady calls wait for any subchannel to become READY", async () => {
    const p1 = await freePort();
    const p2 = await freePort();
    const ch = channel(`ipv4:127.0.0.1:${p1},127.0.0.1:${p2}`, rr);
    const c = new Client(ch);
    const fast = await rejection(c.unary(Methods.unary, { text: "x", n: 0 }));
    expect(fast.code).toBe(Status.UNAVAILABLE);
    const waiting = c.unary(Methods.unary, { text: "x", n: 0 }, { waitForReady: true, timeoutMs: 20_000 });
    await replica("second", { port: p2 });
    expect((await waiting).text).toBe("second");
  });

  it("with health checking, a NOT_SERVING backend takes no new calls, and gets them again when SERVING", async () => {
    const [a, b] = await Promise.all([replica("a"), replica("b")]);
    const ch = channel(`ipv4:127.0.0.1:${a.port},127.0.0.1:${b.port}`, { ...rr, healthCheckConfig: { serviceName: "test.Echo" } });
    ch.getState(true);
    await until(ch, () => ch.subchannelStates().every((s) => s.state === "ready"), "both healthy");
    expect(a.health.watchCount).toBe(1);
    a.health.setStatus("test.Echo", ServingStatus.NOT_SERVING);
    await until(ch, () => ch.subchannelStates()[0]?.state === "transient_failure", "a to turn unhealthy");
    const c = new Client(ch);
    const before = a.served;
    for (let i = 0; i < 20; i++) expect((await c.unary(Methods.unary, { text: "x", n: i })).text).toBe("b");
    expect(a.served).toBe(before);
    a.health.setStatus("test.Echo", ServingStatus.SERVING);
    await until(ch, () => ch.subchannelStates()[0]?.state === "ready", "a to be healthy again");
    const names = new Set<string>();
    for (let i = 0; i < 4; i++) names.add((await c.unary(Methods.unary, { text: "x", n: i })).text);
    expect([...names].sort()).toEqual(["a", "b"]);
  });

  it("a replica shutting down mid-load (health NOT_SERVING, GOAWAY, drain): no call fails, the others take the load", async () => {
    const rs = await Promise.all(["a", "b", "c"].map((n) => replica(n)));
    const ch = channel(`ipv4:${rs.map((r) => `127.0.0.1:${r.port}`).join(",")}`, { ...rr, healthCheckConfig: { serviceName: "test.Echo" } });
    ch.getState(true);
    await until(ch, () => ch.subchannelStates().every((s) => s.state === "ready"), "all READY");
    const c = new Client(ch);
    const seen: Record<string, number> = {};
    let failures = 0;
    let stop = false;
    const workers = Array.from({ length: 8 }, async () => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await c.unary(Methods.unary, { text: i % 4 === 0 ? "sleep:5" : "x", n: i });
          seen[r.text] = (seen[r.text] ?? 0) + 1;
        } catch (err) {
          failures++;
          throw err;
        }
      }
    });
    await until(ch, () => Object.keys(seen).length === 3 && Object.values(seen).every((n) => n >= 20), "load on every replica");
    const [a] = rs as [Replica];
    a.health.shutdown();
    await a.server.shutdown(2000);
    const servedByA = a.served;
    const after = { ...seen };
    await until(ch, () => (seen.b ?? 0) - (after.b ?? 0) >= 50 && (seen.c ?? 0) - (after.c ?? 0) >= 50, "more calls on b and c");
    stop = true;
    await Promise.all(workers);
    expect(failures).toBe(0);
    expect(a.served).toBe(servedByA);
  });

  it("health checking against a server without the health service: healthy (A17), and logged", async () => {
    const a = await replica("plain", { health: false });
    const logs: string[] = [];
    const ch = channel(`ipv4:127.0.0.1:${a.port}`, { ...rr, healthCheckConfig: { serviceName: "test.Echo" } }, { log: (m: string) => logs.push(m) });
    expect((await new Client(ch).unary(Methods.unary, { text: "x", n: 0 })).text).toBe("plain");
    expect(logs.join("\n")).toMatch(/does not implement grpc\.health\.v1\.Health\/Watch; treating it as healthy/);
  });

  it("healthCheckConfig with pick_first is ignored, and the channel says so", () => {
    const logs: string[] = [];
    channel("127.0.0.1:1", { healthCheckConfig: { serviceName: "x" } }, { log: (m: string) => logs.push(m) });
    expect(logs).toEqual(["healthCheckConfig is ignored with pick_first (gRFC A17: health checking is for round_robin)"]);
  });

  it("all backends NOT_SERVING: calls fail fast UNAVAILABLE saying so", async () => {
    const a = await replica("a");
    a.health.setStatus("test.Echo", ServingStatus.NOT_SERVING);
    const ch = channel(`ipv4:127.0.0.1:${a.port}`, { ...rr, healthCheckConfig: { serviceName: "test.Echo" } });
    ch.getState(true);
    await until(ch, () => ch.state === "transient_failure", "TRANSIENT_FAILURE");
    const err = await rejection(new Client(ch).unary(Methods.unary, { text: "x", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/health check of "test\.Echo": NOT_SERVING/);
  });
});

describe("re-resolution", () => {
  it("a custom resolver is asked again when a connection fails; a new address then takes calls", async () => {
    const a = await replica("a");
    const dead = await freePort();
    const list = [a.port, dead];
    let resolutions = 0;
    const ch = channel("ipv4:127.0.0.1:1", rr, {
      minResolutionIntervalMs: 0,
      resolve: () => {
        resolutions++;
        return list.map((port) => ({ kind: "tcp" as const, host: "127.0.0.1", port }));
      },
    });
    const c = new Client(ch);
    expect((await c.unary(Methods.unary, { text: "x", n: 0 }, { waitForReady: true })).text).toBe("a");
    const b = await replica("b");
    list[1] = b.port;
    // The dead address keeps failing, and each failure asks the resolver again: b appears.
    await until(ch, () => ch.subchannelStates().some((s) => s.address === `127.0.0.1:${b.port}` && s.state === "ready"), "b in the list and READY");
    expect(resolutions).toBeGreaterThan(1);
    expect(ch.subchannelStates().map((s) => s.address)).toEqual([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]);
    const names = new Set<string>();
    for (let i = 0; i < 4; i++) names.add((await c.unary(Methods.unary, { text: "x", n: i })).text);
    expect([...names].sort()).toEqual(["a", "b"]);
  });

  it("a backend that goes away (GOAWAY) makes the channel re-resolve and move to the new list without failing a call", async () => {
    const a = await replica("a");
    const b = await replica("b");
    let list = [a.port];
    const ch = channel("ipv4:127.0.0.1:1", rr, {
      minResolutionIntervalMs: 0,
      resolve: () => list.map((port) => ({ kind: "tcp" as const, host: "127.0.0.1", port })),
    });
    const c = new Client(ch);
    expect((await c.unary(Methods.unary, { text: "x", n: 0 })).text).toBe("a");
    list = [b.port];
    await a.server.shutdown(1000);
    await until(ch, () => ch.subchannelStates().length === 1 && ch.subchannelStates()[0]?.address === `127.0.0.1:${b.port}`, "the new list");
    for (let i = 0; i < 5; i++) expect((await c.unary(Methods.unary, { text: "x", n: i }, { waitForReady: true, timeoutMs: 10_000 })).text).toBe("b");
  });
});

describe("service config methodConfig", () => {
  it("retryPolicy retries UNAVAILABLE up to maxAttempts (gRFC A6); timeout caps the call", async () => {
    const a = await replica("a");
    const retrying = channel(`127.0.0.1:${a.port}`, {
      methodConfig: [
        {
          name: [{ service: "test.Echo", method: "Unary" }],
          retryPolicy: { maxAttempts: 3, initialBackoff: "0.01s", maxBackoff: "0.05s", backoffMultiplier: 2, retryableStatusCodes: ["UNAVAILABLE"] },
        },
      ],
    });
    const c = new Client(retrying);
    a.failNext = 2;
    expect((await c.unary(Methods.unary, { text: "x", n: 0 })).text).toBe("a");
    expect(a.served).toBe(3);
    a.failNext = 3;
    expect((await rejection(c.unary(Methods.unary, { text: "x", n: 0 }))).code).toBe(Status.UNAVAILABLE);
    expect(a.served).toBe(6);
    // A call's own shorter timeout still wins; the method's timeout caps one without.
    const capped = new Client(channel(`127.0.0.1:${a.port}`, { methodConfig: [{ name: [{ service: "test.Echo" }], timeout: "0.2s" }] }));
    const slow = await rejection(capped.unary(Methods.unary, { text: "sleep:10000", n: 0 }, { timeoutMs: 60_000 }));
    expect(slow.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(slow.message).toMatch(/deadline of 200 ms/);
  });
});

describe("a backend that is not an HTTP/2 server", () => {
  it("closing every connection without SETTINGS counts as a failure: round_robin backs off instead of spinning", async () => {
    let accepted = 0;
    const bogus = net.createServer((sock) => {
      accepted++;
      sock.on("error", () => {});
      sock.resume();
      sock.end();
    });
    await new Promise<void>((r) => bogus.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => bogus.close(() => r())));
    const port = (bogus.address() as net.AddressInfo).port;
    const ch = channel(`ipv4:127.0.0.1:${port}`, rr, { backoff: { initialBackoffMs: 60_000 } });
    ch.getState(true);
    await until(ch, () => ch.state === "transient_failure", "TRANSIENT_FAILURE");
    const err = await rejection(new Client(ch).unary(Methods.unary, { text: "x", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/closed before the server sent HTTP\/2 settings \(the server may require TLS\)/);
    // One attempt, then the 60 s backoff: no reconnection loop.
    expect(accepted).toBe(1);
  });
});
