import { describe, expect, it } from "vitest";
import * as http2 from "node:http2";
import { Server, type ServiceImplementation } from "../../src/server/index.js";
import { EchoMessageCodec, EchoService, echo } from "../support/echo-service.js";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { GRPC_HEADERS } from "../support/raw-client.js";

const impl: ServiceImplementation<typeof EchoService> = {
  Unary: (r) => r,
  ServerStream: async () => {},
  ClientStream: async () => echo(),
  Bidi: async () => {},
};

describe("keepalive", () => {
  it("answers too many client pings with GOAWAY ENHANCE_YOUR_CALM too_many_pings", async () => {
    const server = new Server({ keepalive: { minPingIntervalMs: 60_000, maxPingStrikes: 2 } }).addService(EchoService, impl);
    const port = await server.listen();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    const goaway = new Promise<{ code: number; data: string }>((resolve) =>
      session.on("goaway", (code: number, _last: number, data?: Buffer) => resolve({ code, data: data?.toString() ?? "" })),
    );
    await new Promise<void>((r) => session.once("connect", () => r()));
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        if (session.closed || session.destroyed) return resolve();
        session.ping(() => resolve());
      });
    }
    const g = await goaway;
    expect(g.code).toBe(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    expect(g.data).toBe("too_many_pings");
    session.destroy();
    await server.shutdown(100);
  });

  it("pings clients every keepalive time", async () => {
    const server = new Server({ keepalive: { timeMs: 50, timeoutMs: 5000 } }).addService(EchoService, impl);
    const port = await server.listen();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const pinged = await new Promise<boolean>((resolve) => session.on("ping", () => resolve(true)));
    expect(pinged).toBe(true);
    session.close();
    await server.shutdown(100);
  });
});

describe("keepalive enforcement with calls in flight (grpc-go policy)", () => {
  const bidi: ServiceImplementation<typeof EchoService> = {
    ...impl,
    async Bidi(reqs, _ctx, out) {
      for await (const r of reqs) await out.write(r);
    },
  };

  async function openBidi(port: number): Promise<{ session: http2.ClientHttp2Session; req: http2.ClientHttp2Stream; goaways: number[] }> {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    const goaways: number[] = [];
    session.on("goaway", (code: number) => goaways.push(code));
    await new Promise<void>((r) => session.once("connect", () => r()));
    const req = session.request({ ...GRPC_HEADERS, ":path": "/test.Echo/Bidi" });
    req.on("error", () => {});
    return { session, req, goaways };
  }

  const frame = encodeEnvelope(EchoMessageCodec.encode(echo({ text: "x" })), false);
  const ping = (s: http2.ClientHttp2Session): Promise<void> =>
    new Promise<void>((resolve) => {
      if (s.closed || s.destroyed) return resolve();
      s.ping(() => resolve());
    });

  it("a ping after the server sent data is never a strike (BDP pings stay legal)", async () => {
    const server = new Server({ keepalive: { minPingIntervalMs: 60_000, maxPingStrikes: 2 } }).addService(EchoService, bidi);
    const port = await server.listen();
    const { session, req, goaways } = await openBidi(port);
    for (let i = 0; i < 6; i++) {
      const echoed = new Promise((r) => req.once("data", r));
      req.write(frame);
      await echoed;
      await ping(session);
    }
    const trailers = new Promise<http2.IncomingHttpHeaders>((r) => req.once("trailers", r));
    req.end();
    req.resume();
    expect((await trailers)["grpc-status"]).toBe("0");
    expect(goaways).toEqual([]);
    session.close();
    await server.shutdown(100);
  });

  it("pings with no data between them during a call are strikes", async () => {
    const server = new Server({ keepalive: { minPingIntervalMs: 60_000, maxPingStrikes: 2 } }).addService(EchoService, bidi);
    const port = await server.listen();
    const { session, goaways } = await openBidi(port);
    const goaway = new Promise<void>((r) => session.once("goaway", () => r()));
    for (let i = 0; i < 6; i++) await ping(session);
    await goaway;
    expect(goaways[0]).toBe(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    session.destroy();
    await server.shutdown(100);
  });

  it("pings provoked by each DATA frame of a large unary response are excused, even after the call ended", async () => {
    const server = new Server({ keepalive: { minPingIntervalMs: 60_000, maxPingStrikes: 2 } }).addService(EchoService, impl);
    const port = await server.listen();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    const goaways: number[] = [];
    session.on("goaway", (code: number) => goaways.push(code));
    await new Promise<void>((r) => session.once("connect", () => r()));
    const req = session.request({ ...GRPC_HEADERS, ":path": "/test.Echo/Unary" });
    req.on("error", () => {});
    // Like grpc-go's BDP estimator: a ping for every chunk of response data received (300 KB ≈ 19 DATA frames).
    const pings: Promise<void>[] = [];
    req.on("data", () => pings.push(ping(session)));
    const trailers = new Promise<http2.IncomingHttpHeaders>((r) => req.once("trailers", r));
    req.end(encodeEnvelope(EchoMessageCodec.encode(echo({ text: "x".repeat(300_000) })), false));
    expect((await trailers)["grpc-status"]).toBe("0");
    await Promise.all(pings);
    expect(pings.length).toBeGreaterThan(3);
    expect(goaways).toEqual([]);
    session.close();
    await server.shutdown(100);
  });
});
