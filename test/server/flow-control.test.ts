import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { Server, type ServiceImplementation } from "../../src/server/index.js";
import { EchoService, echo, grpcJsEchoClient, type EchoMessage, type GrpcJsEchoClient } from "../support/echo-service.js";

const CHUNK = 64 * 1024;
const COUNT = 256; // 16 MiB in all
let written = 0;
let received = 0;

const impl: ServiceImplementation<typeof EchoService> = {
  Unary: (r) => r,
  async ServerStream(_req, _ctx, out) {
    const payload = Buffer.alloc(CHUNK, 1);
    for (let i = 0; i < COUNT; i++) {
      await out.write(echo({ payload, count: i }));
      written++;
    }
  },
  async ClientStream(reqs) {
    for await (const r of reqs) received += r.payload.length;
    return echo({ count: received });
  },
  async Bidi(reqs, _ctx, out) {
    for await (const r of reqs) await out.write(r);
  },
};

let server: Server;
let client: GrpcJsEchoClient;
beforeAll(async () => {
  server = new Server().addService(EchoService, impl);
  const port = await server.listen();
  client = grpcJsEchoClient(`127.0.0.1:${port}`);
});
afterAll(async () => {
  client.close();
  await server.shutdown(500);
});

/** Waits until `read()` stops changing (the writer is blocked on flow control). */
async function settle(read: () => number): Promise<number> {
  let last = -1;
  for (;;) {
    const now = read();
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe("flow control", () => {
  it("a slow reader blocks the server's writes (bounded buffering), and every message arrives once it reads", async () => {
    written = 0;
    const call = client.ServerStream(echo());
    const got: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on("end", resolve);
      call.on("error", reject);
    });
    call.on("data", (m: EchoMessage) => {
      got.push(m.count);
      if (got.length === 1) call.pause();
    });
    await new Promise<void>((r) => {
      const t = setInterval(() => {
        if (got.length > 0) {
          clearInterval(t);
          r();
        }
      }, 10);
    });
    const blockedAt = await settle(() => written);
    // The stream window (64 KiB), the connection window and a few messages of buffers: far below 16 MiB.
    expect(blockedAt * CHUNK).toBeLessThan(4 * 1024 * 1024);
    expect(blockedAt).toBeLessThan(COUNT);
    call.resume();
    await done;
    expect(got).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(written).toBe(COUNT);
  });

  it("receives many megabytes from a client stream", async () => {
    received = 0;
    const res = await new Promise<EchoMessage>((resolve, reject) => {
      const call = client.ClientStream(new grpc.Metadata(), {}, (e, r) => (e ? reject(e) : resolve(r!)));
      const payload = Buffer.alloc(CHUNK, 2);
      let i = 0;
      const pump = (): void => {
        while (i < 128) {
          i++;
          if (!call.write(echo({ payload }))) return void call.once("drain", pump);
        }
        call.end();
      };
      pump();
    });
    expect(res.count).toBe(128 * CHUNK);
  });
});
