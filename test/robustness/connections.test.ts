// Connection-level attacks (docs/RELIABILITY.md "Attacks"): hundreds of TCP connections that never
// complete the HTTP/2 preface (the server must time them out, as grpc-go's handshake timeout does), and
// more connections than the server's connection cap.

import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PREFACE, RawConnection } from "../support/h2-frames.js";
import { HEAP_GROWTH_BOUND_MIB, NormalClient, RSS_GROWTH_BOUND_MIB, sleep, startChildServer, underAttack, type ChildServer } from "./support.js";

/** The handshake timeout these tests configure (the default is larger: docs/RELIABILITY.md). */
const HANDSHAKE_TIMEOUT_MS = 500;
/** The connection cap these tests configure. */
const MAX_CONNECTIONS = 50;
/** How long the test waits for the server to close a connection its limits forbid: many times the timeout. */
const CLOSE_BOUND_MS = 15_000;

let server: ChildServer;
let capped: ChildServer;

beforeAll(async () => {
  [server, capped] = await Promise.all([
    startChildServer({ handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS }),
    startChildServer({ maxConnections: MAX_CONNECTIONS }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), capped?.stop()]);
});

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/** Resolves when every socket has closed, or after `ms`; returns how many closed. */
async function closedWithin(sockets: net.Socket[], ms: number): Promise<number> {
  const closes = sockets.map((s) => (s.closed ? Promise.resolve() : new Promise<void>((r) => s.once("close", () => r()))));
  await Promise.race([Promise.all(closes), sleep(ms)]);
  return sockets.filter((s) => s.closed).length;
}

describe("connections", () => {
  test("300 connections that never finish the preface (200 silent, 100 stopping halfway): each is closed after the handshake timeout", async () => {
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(server, async () => {
      const sockets: net.Socket[] = [];
      for (let b = 0; b < 10; b++) sockets.push(...(await Promise.all(Array.from({ length: 30 }, () => connect(server.port)))));
      for (const [i, s] of sockets.entries()) {
        s.on("error", () => {});
        s.resume(); // flowing, so the server's FIN is read and the socket closes
        if (i % 3 === 0) s.write(PREFACE.subarray(0, 12));
      }
      const closed = await closedWithin(sockets, CLOSE_BOUND_MS);
      for (const s of sockets) s.destroy();
      return { closed, total: sockets.length };
    });
    expect(result.closed).toBe(result.total);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  }, 60_000);

  test(`connection cap: of ${MAX_CONNECTIONS + 20} connections, those over the cap (${MAX_CONNECTIONS}) are closed at once; the server serves again when they go`, async () => {
    const server = capped;
    const before = await server.mem();
    const conns: RawConnection[] = [];
    for (let i = 0; i < MAX_CONNECTIONS + 20; i++) conns.push(await RawConnection.open(server.port));
    // Opened one by one: the first MAX_CONNECTIONS are served (their SETTINGS arrive), the rest closed.
    await Promise.race([Promise.all(conns.slice(MAX_CONNECTIONS).map((c) => c.closedPromise)), sleep(CLOSE_BOUND_MS)]);
    const closed = conns.filter((c) => c.closed).length;
    expect(closed).toBeGreaterThanOrEqual(20);
    expect(conns.slice(0, MAX_CONNECTIONS - 5).filter((c) => c.closed).length).toBe(0);
    for (const c of conns) c.destroy();
    await sleep(200);
    const normal = new NormalClient(server.target);
    try {
      expect(await normal.served()).toBe(true);
    } finally {
      normal.close();
    }
    const after = await server.mem();
    expect((after.heapUsed - before.heapUsed) / 2 ** 20).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
  }, 60_000);
});
