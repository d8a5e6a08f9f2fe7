import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as http2 from "node:http2";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server, type ServerCallContext, type ServiceImplementation } from "../../src/server/index.js";
import { EchoService, echo, grpcJsEchoClient, grpcJsUnary } from "../support/echo-service.js";

let lastCtx: { peer: string; authority?: string; userAgent?: string; path: string; service: string; method: string; kind: string } | undefined;

const impl: ServiceImplementation<typeof EchoService> = {
  Unary(req, ctx: ServerCallContext) {
    lastCtx = { peer: ctx.peer, authority: ctx.authority, userAgent: ctx.userAgent, path: ctx.path, service: ctx.service, method: ctx.method, kind: ctx.kind };
    return req;
  },
  ServerStream: async () => {},
  ClientStream: async () => echo(),
  Bidi: async () => {},
};

describe("limits advertised in HTTP/2 SETTINGS", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = new Server({ maxConcurrentStreams: 7, maxHeaderListSize: 12_345 }).addService(EchoService, impl);
    port = await server.listen();
  });
  afterAll(() => server.shutdown(100));

  it("sends SETTINGS_MAX_CONCURRENT_STREAMS and SETTINGS_MAX_HEADER_LIST_SIZE", async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const settings = await new Promise<http2.Settings>((r) => session.once("remoteSettings", r));
    session.close();
    expect(settings.maxConcurrentStreams).toBe(7);
    expect(settings.maxHeaderListSize).toBe(12_345);
  });
});

describe("call context", () => {
  it("exposes peer, authority, user-agent and the method", async () => {
    const server = new Server().addService(EchoService, impl);
    const port = await server.listen();
    const c = grpcJsEchoClient(`127.0.0.1:${port}`);
    await grpcJsUnary(c, echo({ text: "ctx" }));
    c.close();
    await server.shutdown(100);
    expect(lastCtx?.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(lastCtx?.authority).toBe(`127.0.0.1:${port}`);
    expect(lastCtx?.userAgent).toContain("grpc-node-js");
    expect(lastCtx).toMatchObject({ path: "/test.Echo/Unary", service: "test.Echo", method: "Unary", kind: "unary" });
  });

  it("serves on a Unix domain socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "grpc-uds-"));
    const sock = join(dir, "s.sock");
    const server = new Server().addService(EchoService, impl);
    expect(await server.listen({ path: sock })).toBe(0);
    const c = grpcJsEchoClient(`unix:${sock}`);
    const r = await grpcJsUnary(c, echo({ text: "uds" }));
    c.close();
    await server.shutdown(100);
    rmSync(dir, { recursive: true, force: true });
    expect(r.error).toBeNull();
    expect(r.response?.text).toBe("uds");
  });

  it("rejects registering a service twice or with a missing handler", () => {
    const s = new Server().addService(EchoService, impl);
    expect(() => s.addService(EchoService, impl)).toThrow(/already registered/);
    const { Bidi: _omit, ...partial } = impl;
    expect(() => new Server().addService(EchoService, partial as typeof impl)).toThrow(/no handler for method Bidi/);
  });
});
