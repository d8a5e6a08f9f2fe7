// A response cut in the middle of a message because the connection went away (GOAWAY with an error
// code, or the connection torn down) is UNAVAILABLE with the connection's reason, not INTERNAL
// (docs/RELIABILITY.md "Soak": nghttp2's reset limit cut long ListUsers streams this way).

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Channel, Client, GrpcError, Status, clientMethods } from "../../src/client/index.js";
import { EchoService, echo } from "../support/echo-service.js";

const M = clientMethods(EchoService);
let server: http2.Http2Server | undefined;
let channel: Channel | undefined;
const sessions = new Set<http2.ServerHttp2Session>();
afterEach(async () => {
  channel?.close();
  // node keeps a session it sent GOAWAY(error) on open until the peer closes it: end them here.
  for (const s of sessions) s.destroy();
  sessions.clear();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A server that answers ServerStream with headers, then the first 5 bytes of a 100-byte message, then `cut`. */
async function cuttingServer(cut: (stream: http2.ServerHttp2Stream) => void): Promise<Channel> {
  server = http2.createServer();
  server.on("session", (s) => sessions.add(s));
  server.on("stream", (stream) => {
    stream.on("error", () => {});
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    const prefix = Buffer.from([0, 0, 0, 0, 100]);
    stream.write(prefix, () => setTimeout(() => cut(stream), 20));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  channel = new Channel(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  return channel;
}

async function failure(ch: Channel): Promise<GrpcError> {
  try {
    for await (const _m of new Client(ch).serverStreaming(M.ServerStream, echo(), { timeoutMs: 3_000 })) void _m;
  } catch (e) {
    if (e instanceof GrpcError) return e;
    throw e;
  }
  throw new Error("the call succeeded");
}

describe("a response cut mid-message by its connection", () => {
  it("GOAWAY(INTERNAL_ERROR) from the server: UNAVAILABLE naming the GOAWAY", async () => {
    const ch = await cuttingServer((s) => s.session?.goaway(http2.constants.NGHTTP2_INTERNAL_ERROR));
    const err = await failure(ch);
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/code 2/);
  });

  it("the connection torn down: UNAVAILABLE", async () => {
    const ch = await cuttingServer((s) => s.session?.destroy());
    const err = await failure(ch);
    expect(err.code).toBe(Status.UNAVAILABLE);
  });

  it("OK trailers after the partial message, with GOAWAY(INTERNAL_ERROR) right behind: UNAVAILABLE, not INTERNAL", async () => {
    const ch = await cuttingServer((s) => {
      s.end();
      setImmediate(() => s.session?.goaway(http2.constants.NGHTTP2_INTERNAL_ERROR));
    });
    const err = await failure(ch);
    expect(err.code).toBe(Status.UNAVAILABLE);
  });

  it("OK trailers after a partial message on a healthy connection: still INTERNAL (the server's fault)", async () => {
    const ch = await cuttingServer((s) => s.end());
    const err = await failure(ch);
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.message).toMatch(/middle of a message/);
  });
});
