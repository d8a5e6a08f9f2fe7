// Tests src/interop/test-service.ts and src/interop/client.ts together (our client against our
// TestService server, in process), plus the server features no interop case exercises.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel } from "../../src/client/channel.js";
import { Client } from "../../src/client/client.js";
import { clientMethods } from "../../src/client/types.js";
import { SimpleRequestCodec, StreamingOutputCallRequestCodec } from "../../src/schema/interop.js";
import { TEST_CASES, runTestCase } from "../../src/interop/client.js";
import { INTEROP_MAX_RECEIVE_MESSAGE_SIZE, startInteropServer, type RunningInteropServer } from "../../src/interop/server.js";
import { TestService } from "../../src/interop/test-service.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Metadata } from "../../src/wire/metadata.js";

const T = clientMethods(TestService);
let running: RunningInteropServer;
let channel: Channel;
let client: Client;

beforeAll(async () => {
  running = await startInteropServer({ port: 0, host: "127.0.0.1" });
  channel = new Channel(`127.0.0.1:${running.port}`);
  client = new Client(channel);
});
afterAll(async () => {
  channel?.destroy();
  await running?.server.shutdown(1000);
});

describe("our interop client → our interop server", () => {
  it("implements the 18 cases of the issue", () => {
    expect(TEST_CASES).toHaveLength(18);
  });
  it.each(TEST_CASES)("%s", async (testCase) => {
    await expect(runTestCase(testCase, { serverHost: "127.0.0.1", serverPort: running.port })).resolves.toBeUndefined();
  });
  it("rejects an unknown case", async () => {
    await expect(runTestCase("no_such_case", { serverHost: "127.0.0.1", serverPort: running.port })).rejects.toThrow(/unsupported test case/);
  });
});

describe("TestService features outside the interop cases", () => {
  it("HalfDuplexCall answers only after the half-close, in request order", async () => {
    const call = client.bidiStreaming(T.HalfDuplexCall);
    const sizes: number[] = [];
    const reading = (async () => {
      for await (const r of call) sizes.push(r.payload?.body.byteLength ?? -1);
    })();
    await call.write(StreamingOutputCallRequestCodec.create({ responseParameters: [{ size: 3, intervalUs: 0 }, { size: 5, intervalUs: 0 }] }));
    await call.write(StreamingOutputCallRequestCodec.create({ responseParameters: [{ size: 7, intervalUs: 0 }] }));
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([]);
    call.end();
    await reading;
    expect(sizes).toEqual([3, 5, 7]);
  });

  it("CacheableUnaryCall returns a fresh timestamp payload and cache-control", async () => {
    let headers: Metadata | undefined;
    const a = await client.unary(T.CacheableUnaryCall, { responseType: 0, responseSize: 0, fillUsername: false, fillOauthScope: false, fillServerId: false, fillGrpclbRouteType: false }, { onHeader: (h) => (headers = h) });
    const b = await client.unary(T.CacheableUnaryCall, { responseType: 0, responseSize: 0, fillUsername: false, fillOauthScope: false, fillServerId: false, fillGrpclbRouteType: false });
    expect(Buffer.from(a.payload?.body ?? new Uint8Array(0)).toString()).toMatch(/^\d+$/);
    expect(Buffer.from(a.payload?.body ?? []).equals(Buffer.from(b.payload?.body ?? []))).toBe(false);
    expect(headers?.get("cache-control")).toBe("max-age=60, public");
  });

  it("StreamingOutputCall ends with the requested status after its responses", async () => {
    const req = StreamingOutputCallRequestCodec.create({ responseParameters: [{ size: 1, intervalUs: 10 }], responseStatus: { code: 9, message: "stop here" } });
    const got: number[] = [];
    let error: unknown;
    try {
      for await (const r of client.serverStreaming(T.StreamingOutputCall, req)) got.push(r.payload?.body.byteLength ?? -1);
    } catch (e) {
      error = e;
    }
    expect(got).toEqual([1]);
    expect(error).toBeInstanceOf(GrpcError);
    expect((error as GrpcError).code).toBe(9);
    expect((error as GrpcError).rawMessage).toBe("stop here");
  });

  it("rejects an unsupported response_type with INVALID_ARGUMENT", async () => {
    const err = await client.unary(T.UnaryCall, { responseType: 7, responseSize: 1, fillUsername: false, fillOauthScope: false, fillServerId: false, fillGrpclbRouteType: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrpcError);
    expect((err as GrpcError).code).toBe(3);
  });

  it("accepts requests up to 16 MiB, as grpc-java's interop server does, and refuses larger ones", async () => {
    const request = (bytes: number) => SimpleRequestCodec.create({ responseSize: 1, payload: { type: 0, body: new Uint8Array(bytes) } });
    const ok = await client.unary(T.UnaryCall, request(INTEROP_MAX_RECEIVE_MESSAGE_SIZE - 64));
    expect(ok.payload?.body.byteLength).toBe(1);
    // Refused by the server while our client is still sending it (17 MiB is more than node:http2's
    // default session memory, which used to make our client miss the status and wait for its
    // deadline), and by grpc-js alike.
    const err = await client.unary(T.UnaryCall, request(INTEROP_MAX_RECEIVE_MESSAGE_SIZE + 1024 * 1024), { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrpcError);
    expect((err as GrpcError).code).toBe(8);
    expect((err as GrpcError).rawMessage).toContain(`vs. ${INTEROP_MAX_RECEIVE_MESSAGE_SIZE}`);
    const js = new grpc.Client(`127.0.0.1:${running.port}`, grpc.credentials.createInsecure());
    try {
      const jsErr = await new Promise<grpc.ServiceError | null>((resolve) =>
        js.makeUnaryRequest(
          "/grpc.testing.TestService/UnaryCall",
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from(SimpleRequestCodec.encode(request(INTEROP_MAX_RECEIVE_MESSAGE_SIZE))),
          (e) => resolve(e),
        ),
      );
      expect(jsErr?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(jsErr?.details).toContain(`vs. ${INTEROP_MAX_RECEIVE_MESSAGE_SIZE}`);
    } finally {
      js.close();
    }
    // The connection still serves calls.
    expect((await client.unary(T.UnaryCall, request(10))).payload?.body.byteLength).toBe(1);
  });
});
