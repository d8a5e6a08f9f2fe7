// Per-connection stream limit and handler quota (issue 10; grpc-go's fix for CVE-2023-44487), and
// calls reset before their handler starts, on a real loopback server driven by a raw HTTP/2 client.

import * as http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_CONCURRENT_STREAMS, Server, type ServiceImplementation } from "../../src/server/index.js";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { EchoMessageCodec, EchoService, echo } from "../support/echo-service.js";
import { GRPC_HEADERS, rawCall } from "../support/raw-client.js";
import { Flag, FrameType, RawH2, frame, grpcRequestBlock, parseGoaway, rstCodeOf } from "../support/h2-frames.js";
import { settle } from "../support/settle.js";
import { makeTestCerts } from "../support/certs.js";

const REFUSED_STREAM = 7;
const CANCEL = Buffer.from([0, 0, 0, 8]);

/** Bidi handlers that ignore cancellation and run until `release()`: they hold their quota slot. */
function stubbornServer(maxConcurrentStreams?: number) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const counts = { started: 0, aborted: 0, unary: 0 };
  const impl: ServiceImplementation<typeof EchoService> = {
    Unary: (req) => {
      counts.unary++;
      return req;
    },
    ServerStream: async () => {},
    ClientStream: async () => echo(),
    async Bidi(_reqs, ctx) {
      counts.started++;
      ctx.signal.addEventListener("abort", () => counts.aborted++);
      await gate;
    },
  };
  const server = new Server(maxConcurrentStreams === undefined ? {} : { maxConcurrentStreams }).addService(EchoService, impl);
  return { server, counts, release };
}

function settingsOf(payload: Buffer): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i + 6 <= payload.length; i += 6) m.set(payload.readUInt16BE(i), payload.readUInt32BE(i + 2));
  return m;
}

const bidiHeaders = (id: number): Buffer => frame(FrameType.HEADERS, Flag.END_HEADERS, id, grpcRequestBlock("/test.Echo/Bidi"));

describe("max concurrent streams", () => {
  it(`advertises ${DEFAULT_MAX_CONCURRENT_STREAMS} by default, or the configured value, in SETTINGS`, async () => {
    for (const [opt, expected] of [[undefined, DEFAULT_MAX_CONCURRENT_STREAMS], [7, 7]] as const) {
      const { server } = stubbornServer(opt);
      const port = await server.listen();
      const c = await RawH2.connect(port);
      await c.until((f) => f.some((x) => x.type === FrameType.SETTINGS && (x.flags & Flag.ACK) === 0), "SETTINGS");
      const s = c.frames.find((x) => x.type === FrameType.SETTINGS && (x.flags & Flag.ACK) === 0)!;
      expect(settingsOf(s.payload).get(3)).toBe(expected); // SETTINGS_MAX_CONCURRENT_STREAMS
      c.close();
      await server.forceShutdown();
    }
  });

  it("refuses streams beyond the limit with RST_STREAM(REFUSED_STREAM) and runs no handler for them", async () => {
    const { server, counts, release } = stubbornServer(5);
    const port = await server.listen();
    const c = await RawH2.connect(port);
    c.autoAck = false; // open them all before acknowledging the server's SETTINGS (RFC 9113 §6.5.3)
    const burst: Buffer[] = [];
    for (let i = 0; i < 7; i++) burst.push(bidiHeaders(1 + 2 * i));
    c.write(Buffer.concat(burst));
    await c.until((f) => f.filter((x) => x.type === FrameType.RST_STREAM).length >= 2, "two RST_STREAM");
    const rst = c.frames.filter((x) => x.type === FrameType.RST_STREAM);
    expect(rst.map((x) => [x.streamId, rstCodeOf(x)])).toEqual([
      [11, REFUSED_STREAM],
      [13, REFUSED_STREAM],
    ]);
    expect(await settle(() => counts.started)).toBe(5);
    release();
    c.close();
    await server.forceShutdown();
  });

  it("a client that exceeds the limit after acknowledging our SETTINGS loses the connection (GOAWAY), and the server serves others", async () => {
    const { server, release } = stubbornServer(5);
    const port = await server.listen();
    const c = await RawH2.connect(port);
    await c.until((f) => f.some((x) => x.type === FrameType.SETTINGS && (x.flags & Flag.ACK) !== 0), "SETTINGS ACK");
    // Our ACK of the server's SETTINGS went out with the preface exchange; give it a round trip.
    c.write(frame(FrameType.PING, 0, 0, Buffer.from("ackround")));
    await c.until((f) => f.some((x) => x.type === FrameType.PING && (x.flags & Flag.ACK) !== 0), "PING ACK");
    const burst: Buffer[] = [];
    for (let i = 0; i < 7; i++) burst.push(bidiHeaders(1 + 2 * i));
    c.write(Buffer.concat(burst));
    await c.untilClosed();
    const g = c.frames.filter((x) => x.type === FrameType.GOAWAY).map(parseGoaway);
    expect(g.length).toBeGreaterThanOrEqual(1);
    expect(g[0].code).toBe(2); // nghttp2's PROTOCOL_ERROR, which node turns into destroy(): INTERNAL_ERROR
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const r = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/Unary" }, [encodeEnvelope(EchoMessageCodec.encode(echo({ text: "ok" })), false)]);
    expect(r.grpcStatus).toBe("0");
    session.destroy();
    release();
    await server.forceShutdown();
  });

  it("a client that honours SETTINGS (node:http2) queues: 40 calls over a limit of 2 all succeed", async () => {
    const { server, counts } = stubbornServer(2);
    const port = await server.listen();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    await new Promise<void>((r) => session.once("remoteSettings", () => r()));
    const calls = [];
    for (let i = 0; i < 40; i++) {
      calls.push(rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/Unary" }, [encodeEnvelope(EchoMessageCodec.encode(echo({ text: `m${i}` })), false)]));
    }
    const results = await Promise.all(calls);
    expect(results.every((r) => r.grpcStatus === "0")).toBe(true);
    expect(counts.unary).toBe(40);
    session.destroy();
    await server.forceShutdown();
  });
});

describe("handler quota (CVE-2023-44487)", () => {
  it.each(["h2c", "TLS"])("reset streams whose handlers still run keep their slots: new calls wait, the socket is not read, and both resume when a handler returns (%s)", async (mode) => {
    const { server, counts, release } = stubbornServer(3);
    const certs = mode === "TLS" ? makeTestCerts() : undefined;
    const port = await server.listen(certs === undefined ? {} : { tls: { key: certs.serverKey, cert: certs.serverCert } });
    const c = await RawH2.connect(port, certs === undefined ? {} : { tls: { ca: certs.caCert } });
    await c.until((f) => f.some((x) => x.type === FrameType.SETTINGS && (x.flags & Flag.ACK) !== 0), "SETTINGS ACK");
    c.write(Buffer.concat([bidiHeaders(1), bidiHeaders(3), bidiHeaders(5)]));
    expect(await settle(() => counts.started)).toBe(3);

    // Rapid reset: cancel the three (their handlers ignore it and keep running), open three more,
    // and cancel one of those while it waits for the quota.
    c.write(
      Buffer.concat([
        frame(FrameType.RST_STREAM, 0, 1, CANCEL),
        frame(FrameType.RST_STREAM, 0, 3, CANCEL),
        frame(FrameType.RST_STREAM, 0, 5, CANCEL),
        bidiHeaders(7),
        bidiHeaders(9),
        bidiHeaders(11),
        frame(FrameType.RST_STREAM, 0, 9, CANCEL),
      ]),
    );
    expect(await settle(() => counts.aborted)).toBe(3); // cancellation reached the running handlers
    expect(counts.started).toBe(3); // the quota is used up: 7 and 11 wait

    // Reading has stopped: a PING sent now is not answered while the handlers run.
    const pingsBefore = c.frames.filter((x) => x.type === FrameType.PING && (x.flags & Flag.ACK) !== 0).length;
    c.write(frame(FrameType.PING, 0, 0, Buffer.from("quota-01")));
    await settle(() => c.frames.length);
    expect(c.frames.filter((x) => x.type === FrameType.PING && (x.flags & Flag.ACK) !== 0).length).toBe(pingsBefore);

    release();
    await c.until((f) => f.some((x) => x.type === FrameType.PING && (x.flags & Flag.ACK) !== 0 && x.payload.toString() === "quota-01"), "PING ACK");
    // 7 and 11 ran once slots were free; 9, reset while it waited, never did.
    expect(await settle(() => counts.started)).toBe(5);
    c.close();
    await server.forceShutdown();
  });

  it("a stream reset in the same read that opened it never runs its handler (rapid reset: 200 bidi, 200 unary with their request)", async () => {
    const { server, counts, release } = stubbornServer();
    const port = await server.listen();
    const c = await RawH2.connect(port);
    await c.until((f) => f.some((x) => x.type === FrameType.SETTINGS && (x.flags & Flag.ACK) !== 0), "SETTINGS ACK");
    const request = encodeEnvelope(EchoMessageCodec.encode(echo({ text: "reset" })), false);
    const burst: Buffer[] = [];
    // Some with a code other than CANCEL, which node also emits as a stream 'error'.
    for (let i = 0; i < 200; i++) burst.push(bidiHeaders(1 + 2 * i), frame(FrameType.RST_STREAM, 0, 1 + 2 * i, i % 2 === 0 ? CANCEL : Buffer.from([0, 0, 0, 2])));
    for (let i = 200; i < 400; i++) {
      const id = 1 + 2 * i;
      burst.push(
        frame(FrameType.HEADERS, Flag.END_HEADERS, id, grpcRequestBlock("/test.Echo/Unary")),
        frame(FrameType.DATA, Flag.END_STREAM, id, request),
        frame(FrameType.RST_STREAM, 0, id, CANCEL),
      );
    }
    c.write(Buffer.concat(burst));
    // A normal call on the same connection afterwards is answered, and none of the reset calls' handlers ran.
    c.write(frame(FrameType.HEADERS, Flag.END_HEADERS, 801, grpcRequestBlock("/test.Echo/Unary")));
    c.write(frame(FrameType.DATA, Flag.END_STREAM, 801, encodeEnvelope(EchoMessageCodec.encode(echo({ text: "after" })), false)));
    await c.until((f) => f.some((x) => x.streamId === 801 && x.type === FrameType.HEADERS && (x.flags & Flag.END_STREAM) !== 0), "the answer to stream 801");
    expect(counts.unary).toBe(1);
    expect(counts.started).toBe(0);
    release();
    c.close();
    await server.forceShutdown();
  });
});
