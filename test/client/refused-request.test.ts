// A request the server refuses while the client is still sending it (PROTOCOL-HTTP2: the server
// sends its status, then RST_STREAM(NO_ERROR) so the client stops): the call ends with the server's
// status at once, whatever the request's size. Above node:http2's default session memory (10 MB of
// queued request bytes) the status used to be dropped and the call waited for its deadline.

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, Status, clientMethods } from "../../src/client/index.js";
import { Server } from "../../src/server/index.js";
import { EchoService, echo } from "../support/echo-service.js";
import { rejection } from "../support/outcomes.js";

const LIMIT = 4 * 1024 * 1024;
const M = clientMethods(EchoService);
// Generous: a hang shows as DEADLINE_EXCEEDED (the assertion on the code fails), not as a test timeout.
const DEADLINE = { timeoutMs: 20_000 };

let server: Server;
let channel: Channel;
let client: Client;
beforeAll(async () => {
  server = new Server({ maxReceiveMessageSize: LIMIT }).addService(EchoService, {
    Unary: (req) => echo({ count: req.payload.length }),
    ServerStream: async () => {},
    ClientStream: async (reqs) => {
      let n = 0;
      for await (const r of reqs) n += r.payload.length;
      return echo({ count: n });
    },
    Bidi: async (reqs, _ctx, out) => {
      for await (const r of reqs) await out.write(echo({ count: r.payload.length }));
    },
  });
  const port = await server.listen();
  channel = new Channel(`127.0.0.1:${port}`);
  client = new Client(channel);
});
afterAll(async () => {
  channel?.destroy();
  await server?.shutdown(500);
});

describe("a request over the server's receive limit", () => {
  // 6 MiB always worked; 13 and 17 MiB (over node's 10 MB session memory) waited for the deadline.
  it.each([6, 13, 17])("unary, %i MiB: RESOURCE_EXHAUSTED from the server", async (mib) => {
    const size = mib * 1024 * 1024;
    const err = await rejection(client.unary(M.Unary, echo({ payload: new Uint8Array(size) }), DEADLINE));
    expect([err.code, err.rawMessage]).toEqual([Status.RESOURCE_EXHAUSTED, `received message larger than max (${size + 5} vs. ${LIMIT})`]);
  });

  it("client streaming, a 13 MiB message after small ones: RESOURCE_EXHAUSTED from the server", async () => {
    const call = client.clientStreaming(M.ClientStream, DEADLINE);
    await call.write(echo({ payload: new Uint8Array(1000) }));
    await call.write(echo({ payload: new Uint8Array(13 * 1024 * 1024) })).catch(() => {});
    const err = await rejection(call.closeAndRecv());
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(err.rawMessage).toContain(`vs. ${LIMIT}`);
  });

  it("bidi, after the response headers: RESOURCE_EXHAUSTED in the trailers", async () => {
    const call = client.bidiStreaming(M.Bidi, DEADLINE);
    const it = call[Symbol.asyncIterator]();
    await call.write(echo({ payload: new Uint8Array(10) }));
    expect((await it.next()).value?.count).toBe(10);
    await call.write(echo({ payload: new Uint8Array(13 * 1024 * 1024) })).catch(() => {});
    const err = await rejection(it.next());
    // The server's status, not node's own RST_STREAM(ENHANCE_YOUR_CALM) for trailers it dropped
    // (which maps to RESOURCE_EXHAUSTED too).
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(err.rawMessage).toContain(`vs. ${LIMIT}`);
  });

  it("the channel goes on serving calls afterwards", async () => {
    await rejection(client.unary(M.Unary, echo({ payload: new Uint8Array(13 * 1024 * 1024) }), DEADLINE));
    expect((await client.unary(M.Unary, echo({ payload: new Uint8Array(LIMIT - 100) }), DEADLINE)).count).toBe(LIMIT - 100);
  });
});

describe("a server that resets the stream (NO_ERROR) without a status while the request is queued", () => {
  it("ends the call at once with INTERNAL, not at its deadline", async () => {
    // node:http2 emits 'close' for such a stream only once its queued writes are out: never.
    const raw = http2.createServer();
    raw.on("stream", (stream) => stream.close(http2.constants.NGHTTP2_NO_ERROR));
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    const ch = new Channel(`127.0.0.1:${(raw.address() as AddressInfo).port}`);
    try {
      // Far more than the 64 KiB stream window: most of it is still queued when the reset comes.
      const err = await rejection(new Client(ch).unary(M.Unary, echo({ payload: new Uint8Array(1024 * 1024) }), DEADLINE));
      expect(err.code).toBe(Status.INTERNAL);
      expect(err.rawMessage).toContain("without sending a gRPC status");
    } finally {
      ch.destroy();
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });
});
