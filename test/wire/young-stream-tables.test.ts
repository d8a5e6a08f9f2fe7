// src/wire/young-stream-tables.ts: swapping node:http2's per-session stream Map and pending Set for
// copies must leave node's stream lifecycle (RFC 9113 §5.1) intact: open streams still answer, and a
// session torn down still closes every open stream (node finds them in the new Map). The GC effect
// itself is measured, not tested (scripts/gc-hunt/svc-gc.sh).
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { clientMethods } from "../../src/client/index.js";
import { REFRESH_EVERY, refreshStreamTables, streamTableRefreshes } from "../../src/wire/young-stream-tables.js";
import { EchoService, echo } from "../support/echo-service.js";
import { startOurEcho, type OurEcho } from "../support/our-echo.js";

/** node's session state (found as the module finds it) and its stream Map. */
function streamsOf(session: http2.Http2Session): Map<number, unknown> {
  const k = Object.getOwnPropertySymbols(session).find((s) => s.description === "state")!;
  return (session as unknown as Record<symbol, { streams: Map<number, unknown> }>)[k].streams;
}

/** A bare node:http2 server that refreshes the tables on every stream and holds each open until told. */
async function holdingServer(): Promise<{ srv: http2.Http2Server; port: number; held: http2.ServerHttp2Stream[]; arrived: (n: number) => Promise<void> }> {
  const held: http2.ServerHttp2Stream[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  const srv = http2.createServer();
  srv.on("stream", (stream) => {
    refreshStreamTables(stream.session!);
    stream.on("error", () => {});
    held.push(stream);
    if (waiter !== undefined && held.length >= waiter.n) waiter.resolve();
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const arrived = (n: number): Promise<void> =>
    held.length >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve }));
  return { srv, port: (srv.address() as AddressInfo).port, held, arrived };
}

test("streams open across a refresh still answer, and the Map is a copy holding them", async () => {
  const { srv, port, held, arrived } = await holdingServer();
  const client = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const before = streamTableRefreshes();
    const reqs = [0, 1, 2, 3].map(() => client.request({ ":path": "/", ":method": "POST" }));
    const statuses = reqs.map(
      (r) =>
        new Promise<number>((resolve, reject) => {
          r.on("response", (h) => resolve(Number(h[":status"])));
          r.on("error", reject);
          r.resume();
        }),
    );
    await arrived(4);
    expect(streamTableRefreshes() - before).toBe(4);
    const streams = streamsOf(held[0]!.session!);
    expect(streams.size).toBe(4);
    const first = streams;
    refreshStreamTables(held[0]!.session!);
    const second = streamsOf(held[0]!.session!);
    expect(second).not.toBe(first);
    expect([...second.keys()]).toEqual([...first.keys()]);
    const closed = held.map((s) => new Promise<void>((r) => s.on("close", () => r())));
    for (const s of held) s.respond({ ":status": 200 }, { endStream: true });
    expect(await Promise.all(statuses)).toEqual([200, 200, 200, 200]);
    await Promise.all(closed);
    // node deleted the closed streams from the Map it now holds
    expect(second.size).toBe(0);
  } finally {
    client.destroy();
    await new Promise((r) => srv.close(r));
  }
});

test("a session destroyed after a refresh still closes every open stream", async () => {
  const { srv, port, held, arrived } = await holdingServer();
  const client = http2.connect(`http://127.0.0.1:${port}`);
  client.on("error", () => {});
  try {
    const reqs = [0, 1, 2].map(() => client.request({ ":path": "/", ":method": "POST" }));
    for (const r of reqs) r.on("error", () => {});
    await arrived(3);
    const closed = held.map((s) => new Promise<void>((r) => s.on("close", () => r())));
    held[0]!.session!.destroy();
    await Promise.all(closed);
    expect(held.every((s) => s.destroyed)).toBe(true);
  } finally {
    client.destroy();
    await new Promise((r) => srv.close(r));
  }
});

test("does nothing to an object that is not a node:http2 session", () => {
  const before = streamTableRefreshes();
  expect(() => refreshStreamTables({})).not.toThrow();
  expect(streamTableRefreshes()).toBe(before);
});

const M = clientMethods(EchoService);
let echoes: OurEcho;

beforeAll(async () => {
  echoes = await startOurEcho();
});

afterAll(() => echoes.close());

test("our server refreshes a connection's tables as calls go by, and every call answers", async () => {
  const before = streamTableRefreshes();
  const calls = 2 * REFRESH_EVERY + 10;
  for (let i = 0; i < calls; i += 16) {
    const batch = Array.from({ length: Math.min(16, calls - i) }, (_, j) => echoes.client.unary(M.Unary, echo({ text: "t", count: i + j })));
    const got = await Promise.all(batch);
    got.forEach((g, j) => expect(g).toEqual(echo({ text: "t", count: i + j })));
  }
  expect(streamTableRefreshes() - before).toBeGreaterThanOrEqual(2);
});
