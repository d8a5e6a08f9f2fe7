// Strict validation of responses, with a raw node:http2 server playing a broken or unusual peer: HTTP status mapping, content-type, missing grpc-status, RST_STREAM codes, framing, compression, size limits.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, Status } from "../../src/client/index.js";
import { EchoCodec, Methods, startGrpcJsEchoServer, type Echo, type RunningGrpcJsServer } from "../support/client-echo.js";
import { rejection } from "../support/outcomes.js";

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

let handler: Handler;
let server: http2.Http2Server;
let channel: Channel;
let client: Client;

beforeAll(async () => {
  server = http2.createServer();
  server.on("stream", (stream, headers) => {
    const parts: Buffer[] = [];
    stream.on("data", (c: Buffer) => parts.push(c));
    stream.on("end", () => handler(stream, headers, Buffer.concat(parts)));
    stream.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  channel = new Channel(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  client = new Client(channel);
});

afterAll(async () => {
  await channel.close();
  await new Promise<void>((r) => server.close(() => r()));
});

function frame(payload: Buffer, flag = 0): Buffer {
  const b = Buffer.alloc(5 + payload.length);
  b[0] = flag;
  b.writeUInt32BE(payload.length, 1);
  payload.copy(b, 5);
  return b;
}

const msg = (text: string): Buffer => frame(EchoCodec.encode({ text, n: 0 }));

/** Answers with headers, DATA and trailers. */
function reply(stream: http2.ServerHttp2Stream, data: Buffer, trailers: http2.OutgoingHttpHeaders, headers: http2.OutgoingHttpHeaders = {}): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc", ...headers }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers(trailers));
  stream.end(data);
}

const call = (text = "hi"): Promise<Echo> => client.unary(Methods.unary, { text, n: 0 });

/** Answers the next calls "ok" and records the last request's headers and body. */
function recordRequest(): { headers: http2.IncomingHttpHeaders; body: Buffer } {
  const seen: { headers: http2.IncomingHttpHeaders; body: Buffer } = { headers: {}, body: Buffer.alloc(0) };
  handler = (s, h, b) => {
    seen.headers = h;
    seen.body = b;
    reply(s, msg("ok"), { "grpc-status": "0" });
  };
  return seen;
}

describe("request headers", () => {
  it("sends POST, path, content-type, te, grpc-timeout, user-agent, accept-encoding and metadata", async () => {
    const request = recordRequest();
    await client.unary(Methods.unary, { text: "req", n: 3 }, { timeoutMs: 5000 });
    const { headers: seen, body } = request;
    expect(seen[":method"]).toBe("POST");
    expect(seen[":path"]).toBe("/test.Echo/Unary");
    expect(seen[":scheme"]).toBe("http");
    expect(seen["content-type"]).toBe("application/grpc");
    expect(seen.te).toBe("trailers");
    expect(seen["grpc-timeout"]).toMatch(/^\d{1,8}[HMSmun]$/);
    expect(seen["user-agent"]).toMatch(/grpc/);
    expect(seen["grpc-accept-encoding"]).toContain("gzip");
    expect(seen["grpc-encoding"]).toBeUndefined();
    expect(body.equals(frame(EchoCodec.encode({ text: "req", n: 3 })))).toBe(true);
  });

  it("compresses requests with the per-call encoding", async () => {
    const request = recordRequest();
    await client.unary(Methods.unary, { text: "squeeze me ".repeat(20), n: 0 }, { compression: "gzip" });
    const { headers: seen, body } = request;
    expect(seen["grpc-encoding"]).toBe("gzip");
    expect(body[0]).toBe(1);
    expect(body.readUInt32BE(1)).toBe(body.length - 5);
    expect(EchoCodec.decode(zlib.gunzipSync(body.subarray(5))).text).toBe("squeeze me ".repeat(20));
  });
});

describe("response validation", () => {
  it("HTTP status without grpc-status maps per http-grpc-status-mapping.md", async () => {
    const table: Array<[number, number]> = [
      [400, Status.INTERNAL],
      [401, Status.UNAUTHENTICATED],
      [403, Status.PERMISSION_DENIED],
      [404, Status.UNIMPLEMENTED],
      [429, Status.UNAVAILABLE],
      [502, Status.UNAVAILABLE],
      [503, Status.UNAVAILABLE],
      [504, Status.UNAVAILABLE],
      [500, Status.UNKNOWN],
    ];
    for (const [http, code] of table) {
      handler = (s) => {
        s.respond({ ":status": http, "content-type": "text/html" });
        s.end("<html>proxy error</html>");
      };
      const err = await rejection(call());
      expect([http, err.code]).toEqual([http, code]);
      expect(err.message).toContain(`HTTP status ${http}`);
    }
  });

  it("a grpc-status in a non-200 response wins over the HTTP status", async () => {
    handler = (s) => s.respond({ ":status": 503, "content-type": "application/grpc", "grpc-status": "5", "grpc-message": "gone" }, { endStream: true });
    const err = await rejection(call());
    expect([err.code, err.rawMessage]).toEqual([Status.NOT_FOUND, "gone"]);
  });

  it("200 with a non-gRPC content-type is INTERNAL", async () => {
    handler = (s) => {
      s.respond({ ":status": 200, "content-type": "text/plain" });
      s.end("hello");
    };
    const err = await rejection(call());
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.message).toMatch(/content-type "text\/plain"/);
  });

  it("trailers without grpc-status are an error, not OK", async () => {
    handler = (s) => reply(s, msg("x"), { "x-other": "1" });
    const err = await rejection(call());
    expect(err.code).not.toBe(Status.OK);
    expect(err.message).toMatch(/grpc-status/);
  });

  it("a stream ended without trailers is INTERNAL", async () => {
    handler = (s) => {
      s.respond({ ":status": 200, "content-type": "application/grpc" });
      s.end(msg("x"));
    };
    const err = await rejection(call());
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.message).toMatch(/without sending a gRPC status/);
  });

  it("RST_STREAM codes map per PROTOCOL-HTTP2 Errors", async () => {
    const table: Array<[number, number]> = [
      [http2.constants.NGHTTP2_REFUSED_STREAM, Status.UNAVAILABLE],
      [http2.constants.NGHTTP2_CANCEL, Status.CANCELLED],
      [http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, Status.RESOURCE_EXHAUSTED],
      [http2.constants.NGHTTP2_INADEQUATE_SECURITY, Status.PERMISSION_DENIED],
      [http2.constants.NGHTTP2_INTERNAL_ERROR, Status.INTERNAL],
      [http2.constants.NGHTTP2_PROTOCOL_ERROR, Status.INTERNAL],
    ];
    for (const [rst, code] of table) {
      handler = (s) => s.close(rst);
      const err = await rejection(call());
      expect([rst, err.code]).toEqual([rst, code]);
      // REFUSED_STREAM means "not processed": the client retried it once (gRFC A6 transparent retry) and says so.
      expect(err.message).toMatch(rst === http2.constants.NGHTTP2_REFUSED_STREAM ? /server refused the stream \(REFUSED_STREAM\)/ : /stream reset by the server with HTTP\/2 error [A-Z_]+/);
    }
  });

  it("a message cut short by END_STREAM is INTERNAL", async () => {
    handler = (s) => reply(s, msg("complete").subarray(0, 7), { "grpc-status": "0" });
    const err = await rejection(call());
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.message).toMatch(/middle of a message/);
  });

  it("a body that is not a valid message is INTERNAL", async () => {
    handler = (s) => reply(s, frame(Buffer.from([0xff, 0xff, 0xff])), { "grpc-status": "0" });
    const err = await rejection(call());
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.rawMessage).toMatch(/^response from 127\.0\.0\.1:\d+: could not parse the received message/);
  });

  it("unary: zero or two response messages with OK are INTERNAL", async () => {
    handler = (s) => reply(s, Buffer.alloc(0), { "grpc-status": "0" });
    expect((await rejection(call())).code).toBe(Status.INTERNAL);
    handler = (s) => reply(s, Buffer.concat([msg("a"), msg("b")]), { "grpc-status": "0" });
    const err = await rejection(call());
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.message).toMatch(/more than one response/);
  });

  it("Trailers-Only OK gives an empty server stream", async () => {
    handler = (s) => s.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "0" }, { endStream: true });
    const got: Echo[] = [];
    for await (const m of client.serverStreaming(Methods.serverStream, { text: "", n: 0 })) got.push(m);
    expect(got).toEqual([]);
  });

  it("invalid base64 in a -bin header is INTERNAL", async () => {
    handler = (s) => reply(s, msg("x"), { "grpc-status": "0" }, { "x-data-bin": "!!!not base64!!!" });
    const err = await rejection(call());
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.message).toMatch(/base64/);
  });

  it("response headers or trailers over the metadata limit are RESOURCE_EXHAUSTED", async () => {
    const ch = new Channel(channel.peer, { maxMetadataSize: 1024 });
    const c = new Client(ch);
    handler = (s) => reply(s, msg("x"), { "grpc-status": "0" }, { "x-big": "h".repeat(2000) });
    expect((await rejection(c.unary(Methods.unary, { text: "", n: 0 }))).code).toBe(Status.RESOURCE_EXHAUSTED);
    handler = (s) => reply(s, msg("x"), { "grpc-status": "0", "x-big": "t".repeat(2000) });
    expect((await rejection(c.unary(Methods.unary, { text: "", n: 0 }))).code).toBe(Status.RESOURCE_EXHAUSTED);
    handler = (s) => reply(s, msg("x"), { "grpc-status": "0", "x-small": "ok" });
    expect(await c.unary(Methods.unary, { text: "", n: 0 })).toEqual({ text: "x", n: 0 });
    await ch.close();
  });

  it("a percent-encoded grpc-message is decoded, a badly encoded one tolerated", async () => {
    handler = (s) => reply(s, Buffer.alloc(0), { "grpc-status": "3", "grpc-message": "caf%C3%A9 %ZZ 100%" });
    const err = await rejection(call());
    expect(err.code).toBe(Status.INVALID_ARGUMENT);
    expect(err.rawMessage).toBe("café %ZZ 100%");
  });

  it("a server's DEADLINE_EXCEEDED that beats the client's own timer reports the client's deadline, saying where the time went", async () => {
    // The server runs the same deadline and answers just before it ends (as a server whose timer
    // started from a slightly earlier clock does): the status is read before the client's timer fires.
    const deadline = Date.now() + 100;
    handler = (s) => {
      const answer = (): void => {
        const left = deadline - 1 - Date.now();
        if (left > 0) setTimeout(answer, left);
        else if (!s.closed && !s.destroyed) s.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "4", "grpc-message": "Deadline exceeded" }, { endStream: true });
      };
      answer();
    };
    const err = await rejection(client.unary(Methods.unary, { text: "", n: 0 }, { deadline: new Date(deadline) }));
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(err.message).toMatch(/deadline of \d+ ms exceeded after \d+ ms calling \/.+ \(connection: \d+ ms, waiting for response headers/);
  });
});

describe("compression of responses", () => {
  it("decompresses gzip and deflate responses", async () => {
    for (const [enc, fn] of [
      ["gzip", zlib.gzipSync],
      ["deflate", zlib.deflateSync],
    ] as const) {
      handler = (s) => reply(s, frame(fn(EchoCodec.encode({ text: `zipped ${enc}`, n: 1 })), 1), { "grpc-status": "0" }, { "grpc-encoding": enc });
      expect(await call()).toEqual({ text: `zipped ${enc}`, n: 1 });
    }
  });

  it("a compressed flag without grpc-encoding is INTERNAL", async () => {
    handler = (s) => reply(s, frame(zlib.gzipSync(EchoCodec.encode({ text: "z", n: 0 })), 1), { "grpc-status": "0" });
    expect((await rejection(call())).code).toBe(Status.INTERNAL);
  });

  it("an unsupported grpc-encoding is INTERNAL and names the encoding", async () => {
    handler = (s) => reply(s, frame(Buffer.from("??"), 1), { "grpc-status": "0" }, { "grpc-encoding": "snappy" });
    const err = await rejection(call());
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.message).toContain("snappy");
  });
});

describe("message size limits", () => {
  it("a response larger than 4 MiB is RESOURCE_EXHAUSTED", async () => {
    const big = Buffer.alloc(5);
    big.writeUInt32BE(4 * 1024 * 1024 + 1, 1);
    handler = (s) => {
      s.respond({ ":status": 200, "content-type": "application/grpc" });
      s.write(big);
      s.on("error", () => {});
    };
    const err = await rejection(call());
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(err.message).toMatch(/larger than max/);
  });

  it("a compressed response that inflates past the limit is RESOURCE_EXHAUSTED", async () => {
    const ch = new Channel(channel.target.kind === "tcp" ? channel.target.authority : "", { maxReceiveMessageSize: 1000 });
    const bomb = zlib.gzipSync(EchoCodec.encode({ text: "a".repeat(100_000), n: 0 }));
    expect(bomb.length).toBeLessThan(1000);
    handler = (s) => reply(s, frame(bomb, 1), { "grpc-status": "0" }, { "grpc-encoding": "gzip" });
    const err = await rejection(new Client(ch).unary(Methods.unary, { text: "", n: 0 }));
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    await ch.close();
  });

  it("a request larger than maxSendMessageSize fails locally", async () => {
    const ch = new Channel(channel.target.kind === "tcp" ? channel.target.authority : "", { maxSendMessageSize: 100 });
    let reached = false;
    handler = (s) => {
      reached = true;
      reply(s, msg("x"), { "grpc-status": "0" });
    };
    const err = await rejection(new Client(ch).unary(Methods.unary, { text: "y".repeat(200), n: 0 }));
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(err.message).toMatch(/trying to send message larger than max \(\d+ vs. 100\)/);
    expect(reached).toBe(false);
    await ch.close();
  });
});

describe("against the grpc-js server: compression and size limits", () => {
  let gz: RunningGrpcJsServer;
  beforeAll(async () => {
    // grpc.default_compression_algorithm 2 = gzip: the server compresses its responses.
    gz = await startGrpcJsEchoServer({ "grpc.default_compression_algorithm": 2, "grpc.max_send_message_length": 64 * 1024 * 1024 });
  });
  afterAll(async () => {
    await gz.close();
  });

  it("compression both ways", async () => {
    const ch = new Channel(gz.target);
    const c = new Client(ch);
    for (const compression of ["gzip", "deflate", "identity"] as const) {
      expect(await c.unary(Methods.unary, { text: `c-${compression}`, n: 1 }, { compression })).toEqual({ text: `c-${compression}`, n: 1 });
    }
    const bidi = c.bidiStreaming(Methods.bidi, { compression: "gzip" });
    await bidi.write({ text: "b", n: 1 });
    bidi.end();
    const got: Echo[] = [];
    for await (const m of bidi) got.push(m);
    expect(got).toEqual([{ text: "b", n: 2 }]);
    await ch.close();
  });

  it("a 5 MiB response is RESOURCE_EXHAUSTED by default and accepted with a larger limit", async () => {
    const small = new Channel(gz.target);
    const err = await rejection(new Client(small).unary(Methods.unary, { text: `big:${5 * 1024 * 1024}`, n: 0 }));
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    const large = new Channel(gz.target, { maxReceiveMessageSize: 8 * 1024 * 1024 });
    const r = await new Client(large).unary(Methods.unary, { text: `big:${5 * 1024 * 1024}`, n: 0 });
    expect(r.text.length).toBe(5 * 1024 * 1024);
    await small.close();
    await large.close();
  });
});
