// The ready-made client interceptors (bearerToken, requestId, logging, retry) against a raw node:http2 peer.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, GrpcError, Metadata, Status, bearerToken, logging, requestId, retry, type CallLogEntry } from "../../src/client/index.js";
import { EchoCodec, Methods } from "../support/client-echo.js";

let server: http2.Http2Server;
let channel: Channel;
/** Answers each call: given the request headers, a grpc-status (and messages to send first). */
let answer: (headers: http2.IncomingHttpHeaders) => { status: number; messages?: number };
const seen: http2.IncomingHttpHeaders[] = [];

function frame(text: string, n: number): Buffer {
  const body = EchoCodec.encode({ text, n }, 5);
  body[0] = 0;
  body.writeUInt32BE(body.length - 5, 1);
  return body;
}

beforeAll(async () => {
  server = http2.createServer();
  server.on("stream", (stream, headers) => {
    seen.push(headers);
    stream.on("data", () => {});
    stream.on("error", () => {});
    stream.on("end", () => {
      const a = answer(headers);
      if (a.messages === undefined && a.status !== 0) {
        stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": String(a.status), "grpc-message": "try again" }, { endStream: true });
        return;
      }
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": String(a.status) }));
      const n = a.messages ?? 1;
      for (let i = 0; i < n; i++) stream.write(frame("r", i));
      stream.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  channel = new Channel(`127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  await channel.close();
  await new Promise<void>((r) => server.close(() => r()));
});

describe("standard interceptors", () => {
  it("bearerToken and requestId set their headers; a caller's request id is kept", async () => {
    answer = () => ({ status: 0 });
    const c = new Client(channel, { interceptors: [bearerToken(() => "tok-1"), requestId("x-request-id", () => "rid-1")] });
    seen.length = 0;
    await c.unary(Methods.unary, { text: "a", n: 0 });
    await c.unary(Methods.unary, { text: "a", n: 0 }, { metadata: new Metadata({ "x-request-id": "mine" }) });
    expect(seen.map((h) => [h.authorization, h["x-request-id"]])).toEqual([
      ["Bearer tok-1", "rid-1"],
      ["Bearer tok-1", "mine"],
    ]);
  });

  it("interceptors work on a copy: a Metadata object reused across calls is not changed", async () => {
    answer = () => ({ status: 0 });
    let id = 0;
    const c = new Client(channel, { interceptors: [requestId("x-request-id", () => `id-${++id}`)] });
    const shared = new Metadata({ "x-shared": "1" });
    seen.length = 0;
    await c.unary(Methods.unary, { text: "a", n: 0 }, { metadata: shared });
    await c.unary(Methods.unary, { text: "a", n: 0 }, { metadata: shared });
    expect(seen.map((h) => h["x-request-id"])).toEqual(["id-1", "id-2"]);
    expect(shared.has("x-request-id")).toBe(false);
  });

  it("logging records status, duration and response count for unary and streaming calls", async () => {
    const entries: CallLogEntry[] = [];
    const c = new Client(channel, { interceptors: [logging((e) => entries.push(e))] });
    answer = () => ({ status: 0 });
    await c.unary(Methods.unary, { text: "a", n: 0 });
    answer = () => ({ status: Status.DATA_LOSS, messages: 2 });
    await expect(
      (async () => {
        for await (const _ of c.serverStreaming(Methods.serverStream, { text: "a", n: 0 })) {
          // drain
        }
      })(),
    ).rejects.toBeInstanceOf(GrpcError);
    expect(entries.map((e) => [e.path, e.codeName, e.responses])).toEqual([
      ["/test.Echo/Unary", "OK", 1],
      ["/test.Echo/ServerStream", "DATA_LOSS", 2],
    ]);
    expect(entries.every((e) => e.durationMs >= 0)).toBe(true);
  });

  it("retry retries UNAVAILABLE up to maxAttempts, not other codes", async () => {
    let calls = 0;
    answer = () => (++calls < 3 ? { status: Status.UNAVAILABLE } : { status: 0 });
    const c = new Client(channel, { interceptors: [retry({ maxAttempts: 3, delayMs: () => 1 })] });
    expect(await c.unary(Methods.unary, { text: "a", n: 0 }, { timeoutMs: 10_000 })).toEqual({ text: "r", n: 0 });
    expect(calls).toBe(3);

    calls = 0;
    answer = () => (++calls, { status: Status.UNAVAILABLE });
    const e1 = await c.unary(Methods.unary, { text: "a", n: 0 }).catch((e: unknown) => e);
    expect((e1 as GrpcError).code).toBe(Status.UNAVAILABLE);
    expect(calls).toBe(3);

    calls = 0;
    answer = () => (++calls, { status: Status.INVALID_ARGUMENT });
    const e2 = await c.unary(Methods.unary, { text: "a", n: 0 }).catch((e: unknown) => e);
    expect((e2 as GrpcError).code).toBe(Status.INVALID_ARGUMENT);
    expect(calls).toBe(1);
  });

  it("retry leaves client-streaming calls alone (their requests cannot be replayed)", async () => {
    let calls = 0;
    answer = () => (++calls, { status: Status.UNAVAILABLE });
    const c = new Client(channel, { interceptors: [retry({ maxAttempts: 5, delayMs: () => 1 })] });
    const call = c.clientStreaming(Methods.clientStream);
    await call.write({ text: "a", n: 0 });
    const err = await call.closeAndRecv().catch((e: unknown) => e);
    expect((err as GrpcError).code).toBe(Status.UNAVAILABLE);
    expect(calls).toBe(1);
  });
});
