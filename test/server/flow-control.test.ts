import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import * as http2 from "node:http2";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { EchoMessageCodec } from "../support/echo-service.js";
import { Server, defineService, type ServiceImplementation } from "../../src/server/index.js";
import { settle } from "../support/settle.js";
import { EchoService, echo, grpcJsEchoClient, type EchoMessage, type GrpcJsEchoClient } from "../support/echo-service.js";
import { GRPC_HEADERS } from "../support/raw-client.js";

const CHUNK = 64 * 1024;
const COUNT = 256; // 16 MiB in all
let written = 0;
let received = 0;
let gate: Promise<void> = Promise.resolve();

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
    for await (const r of reqs) {
      received += r.payload.length;
      await gate;
    }
    return echo({ count: received });
  },
  async Bidi(reqs, _ctx, out) {
    for await (const r of reqs) await out.write(r);
  },
};

/** The echo ClientStream again, behind a codec that counts the messages the server decodes. */
let decoded = 0;
const CountingCodec: typeof EchoMessageCodec = {
  ...EchoMessageCodec,
  decode(bytes) {
    decoded++;
    return EchoMessageCodec.decode(bytes);
  },
};
const CountedService = defineService("test.Counted", {
  ClientStream: { kind: "client_streaming", requestCodec: CountingCodec, responseCodec: EchoMessageCodec },
});

let server: Server;
let client: GrpcJsEchoClient;
let port: number;
beforeAll(async () => {
  server = new Server().addService(EchoService, impl).addService(CountedService, { ClientStream: impl.ClientStream });
  port = await server.listen();
  client = grpcJsEchoClient(`127.0.0.1:${port}`);
});
afterAll(async () => {
  client.close();
  await server.shutdown(500);
});

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

  it("a slow handler stops the client's uploads through flow control (bounded server buffering)", async () => {
    received = 0;
    decoded = 0;
    let open!: () => void;
    gate = new Promise<void>((r) => (open = r));
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const req = session.request({ ...GRPC_HEADERS, ":path": "/test.Counted/ClientStream" });
    const frame = encodeEnvelope(EchoMessageCodec.encode(echo({ payload: Buffer.alloc(CHUNK, 3) })), false);
    for (let i = 0; i < COUNT; i++) req.write(frame);
    req.end();
    const accepted = await settle(() => decoded);
    // The handler holds the first message: the queue (16 messages), the stream window and socket
    // buffers bound what the server has taken in, far below the 16 MiB the client wants to send.
    expect(accepted).toBeGreaterThan(1);
    expect(accepted * CHUNK).toBeLessThan(4 * 1024 * 1024);
    const trailers = new Promise<http2.IncomingHttpHeaders>((r) => req.on("trailers", r));
    req.resume();
    open();
    expect((await trailers)["grpc-status"]).toBe("0");
    expect(received).toBe(COUNT * CHUNK);
    session.close();
  });
});
