import { describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { GrpcError, Server, Status, type ServiceImplementation } from "../../src/server/index.js";
import * as http2 from "node:http2";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { EchoMessageCodec, EchoService, echo, grpcJsEchoClient, grpcJsUnary } from "../support/echo-service.js";
import { GRPC_HEADERS } from "../support/raw-client.js";
import { Flag, FrameType, RawH2, frame, grpcRequestBlock, parseGoaway } from "../support/h2-frames.js";
import { holdingEcho } from "../support/holding-echo.js";

function controlledServer(): {
  server: Server;
  started: Promise<void>;
  release: () => void;
  aborted: Promise<unknown>;
} {
  let markStarted!: () => void;
  let release!: () => void;
  let markAborted!: (r: unknown) => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const gate = new Promise<void>((r) => (release = r));
  const aborted = new Promise<unknown>((r) => (markAborted = r));
  const impl: ServiceImplementation<typeof EchoService> = {
    async Unary(req, ctx) {
      if (req.text !== "hold") return req;
      ctx.signal.addEventListener("abort", () => markAborted(ctx.signal.reason));
      markStarted();
      await gate;
      return echo({ text: "finished" });
    },
    ServerStream: async () => {},
    ClientStream: async () => echo(),
    Bidi: async () => {},
  };
  return { server: new Server().addService(EchoService, impl), started, release, aborted };
}

describe("shutdown", () => {
  it("graceful: refuses new calls, lets the call in flight finish, then resolves", async () => {
    const { server, started, release } = controlledServer();
    const port = await server.listen();
    const client = grpcJsEchoClient(`127.0.0.1:${port}`);
    const inflight = grpcJsUnary(client, echo({ text: "hold" }));
    await started;
    let shutdownDone = false;
    const shut = server.shutdown(30_000).then(() => (shutdownDone = true));
    // A new client cannot connect any more.
    const late = grpcJsEchoClient(`127.0.0.1:${port}`);
    const refused = await grpcJsUnary(late, echo({ text: "late" }), new grpc.Metadata(), { deadline: Date.now() + 2000 });
    late.close();
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(refused.error?.code);
    expect(shutdownDone).toBe(false);
    release();
    const r = await inflight;
    expect(r.error).toBeNull();
    expect(r.response?.text).toBe("finished");
    await shut;
    expect(shutdownDone).toBe(true);
    client.close();
  });

  it("graceful with an expired grace period ends the remaining calls with UNAVAILABLE, not CANCELLED", async () => {
    const { server, started, aborted } = controlledServer();
    const port = await server.listen();
    const client = grpcJsEchoClient(`127.0.0.1:${port}`);
    const inflight = grpcJsUnary(client, echo({ text: "hold" }));
    await started;
    await server.shutdown(100);
    const r = await inflight;
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.error?.details).toBe("server shutting down");
    expect(((await aborted) as GrpcError).code).toBe(Status.UNAVAILABLE);
    client.close();
  });

  it("forceShutdown ends calls in flight at once with UNAVAILABLE and fires their signals", async () => {
    const { server, started, aborted } = controlledServer();
    const port = await server.listen();
    const client = grpcJsEchoClient(`127.0.0.1:${port}`);
    const inflight = grpcJsUnary(client, echo({ text: "hold" }));
    await started;
    await server.forceShutdown();
    const r = await inflight;
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.error?.details).toBe("server shutting down");
    expect(((await aborted) as GrpcError).code).toBe(Status.UNAVAILABLE);
    client.close();
  });

  it("on the wire: GOAWAY(2^31-1) and a PING, then GOAWAY(last stream id) on the PING's ACK; later streams are not processed; the call in flight finishes", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let bidiStarted = 0;
    let started!: () => void;
    const firstBidi = new Promise<void>((r) => (started = r));
    const server = new Server().addService(EchoService, {
      Unary: (r) => r,
      ServerStream: async () => {},
      ClientStream: async () => echo(),
      async Bidi(_reqs, _ctx, out) {
        bidiStarted++;
        started();
        await gate;
        await out.write(echo({ text: "done" }));
      },
    });
    const port = await server.listen();
    const c = await RawH2.connect(port);
    await c.until((f) => f.some((x) => x.type === FrameType.SETTINGS && (x.flags & Flag.ACK) !== 0), "SETTINGS ACK");
    c.write(frame(FrameType.HEADERS, Flag.END_HEADERS, 1, grpcRequestBlock("/test.Echo/Bidi")));
    await firstBidi;
    let shutDown = false;
    const shut = server.shutdown(60_000).then(() => (shutDown = true));
    await c.until((f) => f.filter((x) => x.type === FrameType.GOAWAY).length >= 2, "two GOAWAY frames");
    const goaways = c.frames.filter((x) => x.type === FrameType.GOAWAY).map(parseGoaway);
    expect(goaways[0]).toMatchObject({ lastStreamId: 0x7fffffff, code: 0 });
    expect(goaways[1]).toMatchObject({ lastStreamId: 1, code: 0 });
    // The PING went out between them, and our ACK released the second GOAWAY.
    const kinds = c.frames.map((x) => x.type).filter((t) => t === FrameType.GOAWAY || t === FrameType.PING);
    expect(kinds.slice(0, 3)).toEqual([FrameType.GOAWAY, FrameType.PING, FrameType.GOAWAY]);
    // A stream opened now is not processed (its id is above the last stream id).
    c.write(frame(FrameType.HEADERS, Flag.END_HEADERS, 3, grpcRequestBlock("/test.Echo/Bidi")));
    c.write(frame(FrameType.DATA, Flag.END_STREAM, 1, Buffer.alloc(0)));
    release();
    await c.until((f) => f.some((x) => x.streamId === 1 && x.type === FrameType.HEADERS && (x.flags & Flag.END_STREAM) !== 0), "stream 1's trailers");
    expect(bidiStarted).toBe(1);
    expect(c.frames.some((x) => x.streamId === 3)).toBe(false);
    await c.untilClosed();
    await shut;
    expect(shutDown).toBe(true);
  });

  it("at the end of the grace, a streaming call whose headers went out gets trailers UNAVAILABLE, not RST_STREAM(CANCEL)", async () => {
    // Its server stream runs on until the call is ended from outside.
    const server = new Server().addService(EchoService, holdingEcho);
    const port = await server.listen();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const req = session.request({ ...GRPC_HEADERS, ":path": "/test.Echo/ServerStream" });
    req.end(encodeEnvelope(EchoMessageCodec.encode(echo()), false));
    let trailers: http2.IncomingHttpHeaders | undefined;
    req.on("trailers", (t) => (trailers = t));
    req.on("error", () => {});
    const closed = new Promise<void>((resolve) => req.on("close", () => resolve()));
    // The first message has arrived: headers are out, the handler is running.
    await new Promise<void>((resolve) => req.once("data", () => resolve()));
    req.resume();
    await server.shutdown(100);
    await closed;
    expect(trailers?.["grpc-status"]).toBe(String(Status.UNAVAILABLE));
    expect(trailers?.["grpc-message"]).toBe("server shutting down");
    expect(req.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
    session.destroy();
  });

  it("forceShutdown after a graceful shutdown has finished resolves too", async () => {
    const { server } = controlledServer();
    const port = await server.listen();
    const client = grpcJsEchoClient(`127.0.0.1:${port}`);
    expect((await grpcJsUnary(client, echo({ text: "hi" }))).error).toBeNull();
    // The client keeps its connection open: the graceful shutdown resolves once it goes away.
    const graceful = server.shutdown(50);
    await graceful;
    let forced = false;
    await Promise.race([server.forceShutdown().then(() => (forced = true)), new Promise((r) => setTimeout(r, 2000))]);
    expect(forced).toBe(true);
    client.close();
  });

  it("shutdown with no calls resolves and listen afterwards is refused", async () => {
    const { server } = controlledServer();
    await server.listen();
    await server.shutdown();
    await expect(server.listen()).rejects.toThrow(/shut down/);
  });
});
