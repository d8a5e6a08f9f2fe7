// Attacks with header blocks (docs/RELIABILITY.md "Attacks"): CONTINUATION flood (CVE-2024-27316
// family), HPACK bomb (a dynamic-table entry referenced thousands of times), and 10,000 header
// pairs, against the user service in a child process.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ErrorCode, RawConnection, continuation, headerBlock, headers, indexed, literal, literalIndexed } from "../support/h2-frames.js";
import {
  HEAP_GROWTH_BOUND_MIB,
  RSS_GROWTH_BOUND_MIB,
  outcome,
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

/** `block` as HEADERS plus CONTINUATION frames of at most 16,384 bytes (the default max frame size). */
function headerFrames(streamId: number, block: Buffer): Buffer {
  const frames: Buffer[] = [];
  for (let off = 0; off < block.length; off += 16_384) {
    const piece = block.subarray(off, off + 16_384);
    const last = off + 16_384 >= block.length;
    frames.push(off === 0 ? headers(streamId, piece, { endHeaders: last }) : continuation(streamId, piece, last));
  }
  return Buffer.concat(frames);
}

describe("header block attacks", () => {
  test("CONTINUATION flood: 10,000 CONTINUATION frames (10 MiB) with no END_HEADERS: the connection is closed", async () => {
    const ranBefore = await handlersRun();
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(server, async () => {
      const conn = await RawConnection.open(server.port);
      await conn.write(headers(1, userRequest("StreamUserUpdates"), { endHeaders: false }));
      const chunk = continuation(1, literal("x-fill", "a".repeat(1_000)));
      let sent = 0;
      for (let b = 0; b < 100 && !conn.closed; b++) {
        if (!(await conn.write(Buffer.concat(Array.from({ length: 100 }, () => chunk))))) break;
        sent += 100;
      }
      const o = await outcome(conn);
      return { ...o, sent };
    });
    expect(result.closed).toBe(true);
    expect(result.sent).toBeLessThan(10_000); // closed long before the flood ended
    expect((await handlersRun()) - ranBefore).toBe(0);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });

  test("HPACK bomb: one 4 KB dynamic-table entry referenced 60,000 times (240 MB decoded) in one header block: RST_STREAM(ENHANCE_YOUR_CALM), the handler never runs", async () => {
    const ranBefore = await handlersRun();
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(server, async () => {
      const conn = await RawConnection.open(server.port);
      const entry = literalIndexed("x-bomb", "b".repeat(4_000)); // 4,038 bytes of the 4,096-byte table
      const refs = Buffer.alloc(60_000, indexed(62)[0]);
      await conn.write(headerFrames(1, Buffer.concat([userRequest("StreamUserUpdates"), entry, refs])));
      return outcome(conn);
    });
    // node counts the decoded size against SETTINGS_MAX_HEADER_LIST_SIZE (16 KiB) and resets the stream.
    expect(result.resets.get(ErrorCode.ENHANCE_YOUR_CALM)).toBe(1);
    expect(result.goaway).toBeUndefined();
    expect((await handlersRun()) - ranBefore).toBe(0);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });

  test("10,000 header pairs (about 100 KB) in one request: RST_STREAM(ENHANCE_YOUR_CALM), the handler never runs", async () => {
    const ranBefore = await handlersRun();
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(server, async () => {
      const conn = await RawConnection.open(server.port);
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < 10_000; i++) pairs.push([`x-h${i}`, "v"]);
      await conn.write(headerFrames(1, Buffer.concat([userRequest("StreamUserUpdates"), headerBlock(pairs)])));
      return outcome(conn);
    });
    expect(result.resets.get(ErrorCode.ENHANCE_YOUR_CALM)).toBe(1);
    expect(result.goaway).toBeUndefined(); // the connection itself stays usable
    expect((await handlersRun()) - ranBefore).toBe(0);
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });
});
