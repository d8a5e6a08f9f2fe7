// ChannelOptions.writeBufferSize: how much a request stream may queue beyond HTTP/2 flow control
// (or before the connection is up) before a streaming call's write() waits.
import { afterEach, describe, expect, it } from "vitest";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Channel, Client } from "../../src/client/index.js";
import { DEFAULT_WRITE_BUFFER_SIZE } from "../../src/wire/framing.js";
import { settle } from "../support/settle.js";
import { Methods } from "../support/client-echo.js";
import { freePort as closedPort } from "../support/free-port.js";

const TEXT = "x".repeat(64 * 1024 - 10); // one message ≈ 64 KiB on the wire

let server: http2.Http2Server | undefined;
let channel: Channel | undefined;
afterEach(async () => {
  channel?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** Writes 64 KiB messages one after another until write() stops resolving; returns how many resolved. */
async function resolvedWrites(channel: Channel, waitForReady = false): Promise<number> {
  const call = new Client(channel).clientStreaming(Methods.clientStream, { waitForReady });
  call.response.catch(() => {});
  let resolved = 0;
  void (async () => {
    for (let i = 0; i < 64; i++) {
      await call.write({ text: TEXT, n: i });
      resolved++;
    }
  })().catch(() => {});
  const blockedAt = await settle(() => resolved);
  call.cancel();
  return blockedAt;
}

/** A channel to a peer whose stream windows are 0 (no request byte can leave), once its SETTINGS are in. */
async function zeroWindowChannel(writeBufferSize?: number): Promise<Channel> {
  server = http2.createServer({ settings: { initialWindowSize: 0 } });
  server.on("stream", () => {}); // never reads, never answers
  // A stream opened before the peer's SETTINGS would still use the default 64 KiB window. The server's
  // 'localSettings' fires when the client ACKs its SETTINGS (RFC 9113 §6.5.3), i.e. after applying them.
  const settingsAcked = new Promise<void>((r) => server!.once("session", (session) => session.once("localSettings", () => r())));
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  channel = new Channel(`127.0.0.1:${port}`, writeBufferSize === undefined ? {} : { writeBufferSize });
  channel.connectNow();
  await channel.waitForReady();
  await settingsAcked;
  return channel;
}


describe("ChannelOptions.writeBufferSize", () => {
  it("by default the send loop takes messages until 256 KiB wait unsent, then write() waits", async () => {
    expect(DEFAULT_WRITE_BUFFER_SIZE).toBe(256 * 1024);
    // The 4th message reaches 256 KiB: it is taken (its write resolves), the 5th waits.
    expect(await resolvedWrites(await zeroWindowChannel())).toBe(4);
  });

  it("a larger buffer holds more, and still a bounded amount", async () => {
    expect(await resolvedWrites(await zeroWindowChannel(1024 * 1024))).toBe(16);
  });

  it("0 waits after the first message", async () => {
    expect(await resolvedWrites(await zeroWindowChannel(0))).toBe(1);
  });

  it("bounds what a call holds while the channel is still connecting (waitForReady, no server)", async () => {
    channel = new Channel(`127.0.0.1:${await closedPort()}`);
    expect(await resolvedWrites(channel, true)).toBe(4);
  });
});
