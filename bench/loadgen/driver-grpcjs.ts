// The @grpc/grpc-js client as a benchmark load generator (proto-loader codecs, one channel per
// connection: distinct options keep grpc-js from sharing one subchannel between them).
import * as grpc from "@grpc/grpc-js";
import { loadEchoService, GRPCJS_OPTIONS } from "../lib/grpcjs-echo.js";
import type { JsPayload, JsStreamSummary } from "../lib/grpcjs-echo.js";
import type { BidiSession, EchoDriver } from "./driver.js";

interface EchoClient extends grpc.Client {
  Unary(req: JsPayload, cb: (err: grpc.ServiceError | null, res?: JsPayload) => void): grpc.ClientUnaryCall;
  ServerStream(req: { count: number; size: number }): grpc.ClientReadableStream<JsPayload>;
  ClientStream(cb: (err: grpc.ServiceError | null, res?: JsStreamSummary) => void): grpc.ClientWritableStream<JsPayload>;
  Bidi(): grpc.ClientDuplexStream<JsPayload, JsPayload>;
}

export function createDriver(target: string, connections: number): EchoDriver {
  const Echo = loadEchoService();
  const clients: EchoClient[] = [];
  for (let i = 0; i < connections; i++) {
    clients.push(
      new Echo(target, grpc.credentials.createInsecure(), {
        ...GRPCJS_OPTIONS,
        "grpc.use_local_subchannel_pool": 1,
        "bench.connection": i,
      }) as unknown as EchoClient,
    );
  }
  return {
    unary(conn, body) {
      return new Promise((resolve, reject) => {
        clients[conn].Unary({ body: body as Buffer }, (err, res) => (err ? reject(err) : resolve(res!.body)));
      });
    },
    serverStream(conn, count, size) {
      return new Promise((resolve, reject) => {
        let messages = 0;
        let bytes = 0;
        const call = clients[conn].ServerStream({ count, size });
        call.on("data", (m: JsPayload) => {
          messages++;
          bytes += m.body.length;
        });
        call.on("error", reject);
        call.on("end", () => resolve({ messages, bytes }));
      });
    },
    clientStream(conn, count, body) {
      return new Promise((resolve, reject) => {
        const call = clients[conn].ClientStream((err, res) => (err ? reject(err) : resolve({ count: res!.count, bytes: Number(res!.bytes) })));
        const msg: JsPayload = { body: body as Buffer };
        let i = 0;
        const pump = (): void => {
          while (i < count) {
            i++;
            if (!call.write(msg)) {
              call.once("drain", pump);
              return;
            }
          }
          call.end();
        };
        pump();
      });
    },
    bidi(conn): BidiSession {
      const call = clients[conn].Bidi();
      const waiting: Array<{ resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }> = [];
      call.on("data", (m: JsPayload) => waiting.shift()?.resolve(m.body));
      call.on("error", (e) => {
        for (const w of waiting.splice(0)) w.reject(e);
      });
      return {
        roundTrip(body) {
          return new Promise((resolve, reject) => {
            waiting.push({ resolve, reject });
            call.write({ body: body as Buffer });
          });
        },
        end() {
          return new Promise((resolve) => {
            call.on("end", () => resolve());
            call.on("error", () => resolve());
            call.end();
          });
        },
      };
    },
    close() {
      for (const c of clients) c.close();
    },
  };
}
