import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { GrpcError, Server, Status, type ServerInterceptor, type ServiceImplementation } from "../../src/server/index.js";
import { EchoService, echo, grpcJsEchoClient, grpcJsUnary, type EchoMessage, type GrpcJsEchoClient } from "../support/echo-service.js";

const log: string[] = [];
const timings: Array<{ method: string; code: number; ms: number }> = [];
/** The clock `outer` times calls with: a counter only the handler moves ("SLOW" adds 7 ms), so a
 *  timing says whether the interceptor's two readings really enclose the handler, with no real time. */
let clockMs = 0;

const impl: ServiceImplementation<typeof EchoService> = {
  async Unary(req) {
    log.push(`handler:${req.text}`);
    if (req.text === "BOOM") throw new Error("boom");
    if (req.text === "SLOW") clockMs += 7;
    return echo({ text: req.text });
  },
  async ServerStream(req, _ctx, out) {
    log.push("handler:ss");
    await out.write(echo({ text: req.text }));
    await out.write(echo({ text: req.text }));
  },
  async ClientStream(reqs) {
    log.push("handler:cs");
    const t: string[] = [];
    for await (const r of reqs) t.push(r.text);
    return echo({ text: t.join(",") });
  },
  async Bidi(reqs, _ctx, out) {
    log.push("handler:bidi");
    for await (const r of reqs) await out.write(r);
  },
};

const outer: ServerInterceptor = async (call, next) => {
  log.push("outer:before");
  const start = clockMs;
  let code: number = Status.OK;
  try {
    await next();
  } catch (e) {
    code = GrpcError.from(e).code;
    throw e;
  } finally {
    timings.push({ method: call.method, code, ms: clockMs - start });
    log.push("outer:after");
  }
};

const auth: ServerInterceptor = async (call, next) => {
  log.push("auth:before");
  if (call.metadata.get("authorization") !== "Bearer ok") throw new GrpcError(Status.UNAUTHENTICATED, "missing or bad token");
  call.responseHeader.set("x-request-id", "req-1");
  await next();
  call.trailer.set("x-served-by", "auth");
  log.push("auth:after");
};

const transform: ServerInterceptor = async (call, next) => {
  call.onRequestMessage((m) => ({ ...(m as EchoMessage), text: (m as EchoMessage).text.toUpperCase() }));
  call.onResponseMessage((m) => ({ ...(m as EchoMessage), text: `${(m as EchoMessage).text}!` }));
  try {
    await next();
  } catch (e) {
    const err = GrpcError.from(e);
    if (err.code === Status.UNKNOWN) throw new GrpcError(Status.INTERNAL, `wrapped: ${err.rawMessage}`);
    throw err;
  }
};

let server: Server;
let client: GrpcJsEchoClient;
const md = (): grpc.Metadata => {
  const m = new grpc.Metadata();
  m.set("authorization", "Bearer ok");
  return m;
};

beforeAll(async () => {
  server = new Server({ interceptors: [outer, auth, transform] }).addService(EchoService, impl);
  const port = await server.listen();
  client = grpcJsEchoClient(`127.0.0.1:${port}`);
});
afterAll(async () => {
  client.close();
  await server.shutdown(500);
});

function collect(stream: grpc.ClientReadableStream<EchoMessage>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    stream.on("data", (m: EchoMessage) => out.push(m.text));
    stream.on("end", () => resolve(out));
    stream.on("error", reject);
  });
}

describe("server interceptors", () => {
  it("run in order around a unary handler, add header and trailer metadata, transform both directions", async () => {
    log.length = 0;
    const r = await grpcJsUnary(client, echo({ text: "hi" }), md());
    expect(r.error).toBeNull();
    expect(r.response?.text).toBe("HI!");
    expect(log).toEqual(["outer:before", "auth:before", "handler:HI", "auth:after", "outer:after"]);
    expect(r.headers?.get("x-request-id")).toEqual(["req-1"]);
    expect(r.status?.metadata.get("x-served-by")).toEqual(["auth"]);
  });

  it("short-circuit: rejecting before next() skips the handler", async () => {
    log.length = 0;
    const r = await grpcJsUnary(client, echo({ text: "x" }));
    expect(r.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(r.error?.details).toBe("missing or bad token");
    expect(log).toEqual(["outer:before", "auth:before", "outer:after"]);
    expect(timings.at(-1)?.code).toBe(Status.UNAUTHENTICATED);
  });

  it("can replace the handler's error", async () => {
    const r = await grpcJsUnary(client, echo({ text: "boom" }), md());
    expect(r.error?.code).toBe(grpc.status.INTERNAL);
    expect(r.error?.details).toBe("wrapped: boom");
  });

  it("work for server streaming", async () => {
    log.length = 0;
    const got = await collect(client.ServerStream(echo({ text: "s" }), md()));
    expect(got).toEqual(["S!", "S!"]);
    expect(log).toEqual(["outer:before", "auth:before", "handler:ss", "auth:after", "outer:after"]);
  });

  it("work for client streaming", async () => {
    log.length = 0;
    const res = await new Promise<EchoMessage>((resolve, reject) => {
      const call = client.ClientStream(md(), {}, (e, r) => (e ? reject(e) : resolve(r!)));
      call.write(echo({ text: "a" }));
      call.write(echo({ text: "b" }));
      call.end();
    });
    expect(res.text).toBe("A,B!");
    expect(log).toEqual(["outer:before", "auth:before", "handler:cs", "auth:after", "outer:after"]);
  });

  it("work for bidi streaming, and reject it without auth", async () => {
    log.length = 0;
    const call = client.Bidi(md());
    const got = collect(call);
    call.write(echo({ text: "x" }));
    call.write(echo({ text: "y" }));
    call.end();
    expect(await got).toEqual(["X!", "Y!"]);
    expect(log).toEqual(["outer:before", "auth:before", "handler:bidi", "auth:after", "outer:after"]);
    const denied = client.Bidi();
    const err = await collect(denied).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    denied.end();
    expect(err?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it("can time every call: the two clock readings enclose the handler, whatever the kind or outcome", async () => {
    timings.length = 0;
    expect((await grpcJsUnary(client, echo({ text: "slow" }), md())).error).toBeNull();
    expect(await collect(client.ServerStream(echo({ text: "s" }), md()))).toEqual(["S!", "S!"]);
    await new Promise<EchoMessage>((resolve, reject) => {
      const call = client.ClientStream(md(), {}, (e, r) => (e ? reject(e) : resolve(r!)));
      call.end();
    });
    const bidi = client.Bidi(md());
    const echoed = collect(bidi);
    bidi.end();
    expect(await echoed).toEqual([]);
    expect((await grpcJsUnary(client, echo({ text: "x" }))).error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(timings).toEqual([
      { method: "Unary", code: Status.OK, ms: 7 },
      { method: "ServerStream", code: Status.OK, ms: 0 },
      { method: "ClientStream", code: Status.OK, ms: 0 },
      { method: "Bidi", code: Status.OK, ms: 0 },
      { method: "Unary", code: Status.UNAUTHENTICATED, ms: 0 },
    ]);
  });
});
