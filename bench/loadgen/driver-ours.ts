// Our client (src/client) as a benchmark load generator: one Channel (one HTTP/2 session) per
// connection, codecs from bench/lib/echo-codec.ts.
import { Channel, Client, clientMethod } from "../../src/client/index.js";
import { PayloadCodec, StreamRequestCodec, StreamSummaryCodec } from "../lib/echo-codec.js";
import type { BidiSession, EchoDriver } from "./driver.js";

const Unary = clientMethod("bench.Echo", "Unary", "unary", PayloadCodec, PayloadCodec);
const ServerStream = clientMethod("bench.Echo", "ServerStream", "server_streaming", StreamRequestCodec, PayloadCodec);
const ClientStream = clientMethod("bench.Echo", "ClientStream", "client_streaming", PayloadCodec, StreamSummaryCodec);
const Bidi = clientMethod("bench.Echo", "Bidi", "bidi_streaming", PayloadCodec, PayloadCodec);

export function createDriver(target: string, connections: number): EchoDriver {
  const channels: Channel[] = [];
  const clients: Client[] = [];
  for (let i = 0; i < connections; i++) {
    const ch = new Channel(target, { maxReceiveMessageSize: 64 << 20 });
    channels.push(ch);
    clients.push(new Client(ch));
  }
  return {
    async unary(conn, body) {
      return (await clients[conn].unary(Unary, { body })).body;
    },
    async serverStream(conn, count, size) {
      let messages = 0;
      let bytes = 0;
      for await (const m of clients[conn].serverStreaming(ServerStream, { count, size })) {
        messages++;
        bytes += m.body.byteLength;
      }
      return { messages, bytes };
    },
    async clientStream(conn, count, body) {
      const call = clients[conn].clientStreaming(ClientStream);
      const msg = { body };
      for (let i = 0; i < count; i++) await call.write(msg);
      const res = await call.closeAndRecv();
      return { count: res.count, bytes: Number(res.bytes) };
    },
    bidi(conn): BidiSession {
      const call = clients[conn].bidiStreaming(Bidi);
      const it = call[Symbol.asyncIterator]();
      return {
        async roundTrip(body) {
          await call.write({ body });
          const r = await it.next();
          if (r.done === true) throw new Error("bidi stream ended early");
          return r.value.body;
        },
        async end() {
          call.end();
          while (!(await it.next()).done);
        },
      };
    },
    close() {
      for (const ch of channels) ch.close();
    },
  };
}
