// gRFC A6 transparent retry of streams the server never processed (RST_STREAM REFUSED_STREAM, above GOAWAY's last stream id), and connections that end before a status: UNAVAILABLE with a reason, not CANCELLED.
import * as http2 from "node:http2";
import * as net from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, Status } from "../../src/client/index.js";
import { makeTestCerts, type TestCerts } from "../support/certs.js";
import { EchoCodec, Methods } from "../support/client-echo.js";
import { rejection } from "../support/outcomes.js";

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Reads a whole request stream and answers with one Echo whose text joins the request texts. */
function answer(stream: http2.ServerHttp2Stream, tag: string): void {
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.on("end", () => {
    const body = Buffer.concat(chunks);
    const texts: string[] = [];
    for (let pos = 0; pos + 5 <= body.length; ) {
      const len = body.readUInt32BE(pos + 1);
      texts.push(EchoCodec.decode(body.subarray(pos + 5, pos + 5 + len)).text);
      pos += 5 + len;
    }
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    const msg = EchoCodec.encode({ text: `${tag}:${texts.join("+")}`, n: 0 }, 5);
    msg[0] = 0;
    msg.writeUInt32BE(msg.length - 5, 1);
    stream.end(msg);
  });
}

type StreamHandler = (stream: http2.ServerHttp2Stream, session: http2.ServerHttp2Session, sessionIndex: number, streamIndex: number) => void;

/** A raw node:http2 server; `handler` decides per stream. Counts sessions and streams. */
async function rawServer(handler: StreamHandler, secure?: TestCerts): Promise<{ port: number; sessions: () => number; streams: () => number }> {
  const server = secure ? http2.createSecureServer({ key: secure.serverKey, cert: secure.serverCert }) : http2.createServer();
  let sessions = 0;
  let streams = 0;
  const index = new WeakMap<http2.ServerHttp2Session, number>();
  const open = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    index.set(s, sessions++);
    open.add(s);
    s.on("close", () => open.delete(s));
    s.on("error", () => {});
  });
  server.on("stream", (stream, _headers) => {
    stream.on("error", () => {});
    handler(stream, stream.session as http2.ServerHttp2Session, index.get(stream.session as http2.ServerHttp2Session) ?? -1, streams++);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, sessions: () => sessions, streams: () => streams };
}

function channel(port: number, extra: object = {}): Channel {
  const ch = new Channel(`127.0.0.1:${port}`, { backoff: { initialBackoffMs: 20, maxBackoffMs: 50 }, ...extra });
  cleanup.push(() => ch.destroy());
  return ch;
}

describe("transparent retry (gRFC A6)", () => {
  it("a stream above the GOAWAY's last stream id is sent again on a new connection", async () => {
    const real = await rawServer((stream, _s, si) => answer(stream, `conn${si}`));
    // node:http2 cannot send GOAWAY with a last stream id below the streams it has seen, so the
    // first connection is a few raw frames: SETTINGS, then GOAWAY(last stream id 0) once the
    // client's HEADERS arrive. Later connections are piped to the real server.
    let connections = 0;
    const front = net.createServer((sock) => {
      sock.on("error", () => {});
      if (connections++ > 0) {
        const back = net.connect(real.port, "127.0.0.1");
        back.on("error", () => {});
        sock.pipe(back).pipe(sock);
        return;
      }
      sock.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])); // SETTINGS
      let buf = Buffer.alloc(0);
      let sent = false;
      sock.on("data", (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (let pos = 24; !sent && pos + 9 <= buf.length; pos += 9 + buf.readUIntBE(pos, 3)) {
          if (buf[pos + 3] !== 1) continue; // HEADERS
          sent = true;
          sock.write(Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0])); // SETTINGS ack
          sock.write(Buffer.from([0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // GOAWAY last=0 NO_ERROR
        }
      });
    });
    await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => front.close(() => r())));
    const c = new Client(channel((front.address() as net.AddressInfo).port));
    expect((await c.unary(Methods.unary, { text: "hello", n: 0 })).text).toBe("conn0:hello");
    expect(connections).toBe(2);
  });

  it("a stream reset with REFUSED_STREAM is sent again, once", async () => {
    const srv = await rawServer((stream, _s, _si, i) => {
      if (i === 0) stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      else answer(stream, `stream${i}`);
    });
    const c = new Client(channel(srv.port));
    expect((await c.unary(Methods.unary, { text: "again", n: 0 })).text).toBe("stream1:again");
    expect(srv.streams()).toBe(2);
  });

  it("a client-streaming call is replayed whole: every message written before the refusal", async () => {
    const srv = await rawServer((stream, _s, _si, i) => {
      if (i === 0) stream.on("end", () => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM)).resume();
      else answer(stream, `stream${i}`);
    });
    const c = new Client(channel(srv.port));
    const call = c.clientStreaming(Methods.clientStream);
    await call.write({ text: "a", n: 0 });
    await call.write({ text: "b", n: 0 });
    expect((await call.closeAndRecv()).text).toBe("stream1:a+b");
  });

  it("refused twice: UNAVAILABLE saying the server refused the stream", async () => {
    const srv = await rawServer((stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM));
    const err = await rejection(new Client(channel(srv.port)).unary(Methods.unary, { text: "x", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/server refused the stream \(REFUSED_STREAM\)/);
    expect(srv.streams()).toBe(2);
  });
});

describe("a connection that ends before the status", () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts();
  });

  it("plaintext client, TLS server: UNAVAILABLE, 'the server may require TLS'", async () => {
    const srv = await rawServer((stream) => answer(stream, "tls"), certs);
    const err = await rejection(new Client(channel(srv.port, { backoff: { initialBackoffMs: 60_000 } })).unary(Methods.unary, { text: "x", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/the server may require TLS/);
  });

  it("the server drops the connection mid-call: UNAVAILABLE 'closed before the server sent a status', not CANCELLED", async () => {
    const srv = await rawServer((stream, session) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" });
      setImmediate(() => session.destroy());
    });
    const err = await rejection(new Client(channel(srv.port)).unary(Methods.unary, { text: "x", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/closed before the server sent a status/);
  });

  it("the server goes away (GOAWAY covering the call) and closes: UNAVAILABLE 'server went away'", async () => {
    const srv = await rawServer((stream, session) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" });
      session.goaway(http2.constants.NGHTTP2_NO_ERROR, stream.id ?? 1);
      setTimeout(() => session.destroy(), 20);
    });
    const err = await rejection(new Client(channel(srv.port)).unary(Methods.unary, { text: "x", n: 0 }));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/server went away \(GOAWAY code 0\)/);
  });
});
