// Our contender: bench.Echo on our server (src/server) with the hand-written codecs of
// bench/lib/echo-codec.ts. Prints "LISTENING <port>".
import { Server, defineService } from "../../src/server/index.js";
import { PayloadCodec, StreamRequestCodec, StreamSummaryCodec } from "../lib/echo-codec.js";
import type { Payload } from "../lib/echo-codec.js";

const EchoService = defineService("bench.Echo", {
  Unary: { kind: "unary", requestCodec: PayloadCodec, responseCodec: PayloadCodec },
  ServerStream: { kind: "server_streaming", requestCodec: StreamRequestCodec, responseCodec: PayloadCodec },
  ClientStream: { kind: "client_streaming", requestCodec: PayloadCodec, responseCodec: StreamSummaryCodec },
  Bidi: { kind: "bidi_streaming", requestCodec: PayloadCodec, responseCodec: PayloadCodec },
});

const server = new Server({ maxReceiveMessageSize: 64 << 20 });
server.addService(EchoService, {
  Unary: (request) => request,
  async ServerStream(request, _ctx, out) {
    const msg: Payload = { body: Buffer.alloc(request.size, 0x61) };
    // The documented fast loop (docs/TRANSPORT.md): await a write only when it waits for 'drain'.
    for (let i = 0; i < request.count; i++) {
      const p = out.write(msg);
      if (out.writableNeedDrain) await p;
    }
  },
  async ClientStream(requests) {
    let count = 0;
    let bytes = 0;
    for await (const m of requests) {
      count++;
      bytes += m.body.byteLength;
    }
    return { count, bytes: BigInt(bytes) };
  },
  async Bidi(requests, _ctx, out) {
    for await (const m of requests) {
      const p = out.write(m);
      if (out.writableNeedDrain) await p;
    }
  },
});
const port = await server.listen({ port: Number(process.env.PORT ?? 0) });
process.stdout.write(`LISTENING ${port}\n`);
process.on("SIGTERM", () => {
  void server.forceShutdown().then(() => process.exit(0));
});
