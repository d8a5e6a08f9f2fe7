// writeBufferSize: how much a response stream may queue beyond HTTP/2 flow control before write() waits.
import { afterEach, describe, expect, it } from "vitest";
import * as http2 from "node:http2";
import { Server, type ServiceImplementation } from "../../src/server/index.js";
import { EchoService, echo } from "../support/echo-service.js";
import { DEFAULT_WRITE_BUFFER_SIZE } from "../../src/wire/framing.js";
import { settle } from "../support/settle.js";
import { GRPC_HEADERS } from "../support/raw-client.js";

const CHUNK = 64 * 1024;
let written = 0;
const impl: ServiceImplementation<typeof EchoService> = {
  Unary: (r) => r,
  async ServerStream(_req, _ctx, out) {
    const payload = Buffer.alloc(CHUNK, 1);
    for (let i = 0; i < 64; i++) {
      await out.write(echo({ payload, count: i }));
      written++;
    }
  },
  async ClientStream() {
    return echo();
  },
  async Bidi() {},
};

let server: Server | undefined;
afterEach(async () => {
  await server?.forceShutdown();
  server = undefined;
});

/** Starts a server stream from a client whose stream window is 0: nothing can leave the server. */
async function blockedWrites(writeBufferSize?: number): Promise<number> {
  written = 0;
  server = new Server(writeBufferSize === undefined ? {} : { writeBufferSize }).addService(EchoService, impl);
  const port = await server.listen();
  const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: 0 } });
  try {
    const req = session.request({ ...GRPC_HEADERS, ":path": "/test.Echo/ServerStream" });
    const body = Buffer.alloc(5); // an empty request message
    req.end(body);
    const blockedAt = await settle(() => written);
    req.close();
    return blockedAt;
  } finally {
    session.destroy();
  }
}

describe("writeBufferSize", () => {
  it("by default lets a handler queue 256 KiB (three 64 KiB messages) before write() waits", async () => {
    expect(DEFAULT_WRITE_BUFFER_SIZE).toBe(256 * 1024);
    // 3 × (64 KiB + 5) < 256 KiB ≤ 4 × (64 KiB + 5): the 4th write waits for the reader.
    expect(await blockedWrites()).toBe(3);
  });

  it("0 waits for 'drain' after every write that fills node's own buffer", async () => {
    expect(await blockedWrites(0)).toBe(0);
  });

  it("bounds what a reader that never reads makes the server hold", async () => {
    expect(await blockedWrites(1024 * 1024)).toBe(15); // 15 × (64 KiB + 5) < 1 MiB ≤ 16 ×
  });
});
