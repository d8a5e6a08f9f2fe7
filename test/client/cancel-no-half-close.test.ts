// Cancelling a client-streaming call resets the stream without half-closing it first: the server
// must see RST_STREAM(CANCEL), never END_STREAM, even with a request write in flight (docs/RELIABILITY.md "Soak").
import { afterEach, describe, expect, it } from "vitest";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Channel, Client } from "../../src/client/index.js";
import { Methods } from "../support/client-echo.js";


let server: http2.Http2Server | undefined;
let channel: Channel | undefined;
afterEach(async () => {
  channel?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe("cancel of a client-streaming call", () => {
  it("never sends END_STREAM before the RST_STREAM(CANCEL), with writes in flight under flow control", async () => {
    let halfClosed = 0;
    let reset = 0;
    let closed = 0;
    let allClosed: () => void = () => {};
    const CALLS = 200;
    const everyStreamClosed = new Promise<void>((r) => (allClosed = r));
    // A small stream window: part of each request waits for WINDOW_UPDATE when the call is cancelled.
    server = http2.createServer({ settings: { initialWindowSize: 8 * 1024 } });
    server.on("stream", (stream) => {
      stream.on("data", () => {});
      stream.on("end", () => {
        if (!stream.closed) halfClosed++; // the client's END_STREAM (a reset closes the stream before it ends the readable side)
      });
      stream.on("error", () => {});
      stream.on("close", () => {
        if (++closed === CALLS) allClosed();
        if (stream.rstCode === http2.constants.NGHTTP2_CANCEL) reset++;
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    channel = new Channel(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    channel.connectNow();
    await channel.waitForReady();
    const client = new Client(channel);
    for (let i = 0; i < CALLS; i++) {
      const call = client.clientStreaming(Methods.clientStream);
      call.response.catch(() => {});
      for (let j = 0; j < 1 + (i % 4); j++) await call.write({ text: "x".repeat(1 + ((i * 7919) % 40_000)), n: j });
      call.cancel();
      await expect(call.response).rejects.toMatchObject({ code: 1 }); // CANCELLED
    }
    await everyStreamClosed;
    expect({ closed, halfClosed, reset }).toMatchObject({ closed: CALLS });
    expect(halfClosed).toBe(0);
    expect(reset).toBe(CALLS);
  }, 60_000);
});
