// Message-level attacks (docs/RELIABILITY.md "Attacks"): gzip and deflate bombs (1 MiB on the wire,
// 1 GiB inflated) and a length prefix of 4 GiB-1, against the user service in a child process. The
// server must stop at its receive limit (4 MiB) and answer RESOURCE_EXHAUSTED without holding more.

import * as http2 from "node:http2";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { grpcMessage } from "../support/h2-frames.js";
import { GRPC_HEADERS, rawCall } from "../support/raw-client.js";
import { Status } from "../../src/wire/status.js";
import { ADMIN_TOKEN, HEAP_GROWTH_BOUND_MIB, MiB, RSS_GROWTH_BOUND_MIB, startChildServer, underAttack, type ChildServer } from "./support.js";

let server: ChildServer;

beforeAll(async () => {
  server = await startChildServer({});
});
afterAll(async () => {
  await server?.stop();
});

/** 1 GiB of zeros through a gzip or zlib (gRPC "deflate") stream: about 1 MiB. */
async function bomb(kind: "gzip" | "deflate"): Promise<Buffer> {
  const z = kind === "gzip" ? zlib.createGzip({ level: 9 }) : zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  z.on("data", (b: Buffer) => out.push(b));
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < 1024; i++) if (!z.write(zeros)) await new Promise((r) => z.once("drain", r));
  await new Promise((r) => z.end(r));
  return Buffer.concat(out);
}

function call(body: Buffer[], extra: http2.OutgoingHttpHeaders, endStream = true) {
  return async () => {
    const session = http2.connect(`http://${server.target}`);
    session.on("error", () => {});
    try {
      return await rawCall(
        session,
        { ...GRPC_HEADERS, ":path": "/user.UserService/CreateUser", authorization: `Bearer ${ADMIN_TOKEN}`, ...extra },
        body,
        { endStream },
      );
    } finally {
      session.destroy();
    }
  };
}

describe("compression bombs and lying lengths", () => {
  for (const kind of ["gzip", "deflate"] as const) {
    test(`${kind} bomb: a 1 MiB message inflating to 1 GiB: RESOURCE_EXHAUSTED, inflating stops at the 4 MiB limit`, async () => {
      const compressed = await bomb(kind);
      expect(compressed.length).toBeLessThan(1.1 * MiB);
      const { result, servedDuring, heapMiB, rssMiB } = await underAttack(
        server,
        call([grpcMessage(compressed, { compressed: true })], { "grpc-encoding": kind }),
      );
      expect(result.grpcStatus).toBe(String(Status.RESOURCE_EXHAUSTED));
      expect(servedDuring).toBeGreaterThan(0);
      expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
      expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
    });
  }

  test("length prefix 4 GiB-1 on a stream that stays open: RESOURCE_EXHAUSTED at once, without waiting for the bytes", async () => {
    const { result, servedDuring, heapMiB, rssMiB } = await underAttack(
      server,
      call([grpcMessage(Buffer.alloc(16), { length: 0xffffffff })], {}, false),
    );
    expect(result.grpcStatus).toBe(String(Status.RESOURCE_EXHAUSTED));
    expect(servedDuring).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    expect(rssMiB).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  });
});
