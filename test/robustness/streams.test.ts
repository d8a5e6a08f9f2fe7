// Attacks on streams (docs/RELIABILITY.md "Attacks"): rapid reset (CVE-2023-44487) on one and on 50
// connections, and stream exhaustion, against the user service in a child process. Each asserts the
// documented answer, that a normal client is served during and after, and bounded memory growth.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ErrorCode, RawConnection, SettingsId, headers, rstStream } from "../support/h2-frames.js";
import {
  HEAP_GROWTH_BOUND_MIB,
  RSS_GROWTH_BOUND_MIB,
  outcome,
  report,
  handlersStarted,
  startChildServer,
  underAttack,
  userRequest,
  type ChildServer,
} from "./support.js";

const BIDI = "/user.UserService/StreamUserUpdates";
let server: ChildServer;

beforeAll(async () => {
  server = await startChildServer({});
});
afterAll(async () => {
  await server?.stop();
});

const handlersRun = (): Promise<number> => handlersStarted(server, BIDI);

/** `count` streams opened and reset (CANCEL) at once, `perWrite` HEADERS+RST_STREAM pairs per write. */
async function rapidReset(conn: RawConnection, count: number, perWrite: number): Promise<void> {
  const block = userRequest("StreamUserUpdates");
  for (let sent = 0; sent < count && !conn.closed; ) {
    const parts: Buffer[] = [];
    for (let i = 0; i < perWrite && sent < count; i++, sent++) {
      const id = 2 * sent + 1;
      parts.push(headers(id, block), rstStream(id, ErrorCode.CANCEL));
    }
    await conn.write(Buffer.concat(parts));
  }
}

describe("rapid reset (HEADERS then RST_STREAM at once)", () => {
  test("one connection, 2,000 streams: drained (GOAWAY); reset streams run no handler", async () => {
    const ranBefore = await handlersRun();
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(server, async () => {
      const conn = await RawConnection.open(server.port);
      await rapidReset(conn, 2_000, 100);
      return outcome(conn);
    });
    const ran = (await handlersRun()) - ranBefore;
    report("rapid reset, 1 connection", { ran });
    // The server drains the connection (GOAWAY NO_ERROR, then closes it) once the client has spent
    // 700 of nghttp2's 1,000 resets (connection.ts countPeerReset), before nghttp2's own
    // GOAWAY(INTERNAL_ERROR) would; a reset stream is gone before its handler would start.
    expect([ErrorCode.NO_ERROR, ErrorCode.INTERNAL_ERROR]).toContain(result.goaway?.code);
    expect(result.unanswered).toBe(false);
    expect(ran).toBeLessThanOrEqual(100);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });

  test("50 connections, 200 streams each (below the per-connection GOAWAY threshold): no reset stream runs its handler", async () => {
    const ranBefore = await handlersRun();
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(server, async () => {
      const conns = await Promise.all(Array.from({ length: 50 }, () => RawConnection.open(server.port)));
      await Promise.all(conns.map((c) => rapidReset(c, 200, 200)));
      const outcomes = await Promise.all(conns.map((c) => outcome(c)));
      for (const c of conns) c.destroy();
      return outcomes;
    });
    const ran = (await handlersRun()) - ranBefore;
    report("rapid reset, 50 connections", { ran });
    for (const o of result) expect(o.unanswered).toBe(false); // every connection was read to the end
    expect(ran).toBeLessThanOrEqual(500); // of 10,000
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });
});

describe("stream exhaustion", () => {
  /** Opens 5,000 bidi streams that never end on one connection; `ack` = acknowledge the server's SETTINGS first. */
  async function exhaust(ack: boolean) {
    const ranBefore = await handlersRun();
    const attack = await underAttack(server, async () => {
      const conn = await RawConnection.open(server.port);
      conn.autoAck = ack;
      await conn.until(() => conn.serverSettings.size > 0);
      const limit = conn.serverSettings.get(SettingsId.MAX_CONCURRENT_STREAMS) ?? 0xffffffff;
      const block = userRequest("StreamUserUpdates");
      for (let b = 0; b < 20 && !conn.closed; b++) {
        const parts: Buffer[] = [];
        for (let i = 0; i < 250; i++) parts.push(headers(2 * (b * 250 + i) + 1, block));
        await conn.write(Buffer.concat(parts));
      }
      const o = await outcome(conn, 3_000);
      conn.destroy();
      return { ...o, limit };
    });
    const ran = (await handlersRun()) - ranBefore;
    report("stream exhaustion", { ack, ran });
    return { ...attack, ran };
  }

  test("before acknowledging SETTINGS, 5,000 streams on one connection: those over the advertised limit get RST_STREAM(REFUSED_STREAM), at most the limit run", async () => {
    const { result, ran, servedDuring, heapMiB, rssMiB } = await exhaust(false);
    expect(result.limit).toBe(100);
    expect(ran).toBeLessThanOrEqual(result.limit);
    // The server reads until its handler quota (= the limit) is used, refusing every stream over the
    // limit in what it read; then it stops reading this connection (grpc-go does the same).
    expect(result.resets.get(ErrorCode.REFUSED_STREAM) ?? 0).toBeGreaterThanOrEqual(1_000);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });

  test("after acknowledging SETTINGS, 5,000 streams on one connection: a connection error (closed), at most the limit run", async () => {
    const { result, ran, servedDuring, heapMiB, rssMiB } = await exhaust(true);
    expect(result.closed).toBe(true); // RFC 9113 §5.1.2: nghttp2 treats it as PROTOCOL_ERROR
    expect(ran).toBeLessThanOrEqual(result.limit);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });
});
