import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as http2 from "node:http2";
import * as net from "node:net";
import { Server, Status, type ServiceImplementation } from "../../src/server/index.js";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { EchoMessageCodec, EchoService, echo } from "../support/echo-service.js";
import { GRPC_HEADERS, rawCall } from "../support/raw-client.js";

const impl: ServiceImplementation<typeof EchoService> = {
  Unary: (req) => req,
  async ServerStream(req, _ctx, out) {
    await out.write(req);
  },
  async ClientStream(reqs) {
    let n = 0;
    for await (const _ of reqs) n++;
    return echo({ count: n });
  },
  async Bidi(reqs, _ctx, out) {
    for await (const r of reqs) await out.write(r);
  },
};

let server: Server;
let port: number;
let session: http2.ClientHttp2Session;
const good = encodeEnvelope(EchoMessageCodec.encode(echo({ text: "good" })), false);

beforeAll(async () => {
  server = new Server().addService(EchoService, impl);
  port = await server.listen();
  session = http2.connect(`http://127.0.0.1:${port}`);
});
afterAll(async () => {
  session.close();
  await server.shutdown(500);
});

/** After every bad request the server must still answer a good one on the same connection. */
async function expectStillServing(s: http2.ClientHttp2Session = session): Promise<void> {
  const r = await rawCall(s, { ...GRPC_HEADERS, ":path": "/test.Echo/Unary" }, [good]);
  expect(r.grpcStatus).toBe("0");
  expect(EchoMessageCodec.decode(r.data.subarray(5)).text).toBe("good");
}

const unary = { ...GRPC_HEADERS, ":path": "/test.Echo/Unary" };

describe("malformed requests from a raw node:http2 client", () => {
  it("answers HTTP 415 to a non-gRPC content-type", async () => {
    const r = await rawCall(session, { ...unary, "content-type": "application/json" }, [good]);
    expect(r.headers[":status"]).toBe(415);
    expect(r.grpcStatus).toBe(String(Status.INTERNAL));
    const none = await rawCall(session, { ":method": "POST", ":path": "/test.Echo/Unary" }, [good]);
    expect(none.headers[":status"]).toBe(415);
    await expectStillServing();
  });

  it("refuses GET with HTTP 405", async () => {
    const r = await rawCall(session, { ...unary, ":method": "GET" }, undefined);
    expect(r.headers[":status"]).toBe(405);
    expect(r.grpcStatus).toBe(String(Status.INTERNAL));
    await expectStillServing();
  });

  it("answers UNIMPLEMENTED to bad and unknown paths", async () => {
    for (const path of ["/", "/nonsense", "/test.Echo/", "/test.Echo/Unary/extra", "/no.Such/Method", "/test.Echo/Nope"]) {
      const r = await rawCall(session, { ...GRPC_HEADERS, ":path": path }, [good]);
      expect(r.headers[":status"], path).toBe(200);
      expect(r.grpcStatus, path).toBe(String(Status.UNIMPLEMENTED));
      expect(r.trailers, path).toBeUndefined(); // Trailers-Only
    }
    await expectStillServing();
  });

  it("answers INTERNAL to a message cut short by END_STREAM", async () => {
    const r = await rawCall(session, unary, [good.subarray(0, good.length - 2)]);
    expect(r.grpcStatus).toBe(String(Status.INTERNAL));
    const prefixOnly = await rawCall(session, unary, [good.subarray(0, 3)]);
    expect(prefixOnly.grpcStatus).toBe(String(Status.INTERNAL));
    await expectStillServing();
  });

  it("answers INTERNAL to a body that is not valid protobuf", async () => {
    const r = await rawCall(session, unary, [encodeEnvelope(Buffer.from([0x0a, 0x10, 0x41]), false)]);
    expect(r.grpcStatus).toBe(String(Status.INTERNAL));
    expect(r.grpcMessage).toContain("parse");
    await expectStillServing();
  });

  it("answers INTERNAL to zero or two messages on a unary method", async () => {
    const zero = await rawCall(session, unary, []);
    expect(zero.grpcStatus).toBe(String(Status.INTERNAL));
    const two = await rawCall(session, unary, [good, good]);
    expect(two.grpcStatus).toBe(String(Status.INTERNAL));
    const twoSS = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/ServerStream" }, [Buffer.concat([good, good])]);
    expect(twoSS.grpcStatus).toBe(String(Status.INTERNAL));
    await expectStillServing();
  });

  it("answers INTERNAL to a compressed flag without grpc-encoding, UNIMPLEMENTED to an unknown encoding", async () => {
    const a = await rawCall(session, unary, [encodeEnvelope(Buffer.from([1]), true)]);
    expect(a.grpcStatus).toBe(String(Status.INTERNAL));
    const b = await rawCall(session, { ...unary, "grpc-encoding": "snappy" }, [good]);
    expect(b.grpcStatus).toBe(String(Status.UNIMPLEMENTED));
    expect(b.headers["grpc-accept-encoding"]).toBe("identity,deflate,gzip");
    await expectStillServing();
  });

  it("answers INTERNAL to a malformed grpc-timeout", async () => {
    for (const t of ["soon", "123456789S", "10", "-1S", "1.5S"]) {
      const r = await rawCall(session, { ...unary, "grpc-timeout": t }, [good]);
      expect(r.grpcStatus, t).toBe(String(Status.INTERNAL));
      expect(r.grpcMessage, t).toContain("grpc-timeout");
    }
    await expectStillServing();
  });

  it("answers INTERNAL to bad base64 in -bin metadata", async () => {
    const r = await rawCall(session, { ...unary, "x-data-bin": "not*base64!" }, [good]);
    expect(r.grpcStatus).toBe(String(Status.INTERNAL));
    expect(r.grpcMessage).toContain("x-data-bin");
    const padded = await rawCall(session, { ...unary, "x-data-bin": "AQI=" }, [good]);
    expect(padded.grpcStatus).toBe("0");
    await expectStillServing();
  });

  it("answers RESOURCE_EXHAUSTED to oversize metadata", async () => {
    const r = await rawCall(session, { ...unary, "x-big": "a".repeat(9000) }, [good]);
    expect(r.grpcStatus).toBe(String(Status.RESOURCE_EXHAUSTED));
    await expectStillServing();
  });

  it("survives resets mid-stream", async () => {
    for (let i = 0; i < 5; i++) {
      const req = session.request({ ...GRPC_HEADERS, ":path": "/test.Echo/Bidi" });
      req.on("error", () => {});
      req.write(good);
      req.write(good.subarray(0, 4));
      await new Promise((r) => setImmediate(r));
      req.close(http2.constants.NGHTTP2_CANCEL);
    }
    await expectStillServing();
  });

  it("closes a connection that sends garbage instead of the HTTP/2 preface, and serves others", async () => {
    const sock = net.connect(port, "127.0.0.1");
    sock.on("error", () => {});
    sock.resume();
    sock.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + "\x00\xff garbage ".repeat(20));
    const closed = await new Promise<boolean>((resolve) => sock.on("close", () => resolve(true)));
    expect(closed).toBe(true);
    const fresh = http2.connect(`http://127.0.0.1:${port}`);
    await expectStillServing(fresh);
    fresh.close();
  });
});
