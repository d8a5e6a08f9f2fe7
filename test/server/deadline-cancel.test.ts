import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import * as http2 from "node:http2";
import { GrpcError, Server, Status, type ServiceImplementation } from "../../src/server/index.js";
import { EchoMessageCodec, EchoService, echo, grpcJsEchoClient, grpcJsUnary, type GrpcJsEchoClient } from "../support/echo-service.js";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { GRPC_HEADERS, rawCall, type RawResponse } from "../support/raw-client.js";

/** Resolves with the abort reason the handler observed. */
let observed: (reason: unknown) => void = () => {};
let writesAfterAbort: unknown;
/** Called when a handler has the call in hand (Unary at once, ClientStream on its "hold" message). */
let started: () => void = () => {};
/** Resolves when the next handler calls `started`. */
const nextStart = (): Promise<void> => new Promise((r) => (started = r));

function waitAbort(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener("abort", () => resolve(signal.reason), { once: true });
  });
}

const impl: ServiceImplementation<typeof EchoService> = {
  async Unary(req, ctx) {
    started();
    observed(await waitAbort(ctx.signal));
    return req;
  },
  async ServerStream(_req, ctx, out) {
    let i = 0;
    while (!ctx.signal.aborted) {
      await out.write(echo({ count: i++ }));
      await new Promise((r) => setImmediate(r));
    }
    try {
      await out.write(echo());
    } catch (e) {
      writesAfterAbort = e;
    }
    observed(ctx.signal.reason);
  },
  async ClientStream(requests, ctx) {
    // node:http2 and grpc-js clients half-close (END_STREAM) before RST_STREAM on cancel, so the
    // iterator may end normally: the signal is what tells a handler the call is gone.
    let hold = false;
    try {
      for await (const r of requests) {
        if (r.text !== "hold") continue;
        hold = true;
        started();
      }
    } catch {
      // CANCELLED when the reset arrives before the half-close
    }
    if (hold) observed(await waitAbort(ctx.signal));
    return echo({ text: String(ctx.deadline !== undefined) });
  },
  async Bidi(requests, ctx, out) {
    try {
      for await (const r of requests) await out.write(r);
    } catch {
      // CANCELLED
    }
    observed(await waitAbort(ctx.signal));
  },
};

let server: Server;
let port: number;
let client: GrpcJsEchoClient;
beforeAll(async () => {
  server = new Server().addService(EchoService, impl);
  port = await server.listen();
  client = grpcJsEchoClient(`127.0.0.1:${port}`);
});
afterAll(async () => {
  client.close();
  await server.shutdown(500);
});

/** One raw call with a grpc-timeout header on a connection of its own (node:http2 client: grpc-js
 *  would enforce the deadline itself). */
async function rawCallTo(path: string, grpcTimeout: string, body: Buffer[] | undefined): Promise<RawResponse> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    return await rawCall(session, { ...GRPC_HEADERS, ":path": path, "grpc-timeout": grpcTimeout }, body);
  } finally {
    session.close();
  }
}

describe("deadlines", () => {
  it("ends a call whose deadline passes during the handler with DEADLINE_EXCEEDED and aborts the signal", async () => {
    const seen = new Promise<unknown>((r) => (observed = r));
    const r = await grpcJsUnary(client, echo({ text: "slow" }), new grpc.Metadata(), { deadline: Date.now() + 150 });
    expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    const reason = await seen;
    expect(reason).toBeInstanceOf(GrpcError);
    // grpc-js also enforces the deadline and resets the stream: whichever side fires first wins.
    expect([Status.DEADLINE_EXCEEDED, Status.CANCELLED]).toContain((reason as GrpcError).code);
  });

  it("enforces grpc-timeout itself when the client does not (raw client, 100m)", async () => {
    const seen = new Promise<unknown>((r) => (observed = r));
    const r = await rawCallTo("/test.Echo/Unary", "100m", [encodeEnvelope(EchoMessageCodec.encode(echo({ text: "x" })), false)]);
    expect(r.grpcStatus).toBe(String(Status.DEADLINE_EXCEEDED));
    expect(((await seen) as GrpcError).code).toBe(Status.DEADLINE_EXCEEDED);
  });

  it("answers DEADLINE_EXCEEDED for a deadline already expired on arrival (grpc-timeout 1n)", async () => {
    const seen = new Promise<unknown>((r) => (observed = r));
    const r = await rawCallTo("/test.Echo/Unary", "1n", [encodeEnvelope(EchoMessageCodec.encode(echo({ text: "x" })), false)]);
    expect(r.grpcStatus).toBe(String(Status.DEADLINE_EXCEEDED));
    expect(((await seen) as GrpcError).code).toBe(Status.DEADLINE_EXCEEDED);
  });

  it("treats a huge grpc-timeout (99999999H) as a far deadline, not an expired one", async () => {
    const r = await rawCallTo("/test.Echo/ClientStream", "99999999H", undefined);
    expect(r.grpcStatus).toBe("0");
  });

  it("exposes the deadline to the handler", async () => {
    const res = await new Promise<string>((resolve, reject) => {
      const call = client.ClientStream(new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (e, r) => (e ? reject(e) : resolve(r!.text)));
      call.end();
    });
    expect(res).toBe("true");
  });
});

describe("cancellation", () => {
  it("fires the handler's signal with CANCELLED when the client cancels a server stream, and writes then throw", async () => {
    writesAfterAbort = undefined;
    const seen = new Promise<unknown>((r) => (observed = r));
    const call = client.ServerStream(echo({ text: "endless" }));
    await new Promise((r) => call.once("data", r));
    call.on("error", () => {});
    call.cancel();
    const reason = await seen;
    expect((reason as GrpcError).code).toBe(Status.CANCELLED);
    expect(writesAfterAbort).toBeInstanceOf(GrpcError);
  });

  it("fires the signal with CANCELLED when the client cancels a client stream", async () => {
    const seen = new Promise<unknown>((r) => (observed = r));
    const call = client.ClientStream(new grpc.Metadata(), {}, () => {});
    call.on("error", () => {});
    const holding = nextStart();
    call.write(echo({ text: "hold" }));
    await holding;
    call.cancel();
    expect(((await seen) as GrpcError).code).toBe(Status.CANCELLED);
  });

  it("fires CANCELLED on a raw RST_STREAM mid-bidi and keeps serving", async () => {
    const seen = new Promise<unknown>((r) => (observed = r));
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const req = session.request({ ...GRPC_HEADERS, ":path": "/test.Echo/Bidi" });
    req.on("error", () => {});
    req.write(encodeEnvelope(EchoMessageCodec.encode(echo({ text: "x" })), false));
    await new Promise((r) => req.once("data", r));
    req.close(http2.constants.NGHTTP2_CANCEL);
    expect(((await seen) as GrpcError).code).toBe(Status.CANCELLED);
    session.close();
    observed = () => {};
    const c2 = await new Promise<string>((resolve, reject) => {
      const call = client.ClientStream(new grpc.Metadata(), {}, (e, r) => (e ? reject(e) : resolve(r!.text)));
      call.end();
    });
    expect(c2).toBe("false");
  });

  it("cancels when the client disconnects", async () => {
    const seen = new Promise<unknown>((r) => (observed = r));
    const inHandler = nextStart();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const req = session.request({ ...GRPC_HEADERS, ":path": "/test.Echo/Unary" });
    req.on("error", () => {});
    req.end(encodeEnvelope(EchoMessageCodec.encode(echo({ text: "x" })), false));
    await inHandler;
    session.destroy();
    expect(((await seen) as GrpcError).code).toBe(Status.CANCELLED);
  });
});
