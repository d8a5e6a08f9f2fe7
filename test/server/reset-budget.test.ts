// An honest client that cancels many calls on one connection: nghttp2's reset rate limit (1,000, then
// 33/s) would end the connection with GOAWAY(INTERNAL_ERROR) under its other calls; the server drains
// it gracefully first (connection.ts countPeerReset), so calls in flight finish (docs/RELIABILITY.md "Soak").

import { describe, expect, it } from "vitest";
import { Channel, Client, clientMethods } from "../../src/client/index.js";
import { Server, type ServiceImplementation } from "../../src/server/index.js";
import { Status } from "../../src/wire/status.js";
import { EchoService, echo } from "../support/echo-service.js";

const M = clientMethods(EchoService);

describe("reset budget", () => {
  it("2,000 cancelled calls on one channel: the connection is drained, not killed; a bidi call open throughout ends OK", async () => {
    const impl: ServiceImplementation<typeof EchoService> = {
      Unary: (req) => req,
      // One message, then wait for the client's cancel.
      async ServerStream(_req, ctx, call) {
        await call.write(echo({ text: "first" }));
        await new Promise<void>((r) => (ctx.signal.aborted ? r() : ctx.signal.addEventListener("abort", () => r())));
      },
      ClientStream: async () => echo(),
      async Bidi(reqs, _ctx, call) {
        for await (const m of reqs) await call.write(m);
      },
    };
    const server = new Server().addService(EchoService, impl);
    const port = await server.listen();
    const channel = new Channel(`127.0.0.1:${port}`);
    const client = new Client(channel);
    try {
      const bidi = client.bidiStreaming(M.Bidi);
      const echoes: string[] = [];
      const reading = (async () => {
        for await (const m of bidi) echoes.push(m.text);
      })();
      await bidi.write(echo({ text: "before" }));

      const CANCELS = 2_000; // twice nghttp2's reset burst
      const codes = new Map<number, number>();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < CANCELS) {
          next++;
          const call = client.serverStreaming(M.ServerStream, echo());
          try {
            for await (const _m of call) break; // the first message, then cancel (RST_STREAM CANCEL)
            codes.set(Status.CANCELLED, (codes.get(Status.CANCELLED) ?? 0) + 1);
          } catch (err) {
            const code = (err as { code: number }).code;
            codes.set(code, (codes.get(code) ?? 0) + 1);
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));

      await bidi.write(echo({ text: "after" }));
      bidi.end();
      await reading;
      expect(Object.fromEntries(codes)).toEqual({ [Status.CANCELLED]: CANCELS });
      expect(echoes).toEqual(["before", "after"]);
      // The server keeps serving on a fresh connection.
      expect((await client.unary(M.Unary, echo({ text: "still here" }))).text).toBe("still here");
    } finally {
      channel.close();
      await server.forceShutdown();
    }
  }, 120_000);
});
