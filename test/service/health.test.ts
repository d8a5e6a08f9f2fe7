import path from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { HealthCheckRequestCodec, HealthCheckResponseCodec, ServingStatus, type HealthCheckResponse } from "../../src/codec/health.js";
import type { ServerCallContext, ServerWriter } from "../../src/server/types.js";
import { DEFAULT_PROTO_DIR } from "../../src/service/descriptors.js";
import { HealthService } from "../../src/service/health.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Status } from "../../src/wire/status.js";

/** A writer that records what Watch sends and lets a test wait for the n-th message. */
class RecordingWriter implements ServerWriter<HealthCheckResponse> {
  readonly sent: number[] = [];
  closed = false;
  private waiters: { n: number; resolve: () => void }[] = [];
  write(message: HealthCheckResponse): void {
    this.sent.push(message.status);
    this.waiters = this.waiters.filter((w) => (this.sent.length >= w.n ? (w.resolve(), false) : true));
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
    expect(health.watchCount).toBe(1);
    ac.abort();
    await done;
    expect(health.watchCount).toBe(0);
    expect(out.sent).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
  });
});
