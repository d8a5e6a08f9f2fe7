// Control-frame floods (docs/RELIABILITY.md "Attacks"): PING flood (CVE-2019-9512), SETTINGS flood
// (CVE-2019-9515) and empty-DATA flood (CVE-2019-9518), against the user service in a child process.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ErrorCode, RawConnection, data, headers, ping, settings, SettingsId } from "../support/h2-frames.js";
import { HEAP_GROWTH_BOUND_MIB, RSS_GROWTH_BOUND_MIB, outcome, startChildServer, underAttack, userRequest, type ChildServer } from "./support.js";

let server: ChildServer;

beforeAll(async () => {
  server = await startChildServer({});
});
afterAll(async () => {
  await server?.stop();
});

/** Writes `count` copies of `frame`, 1,000 per write, until the server closes; how many went out. */
async function flood(conn: RawConnection, frameBytes: Buffer, count: number): Promise<number> {
  const batch = Buffer.concat(Array.from({ length: 1_000 }, () => frameBytes));
  let sent = 0;
  while (sent < count && !conn.closed) {
    // A server that stopped reading never calls back: the flood ends when it closes or stalls us.
    const ok = await Promise.race([conn.write(batch), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000))]);
    if (!ok) break;
    sent += 1_000;
  }
  return sent;
}

describe("control-frame floods", () => {
  test("PING flood: 10,000 PINGs on an idle connection: GOAWAY(ENHANCE_YOUR_CALM, too_many_pings) and close", async () => {
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(server, async () => {
      const conn = await RawConnection.open(server.port);
      const sent = await flood(conn, ping(), 10_000);
      return { ...(await outcome(conn)), sent };
    });
    expect(result.goaway?.code).toBe(ErrorCode.ENHANCE_YOUR_CALM);
    expect(result.goaway?.debug).toBe("too_many_pings");
    expect(result.closed).toBe(true);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });

  test("SETTINGS flood: 100,000 SETTINGS frames while never reading the ACKs: the connection is closed", async () => {
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(server, async () => {
      const conn = await RawConnection.open(server.port);
      conn.socket.pause(); // the ACKs pile up on the server's side
      const sent = await flood(conn, settings([[SettingsId.INITIAL_WINDOW_SIZE, 65_535]]), 100_000);
      conn.socket.resume();
      return { ...(await outcome(conn)), sent };
    });
    // nghttp2 stops at 1,000 queued ACKs (its outbound-ack limit) and ends the session.
    expect(result.closed).toBe(true);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });

  test("empty-DATA flood: 100,000 zero-length DATA frames on one open stream: the connection is closed", async () => {
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(server, async () => {
      const conn = await RawConnection.open(server.port);
      await conn.write(headers(1, userRequest("StreamUserUpdates")));
      const sent = await flood(conn, data(1, Buffer.alloc(0)), 100_000);
      return { ...(await outcome(conn)), sent };
    });
    // node counts zero-length DATA frames without END_STREAM as invalid (maxSessionInvalidFrames, 1,000) and destroys the session.
    expect(result.closed).toBe(true);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });
});
