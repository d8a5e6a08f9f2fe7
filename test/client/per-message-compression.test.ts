// WriteOptions.compress: the Compressed-Flag is per message (PROTOCOL-HTTP2 Length-Prefixed-Message),
// so a compressed client stream can send single messages uncompressed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, clientMethods } from "../../src/client/index.js";
import { Server, defineService, type ServerCallContext } from "../../src/server/index.js";
import { EchoCodec, type Echo } from "../support/client-echo.js";

const Service = defineService("test.Flags", {
  Collect: { kind: "client_streaming", requestCodec: EchoCodec, responseCodec: EchoCodec },
  Echo: { kind: "bidi_streaming", requestCodec: EchoCodec, responseCodec: EchoCodec },
  Three: { kind: "server_streaming", requestCodec: EchoCodec, responseCodec: EchoCodec },
});
const M = clientMethods(Service);

let server: Server;
let channel: Channel;
let client: Client;
beforeAll(async () => {
  server = new Server().addService(Service, {
    // Answers with the Compressed-Flag of every request message, as "1" and "0".
    async Collect(requests: AsyncIterable<Echo>, ctx: ServerCallContext) {
      let flags = "";
      for await (const _ of requests) flags += ctx.lastRequestCompressed ? "1" : "0";
      return { text: flags, n: flags.length };
    },
    async Echo(requests: AsyncIterable<Echo>, ctx: ServerCallContext, out) {
      for await (const r of requests) await out.write({ text: ctx.lastRequestCompressed ? "1" : "0", n: r.n });
    },
    // Three responses, the middle one sent uncompressed (the response encoding mirrors the request's).
    async Three(req: Echo, _ctx: ServerCallContext, out) {
      await out.write({ text: req.text, n: 1 });
      await out.write({ text: req.text, n: 2 }, { compress: false });
      await out.write({ text: req.text, n: 3 });
    },
  });
  const port = await server.listen();
  channel = new Channel(`127.0.0.1:${port}`);
  client = new Client(channel);
});
afterAll(async () => {
  channel.close();
  await server.shutdown(100);
});

const msg = (n: number): Echo => ({ text: "z".repeat(200), n });

describe("per-message compression (client)", () => {
  it("client streaming: { compress: false } sends that message with flag 0, the others stay compressed", async () => {
    const call = client.clientStreaming(M.Collect, { compression: "gzip" });
    await call.write(msg(1));
    await call.write(msg(2), { compress: false });
    await call.write(msg(3));
    await call.write(msg(4), { compress: true });
    expect((await call.closeAndRecv()).text).toBe("1011");
  });

  it("bidi: the same, message by message", async () => {
    const call = client.bidiStreaming(M.Echo, { compression: "deflate" });
    const flags: string[] = [];
    const reading = (async () => {
      for await (const r of call) flags.push(r.text);
    })();
    await call.write(msg(1), { compress: false });
    await call.write(msg(2));
    call.end();
    await reading;
    expect(flags).toEqual(["0", "1"]);
  });

  it("the mark is used once: the same object written again follows the call's compression", async () => {
    const call = client.clientStreaming(M.Collect, { compression: "gzip" });
    const m = msg(1);
    await call.write(m, { compress: false });
    await call.write(m);
    expect((await call.closeAndRecv()).text).toBe("01");
  });

  it("onResponseEnvelope reports the Compressed-Flag and length of every response message", async () => {
    const seen: Array<[boolean, number]> = [];
    const got: number[] = [];
    const onResponseEnvelope = (compressed: boolean, length: number): void => void seen.push([compressed, length]);
    for await (const r of client.serverStreaming(M.Three, msg(0), { compression: "gzip", onResponseEnvelope })) got.push(r.n);
    expect(got).toEqual([1, 2, 3]);
    expect(seen.map(([c]) => c)).toEqual([true, false, true]);
    // 200 repeated bytes compress well: the compressed messages are much shorter than the plain one.
    expect(seen[0][1]).toBeLessThan(seen[1][1] / 2);
    expect(seen[1][1]).toBe(EchoCodec.encode({ text: "z".repeat(200), n: 2 }).length);
  });

  it("in an uncompressed call every flag is 0 whatever the options", async () => {
    const call = client.clientStreaming(M.Collect);
    await call.write(msg(1), { compress: true });
    await call.write(msg(2));
    expect((await call.closeAndRecv()).text).toBe("00");
  });
});
