import path from "node:path";
import protobuf from "protobufjs";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, clientMethods } from "../../src/client/index.js";
import { Server } from "../../src/server/index.js";
import { HealthCheckRequestCodec, HealthCheckResponseCodec, ServingStatus, type HealthCheckResponse } from "../../src/schema/health.js";
import type { ServerCallContext, ServerWriter } from "../../src/server/types.js";
import { DEFAULT_PROTO_DIR } from "../../src/service/descriptors.js";
import { HealthService, HealthServiceDescriptor } from "../../src/service/health.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Status } from "../../src/wire/status.js";

/** A writer that records what Watch sends and lets a test wait for the n-th message. */
class RecordingWriter implements ServerWriter<HealthCheckResponse> {
  readonly sent: number[] = [];
  closed = false;
  readonly writableNeedDrain = false;
  private waiters: { n: number; resolve: () => void }[] = [];
  write(message: HealthCheckResponse): Promise<void> {
    this.sent.push(message.status);
    this.waiters = this.waiters.filter((w) => (this.sent.length >= w.n ? (w.resolve(), false) : true));
    return Promise.resolve();
  }
  /** Resolves once `n` messages have been written. */
  until(n: number): Promise<void> {
    if (this.sent.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

function fakeContext(signal: AbortSignal): ServerCallContext {
  return { signal, path: "/grpc.health.v1.Health/Watch", service: "grpc.health.v1.Health", method: "Watch", kind: "server_streaming" } as unknown as ServerCallContext;
}

describe("health codecs against protobufjs", () => {
  const root = new protobuf.Root();
  root.resolvePath = (_o, t) => path.join(DEFAULT_PROTO_DIR, t);
  root.loadSync("grpc/health/v1/health.proto");
  const Req = root.lookupType("grpc.health.v1.HealthCheckRequest");
  const Res = root.lookupType("grpc.health.v1.HealthCheckResponse");

  it("round-trips requests and responses both ways", () => {
    for (const service of ["", "user.UserService", "ünï"]) {
      expect(Req.toObject(Req.decode(HealthCheckRequestCodec.encode({ service })), { defaults: true })).toEqual({ service });
      expect(HealthCheckRequestCodec.decode(Req.encode({ service }).finish())).toEqual({ service });
    }
    for (const status of [0, 1, 2, 3, 7]) {
      expect(Res.toObject(Res.decode(HealthCheckResponseCodec.encode({ status })), { defaults: true })).toEqual({ status });
      expect(HealthCheckResponseCodec.decode(Res.encode({ status }).finish())).toEqual({ status });
    }
    expect(HealthCheckResponseCodec.encode({ status: 0 }).length).toBe(0);
  });
});

describe("HealthService (handlers called directly)", () => {
  it("Check: '' and registered services are SERVING, unknown is NOT_FOUND", async () => {
    const health = new HealthService(["user.UserService"]);
    const ctx = fakeContext(new AbortController().signal);
    expect(await health.implementation.Check({ service: "" }, ctx)).toEqual({ status: ServingStatus.SERVING });
    expect(await health.implementation.Check({ service: "user.UserService" }, ctx)).toEqual({ status: ServingStatus.SERVING });
    let error: unknown;
    try {
      await health.implementation.Check({ service: "nope.Nope" }, ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GrpcError);
    expect((error as GrpcError).code).toBe(Status.NOT_FOUND);
    health.setStatus("user.UserService", ServingStatus.NOT_SERVING);
    expect(await health.implementation.Check({ service: "user.UserService" }, ctx)).toEqual({ status: ServingStatus.NOT_SERVING });
  });

  it("Watch: current status, each change once, SERVICE_UNKNOWN until registered, ends on abort", async () => {
    const health = new HealthService(["user.UserService"]);
    const ac = new AbortController();
    const out = new RecordingWriter();
    const done = health.implementation.Watch({ service: "user.UserService" }, fakeContext(ac.signal), out);
    await out.until(1);
    expect(health.watchCount).toBe(1);
    health.setStatus("user.UserService", ServingStatus.SERVING); // no change: nothing sent
    health.setStatus("user.UserService", ServingStatus.NOT_SERVING);
    await out.until(2);
    health.setStatus("user.UserService", ServingStatus.SERVING);
    await out.until(3);
    expect(out.sent).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING, ServingStatus.SERVING]);

    const ac2 = new AbortController();
    const out2 = new RecordingWriter();
    const done2 = health.implementation.Watch({ service: "later.Service" }, fakeContext(ac2.signal), out2);
    await out2.until(1);
    expect(out2.sent).toEqual([ServingStatus.SERVICE_UNKNOWN]);
    health.setStatus("later.Service", ServingStatus.SERVING);
    await out2.until(2);
    expect(out2.sent).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.SERVING]);

    ac.abort();
    ac2.abort();
    await done;
    await done2;
    expect(health.watchCount).toBe(0);
    expect(out.sent).toHaveLength(3);
  });

  it("shutdown: everything NOT_SERVING for good, watchers told, then their calls end", async () => {
    const health = new HealthService(["user.UserService"]);
    const out = new RecordingWriter();
    const done = health.implementation.Watch({ service: "" }, fakeContext(new AbortController().signal), out);
    await out.until(1);
    health.shutdown();
    await done; // ends without an abort
    expect(out.sent).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    expect(health.getStatus("user.UserService")).toBe(ServingStatus.NOT_SERVING);
    health.setStatus("user.UserService", ServingStatus.SERVING);
    expect(health.getStatus("user.UserService")).toBe(ServingStatus.NOT_SERVING);
    expect(health.isShuttingDown).toBe(true);
  });

  it("shutdown({ endWatches: false }) keeps watchers open until they abort", async () => {
    const health = new HealthService(["user.UserService"]);
    const ac = new AbortController();
    const out = new RecordingWriter();
    const done = health.implementation.Watch({ service: "user.UserService" }, fakeContext(ac.signal), out);
    await out.until(1);
    health.shutdown({ endWatches: false });
    await out.until(2);
    const late = new RecordingWriter();
    const lateDone = health.implementation.Watch({ service: "user.UserService" }, fakeContext(ac.signal), late);
    await late.until(1);
    expect(late.sent).toEqual([ServingStatus.NOT_SERVING]);
    expect(health.watchCount).toBe(2);
    ac.abort();
    await done;
    await lateDone;
    expect(health.watchCount).toBe(0);
    expect(out.sent).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
  });
});

describe("health over the wire (our server; grpc-js and our client)", () => {
  let server: Server;
  let health: HealthService;
  let port: number;
  let channel: Channel;
  let grpcHealth: grpc.Client & {
    check(req: { service: string }, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void): void;
    watch(req: { service: string }): grpc.ClientReadableStream<{ status: string }>;
  };

  beforeAll(async () => {
    health = new HealthService(["user.UserService"]);
    server = new Server();
    server.addService(HealthServiceDescriptor, health.implementation);
    port = await server.listen({ port: 0 });
    channel = new Channel(`127.0.0.1:${port}`);
    const def = protoLoader.loadSync("grpc/health/v1/health.proto", { includeDirs: [DEFAULT_PROTO_DIR], enums: String });
    const loaded = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { health: { v1: { Health: new (target: string, creds: grpc.ChannelCredentials) => typeof grpcHealth } } };
    };
    grpcHealth = new loaded.grpc.health.v1.Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    grpcHealth.close();
    channel.destroy();
    if (!health.isShuttingDown) await server.forceShutdown(); // the last test shut the server down

  });

  const check = (service: string): Promise<{ status?: string; code?: number }> =>
    new Promise((resolve) => grpcHealth.check({ service }, (err, res) => resolve(err ? { code: err.code } : { status: res!.status })));

  it("Check through grpc-js: '' and user.UserService SERVING, unknown NOT_FOUND", async () => {
    expect(await check("")).toEqual({ status: "SERVING" });
    expect(await check("user.UserService")).toEqual({ status: "SERVING" });
    expect(await check("nope.Nope")).toEqual({ code: grpc.status.NOT_FOUND });
  });

  it("Check through our client", async () => {
    const client = new Client(channel);
    const m = clientMethods(HealthServiceDescriptor);
    expect(await client.unary(m.Check, { service: "user.UserService" })).toEqual({ status: ServingStatus.SERVING });
    await expect(client.unary(m.Check, { service: "x.Y" })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it("Watch through our client: current status, then each change; cancel ends the server-side watch", async () => {
    const client = new Client(channel);
    const m = clientMethods(HealthServiceDescriptor);
    const call = client.serverStreaming(m.Watch, { service: "user.UserService" });
    const it = call[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ status: ServingStatus.SERVING });
    health.setStatus("user.UserService", ServingStatus.NOT_SERVING);
    expect((await it.next()).value).toEqual({ status: ServingStatus.NOT_SERVING });
    health.setStatus("user.UserService", ServingStatus.SERVING);
    expect((await it.next()).value).toEqual({ status: ServingStatus.SERVING });
    expect(health.watchCount).toBe(1);
    call.cancel();
    while (health.watchCount > 0) await new Promise((r) => setImmediate(r));
    expect(health.watchCount).toBe(0);
  });

  it("Watch through grpc-js: SERVICE_UNKNOWN for an unknown service", async () => {
    const stream = grpcHealth.watch({ service: "not.Registered" });
    const first = await new Promise<{ status: string }>((resolve, reject) => {
      stream.once("data", resolve);
      stream.once("error", reject);
    });
    expect(first.status).toBe("SERVICE_UNKNOWN");
    stream.on("error", () => undefined); // the cancel below surfaces as CANCELLED
    stream.cancel();
  });

  it("shutdown: watchers see NOT_SERVING, their calls end OK, Check answers NOT_SERVING, the server drains", async () => {
    const stream = grpcHealth.watch({ service: "" });
    const seen: string[] = [];
    const ended = new Promise<grpc.StatusObject>((resolve) => stream.on("status", resolve));
    stream.on("data", (r: { status: string }) => {
      seen.push(r.status);
      if (seen.length === 1) health.shutdown();
    });
    stream.on("error", () => undefined);
    const status = await ended;
    expect(status.code).toBe(grpc.status.OK);
    expect(seen).toEqual(["SERVING", "NOT_SERVING"]);
    expect(await check("user.UserService")).toEqual({ status: "NOT_SERVING" });
    expect(await check("")).toEqual({ status: "NOT_SERVING" });
    await server.shutdown(); // no Watch left open to hold it for the grace period
  });
});
