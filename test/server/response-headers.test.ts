// The exact header set our server answers with (PROTOCOL-HTTP2 "Responses"): what a gRPC client
// needs and nothing more — no `date` (node:http2 adds one unless told not to; gRPC does not use it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as http2 from "node:http2";
import { GrpcError, Server, Status, type ServiceImplementation } from "../../src/server/index.js";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { EchoMessageCodec, EchoService, echo } from "../support/echo-service.js";
import { GRPC_HEADERS, rawCall } from "../support/raw-client.js";

const impl: ServiceImplementation<typeof EchoService> = {
  Unary(req, ctx) {
    if (req.text === "fail") throw new GrpcError(Status.NOT_FOUND, "no such thing");
    if (req.text === "fail-with-header") {
      ctx.responseHeader.set("x-request-id", "r-1");
      throw new GrpcError(Status.NOT_FOUND, "no such thing");
    }
    return echo({ text: req.text });
  },
  async ServerStream() {},
  async ClientStream() {
    return echo({});
  },
  async Bidi() {},
};

let server: Server;
let session: http2.ClientHttp2Session;
beforeAll(async () => {
  server = new Server().addService(EchoService, impl);
  const port = await server.listen();
  session = http2.connect(`http://127.0.0.1:${port}`);
});
afterAll(async () => {
  session.close();
  await server.shutdown(500);
});

const unary = { ...GRPC_HEADERS, ":path": "/test.Echo/Unary" };
const body = (text: string): Buffer[] => [encodeEnvelope(EchoMessageCodec.encode(echo({ text })), false)];

describe("response headers", () => {
  it("sends :status, content-type and grpc-accept-encoding, no date, then grpc-status 0 in trailers", async () => {
    const r = await rawCall(session, unary, body("hi"));
    expect(r.headers[":status"]).toBe(200);
    expect(r.headers["content-type"]).toBe("application/grpc");
    expect(r.headers["grpc-accept-encoding"]).toBe("identity,deflate,gzip");
    expect(r.headers.date).toBeUndefined();
    expect(r.trailers?.["grpc-status"]).toBe("0");
    expect(r.trailers?.date).toBeUndefined();
    expect(EchoMessageCodec.decode(r.data.subarray(5)).text).toBe("hi");
  });

  it("sends no date in a Trailers-Only error either", async () => {
    const handled = await rawCall(session, unary, body("fail"));
    expect(handled.trailers).toBeUndefined();
    expect(handled.headers["grpc-status"]).toBe(String(Status.NOT_FOUND));
    expect(handled.headers.date).toBeUndefined();
    const unknown = await rawCall(session, { ...GRPC_HEADERS, ":path": "/test.Echo/Nope" }, body("x"));
    expect(unknown.headers["grpc-status"]).toBe(String(Status.UNIMPLEMENTED));
    expect(unknown.headers.date).toBeUndefined();
  });

  it("a failing call whose handler set header metadata: HEADERS with it, then the status in trailers (not Trailers-Only)", async () => {
    const r = await rawCall(session, unary, body("fail-with-header"));
    expect(r.headers[":status"]).toBe(200);
    expect(r.headers["x-request-id"]).toBe("r-1");
    expect(r.headers["grpc-status"]).toBeUndefined();
    expect(r.trailers?.["grpc-status"]).toBe(String(Status.NOT_FOUND));
    expect(r.trailers?.["grpc-message"]).toBe("no such thing");
    expect(r.trailers?.["x-request-id"]).toBeUndefined();
    expect(r.data.length).toBe(0);
  });
});
