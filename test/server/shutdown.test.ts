import { describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { GrpcError, Server, Status, type ServiceImplementation } from "../../src/server/index.js";
import { EchoService, echo, grpcJsEchoClient, grpcJsUnary } from "../support/echo-service.js";

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

  it("graceful with an expired grace period cancels the remaining calls", async () => {
    const { server, started, aborted } = controlledServer();
    const port = await server.listen();
    const client = grpcJsEchoClient(`127.0.0.1:${port}`);
    const inflight = grpcJsUnary(client, echo({ text: "hold" }));
    await started;
    await server.shutdown(100);
    const r = await inflight;
    expect([grpc.status.UNAVAILABLE, grpc.status.CANCELLED]).toContain(r.error?.code);
    expect(await aborted).toBeInstanceOf(GrpcError);
    client.close();
  });

  it("forceShutdown cancels calls in flight at once and fires their signals", async () => {
    const { server, started, aborted } = controlledServer();
    const port = await server.listen();
    const client = grpcJsEchoClient(`127.0.0.1:${port}`);
    const inflight = grpcJsUnary(client, echo({ text: "hold" }));
    await started;
    await server.forceShutdown();
    const r = await inflight;
    expect([grpc.status.UNAVAILABLE, grpc.status.CANCELLED]).toContain(r.error?.code);
    expect(((await aborted) as GrpcError).code).toBe(Status.UNAVAILABLE);
    client.close();
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
