import { describe, expect, it } from "vitest";
import * as http2 from "node:http2";
import { Server, type ServiceImplementation } from "../../src/server/index.js";
import { EchoService, echo } from "../support/echo-service.js";

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
