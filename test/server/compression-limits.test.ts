import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import * as http2 from "node:http2";
import * as zlib from "node:zlib";
import { GrpcError, Server, Status, type ServiceImplementation } from "../../src/server/index.js";
import { BadRequestCodec, ErrorInfoCodec, StatusCodec } from "../../src/schema/google-rpc.js";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { EchoMessageCodec, EchoService, echo, grpcJsEchoClient, grpcJsUnary, type GrpcJsEchoClient } from "../support/echo-service.js";
import { GRPC_HEADERS, rawCall } from "../support/raw-client.js";

const impl: ServiceImplementation<typeof EchoService> = {
  async Unary(req) {
    if (req.text === "details") {
      throw new GrpcError(Status.INVALID_ARGUMENT, "bad email")
        .addBadRequest([{ field: "email", description: "must contain @" }])
        .addErrorInfo("EMAIL_INVALID", "test.example.com", { field: "email" });
    }
    if (req.text === "big") return echo({ payload: Buffer.alloc(req.count, 7) });
    return echo({ text: req.text, payload: req.payload, count: req.payload.length });
  },
  async ServerStream(req, ctx, out) {
    ctx.setResponseEncoding("gzip");
    for (let i = 0; i < req.count; i++) await out.write(echo({ text: "z".repeat(1000) }));
  },
  async ClientStream(reqs) {
    let n = 0;
    for await (const r of reqs) n += r.payload.length;
    return echo({ count: n });
  },
  async Bidi(reqs, _ctx, out) {
    for await (const r of reqs) await out.write(r);
  },
};

const LIMIT = 64 * 1024;
let server: Server;
let port: number;
let client: GrpcJsEchoClient;
let session: http2.ClientHttp2Session;
beforeAll(async () => {
  server = new Server({ maxReceiveMessageSize: LIMIT, maxSendMessageSize: LIMIT }).addService(EchoService, impl);
  port = await server.listen();
  client = grpcJsEchoClient(`127.0.0.1:${port}`);
  session = http2.connect(`http://127.0.0.1:${port}`);
});
afterAll(async () => {
  client.close();
  session.close();
  await server.shutdown(500);
});

describe("compression", () => {
  for (const [name, alg] of [["deflate", 1], ["gzip", 2]] as const) {
    it(`accepts ${name} requests from grpc-js and answers them`, async () => {
      const c = grpcJsEchoClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.default_compression_algorithm": alg });
      const payload = Buffer.alloc(30_000, "a");
      const r = await grpcJsUnary(c, echo({ text: "compressed", payload }));
      c.close();
      expect(r.error).toBeNull();
      expect(r.response?.count).toBe(30_000);
    });
  }

  it("decompresses a raw gzip request and answers compressed with the compressed flag", async () => {
    const msg = zlib.gzipSync(EchoMessageCodec.encode(echo({ text: "raw", payload: Buffer.alloc(5000) })));
    const r = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/Unary", "grpc-encoding": "gzip", "grpc-accept-encoding": "gzip" }, [encodeEnvelope(msg, true)]);
    expect(r.grpcStatus).toBe("0");
    expect(r.headers["grpc-encoding"]).toBe("gzip");
    expect(r.data[0]).toBe(1);
    const body = zlib.gunzipSync(r.data.subarray(5));
    expect(EchoMessageCodec.decode(body)).toMatchObject({ text: "raw", count: 5000 });
  });

  it("compresses server-stream responses when the handler asks and the client accepts", async () => {
    const msgs: string[] = [];
    const call = client.ServerStream(echo({ count: 3 }));
    await new Promise<void>((resolve, reject) => {
      call.on("data", (m: { text: string }) => msgs.push(m.text));
      call.on("end", resolve);
      call.on("error", reject);
    });
    expect(msgs).toEqual(["z".repeat(1000), "z".repeat(1000), "z".repeat(1000)]);
    const body = encodeEnvelope(EchoMessageCodec.encode(echo({ count: 1 })), false);
    const raw = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/ServerStream", "grpc-accept-encoding": "identity,gzip" }, [body]);
    expect(raw.headers["grpc-encoding"]).toBe("gzip");
    expect(raw.data[0]).toBe(1);
    expect(raw.data.readUInt32BE(1)).toBeLessThan(1000);
    const plain = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/ServerStream" }, [body]);
    expect(plain.headers["grpc-encoding"]).toBeUndefined();
    expect(plain.data[0]).toBe(0);
  });

  it("answers UNIMPLEMENTED with the supported list for an unknown grpc-encoding", async () => {
    const r = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/Unary", "grpc-encoding": "br" }, [encodeEnvelope(Buffer.from([1]), true)]);
    expect(r.grpcStatus).toBe(String(Status.UNIMPLEMENTED));
    expect(r.headers["grpc-accept-encoding"]).toContain("gzip");
  });

  it("answers INTERNAL to a compressed flag without grpc-encoding", async () => {
    const r = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/Unary" }, [encodeEnvelope(Buffer.from([1, 2]), true)]);
    expect(r.grpcStatus).toBe(String(Status.INTERNAL));
  });

  it("stops a zip bomb at the receive limit with RESOURCE_EXHAUSTED", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(LIMIT);
    const r = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/Unary", "grpc-encoding": "gzip" }, [encodeEnvelope(bomb, true)]);
    expect(r.grpcStatus).toBe(String(Status.RESOURCE_EXHAUSTED));
  });
});

describe("message size limits", () => {
  it("refuses an oversize request from grpc-js with RESOURCE_EXHAUSTED", async () => {
    const r = await grpcJsUnary(client, echo({ payload: Buffer.alloc(LIMIT + 1) }));
    expect(r.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const ok = await grpcJsUnary(client, echo({ payload: Buffer.alloc(LIMIT - 100) }));
    expect(ok.response?.count).toBe(LIMIT - 100);
  });

  it("refuses a 4 GiB length prefix at once", async () => {
    const r = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/ClientStream" }, [Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3])], {
      endStream: false,
    });
    expect(r.grpcStatus).toBe(String(Status.RESOURCE_EXHAUSTED));
    expect(r.grpcMessage).toContain("4294967295");
  });

  // PROTOCOL-HTTP2: a server that ends a call while the client is still sending sends its status,
  // then RST_STREAM(NO_ERROR) so the client stops. Both shapes: Trailers-Only, and trailers after
  // a response message. The request is 8x the limit and never half-closed: the stream can only
  // close because the server reset it.
  it("refuses an oversize request mid-stream with Trailers-Only, then RST_STREAM(NO_ERROR)", async () => {
    const r = await unfinishedCall("/test.Echo/ClientStream", [encodeEnvelope(EchoMessageCodec.encode(echo({ payload: Buffer.alloc(8 * LIMIT) })), false)]);
    expect(r.headers["grpc-status"]).toBe(String(Status.RESOURCE_EXHAUSTED));
    expect(r.trailers).toBeUndefined();
    expect([r.closed, r.rstCode, r.error]).toEqual([true, http2.constants.NGHTTP2_NO_ERROR, undefined]);
  });

  it("refuses an oversize request after response messages with trailers, then RST_STREAM(NO_ERROR)", async () => {
    const small = encodeEnvelope(EchoMessageCodec.encode(echo({ text: "first" })), false);
    const big = encodeEnvelope(EchoMessageCodec.encode(echo({ payload: Buffer.alloc(8 * LIMIT) })), false);
    const r = await unfinishedCall("/test.Echo/Bidi", [small, big]);
    expect(r.headers[":status"]).toBe(200);
    expect(r.headers["grpc-status"]).toBeUndefined();
    expect(r.messages).toBe(1);
    expect(r.trailers?.["grpc-status"]).toBe(String(Status.RESOURCE_EXHAUSTED));
    expect([r.closed, r.rstCode, r.error]).toEqual([true, http2.constants.NGHTTP2_NO_ERROR, undefined]);
  });

  it("fails an oversize response with RESOURCE_EXHAUSTED", async () => {
    const r = await grpcJsUnary(client, echo({ text: "big", count: LIMIT + 10 }));
    expect(r.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });
});

describe("error details", () => {
  it("sends google.rpc.Status with BadRequest and ErrorInfo in grpc-status-details-bin", async () => {
    const r = await grpcJsUnary(client, echo({ text: "details" }));
    expect(r.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(r.error?.details).toBe("bad email");
    const bin = r.error?.metadata.get("grpc-status-details-bin")[0] as Buffer;
    const st = StatusCodec.decode(bin);
    expect(st.code).toBe(Status.INVALID_ARGUMENT);
    expect(st.message).toBe("bad email");
    expect(st.details.map((d) => d.typeUrl)).toEqual(["type.googleapis.com/google.rpc.BadRequest", "type.googleapis.com/google.rpc.ErrorInfo"]);
    expect(BadRequestCodec.decode(st.details[0].value).fieldViolations[0]).toMatchObject({ field: "email", description: "must contain @" });
    expect(ErrorInfoCodec.decode(st.details[1].value)).toMatchObject({ reason: "EMAIL_INVALID", domain: "test.example.com" });
  });
});

describe("per-message compression", () => {
  it("write(msg, { compress: false }) sends that message uncompressed; lastRequestCompressed reports each request's flag", async () => {
    const seen: boolean[] = [];
    const s = new Server().addService(EchoService, {
      ...impl,
      async Bidi(reqs, ctx, out) {
        for await (const r of reqs) {
          seen.push(ctx.lastRequestCompressed);
          await out.write(r, { compress: r.count !== 0 });
        }
        expect(ctx.requestEncoding).toBe("gzip");
      },
    });
    const p = await s.listen();
    const sess = http2.connect(`http://127.0.0.1:${p}`);
    const body = (count: number, compressed: boolean): Buffer => {
      const m = EchoMessageCodec.encode(echo({ text: "t", count }));
      return compressed ? encodeEnvelope(zlib.gzipSync(m), true) : encodeEnvelope(m, false);
    };
    const r = await rawCall(
      sess,
      { ...GRPC_HEADERS, ":path": "/test.Echo/Bidi", "grpc-encoding": "gzip", "grpc-accept-encoding": "gzip" },
      [body(1, true), body(0, false), body(2, true)],
    );
    sess.close();
    await s.shutdown(100);
    expect(r.grpcStatus).toBe("0");
    expect(seen).toEqual([true, false, true]);
    const flags: number[] = [];
    for (let i = 0; i < r.data.length; i += 5 + r.data.readUInt32BE(i + 1)) flags.push(r.data[i]);
    expect(flags).toEqual([1, 0, 1]);
  });
});

/**
 * Writes `frames[0]`, and each next frame once a response message has come back, never
 * half-closing; resolves once the server has closed the stream (on 'close', or on 'end' if already
 * closed: node:http2 may never emit 'close' for a stream closed while our bytes were still queued),
 * then drops the stream. A server that never resets the stream makes the test time out.
 */
function unfinishedCall(path: string, frames: Buffer[]) {
  return new Promise<{
    headers: http2.IncomingHttpHeaders;
    trailers: http2.IncomingHttpHeaders | undefined;
    messages: number;
    closed: boolean;
    rstCode: number | undefined;
    error: Error | undefined;
  }>((resolve) => {
    const req = session.request({ ...GRPC_HEADERS, ":path": path });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    let error: Error | undefined;
    let messages = 0;
    let next = 1;
    req.on("response", (h) => (headers = h));
    req.on("trailers", (t) => (trailers = t));
    req.on("error", (e) => (error = e));
    req.on("data", () => {
      messages++;
      if (next < frames.length) req.write(frames[next++]);
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      setImmediate(() => {
        resolve({ headers, trailers, messages, closed: req.closed, rstCode: req.rstCode, error });
        req.destroy();
      });
    };
    // After 'end' (END_STREAM), the stream closes only when the server resets it: 'close' then,
    // or already closed if the reset came with the END_STREAM.
    req.on("end", () => req.closed && finish());
    req.on("close", finish);
    req.write(frames[0]);
  });
}
