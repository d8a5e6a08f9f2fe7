// grpc-js contender: bench.Echo on @grpc/grpc-js with @grpc/proto-loader, written the way the
// grpc-js examples write servers. Prints "LISTENING <port>".
import * as grpc from "@grpc/grpc-js";
import { loadEchoService, GRPCJS_OPTIONS } from "../lib/grpcjs-echo.js";
import type { JsPayload, JsStreamRequest, JsStreamSummary } from "../lib/grpcjs-echo.js";

const Echo = loadEchoService();
const server = new grpc.Server(GRPCJS_OPTIONS);
server.addService(Echo.service, {
  Unary(call: grpc.ServerUnaryCall<JsPayload, JsPayload>, callback: grpc.sendUnaryData<JsPayload>) {
    callback(null, call.request);
  },
  ServerStream(call: grpc.ServerWritableStream<JsStreamRequest, JsPayload>) {
    const { count, size } = call.request;
    const msg: JsPayload = { body: Buffer.alloc(size, 0x61) };
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
  },
  ClientStream(call: grpc.ServerReadableStream<JsPayload, JsStreamSummary>, callback: grpc.sendUnaryData<JsStreamSummary>) {
    let count = 0;
    let bytes = 0;
    call.on("data", (m: JsPayload) => {
      count++;
      bytes += m.body.length;
    });
    call.on("end", () => callback(null, { count, bytes }));
  },
  Bidi(call: grpc.ServerDuplexStream<JsPayload, JsPayload>) {
    call.on("data", (m: JsPayload) => call.write(m));
    call.on("end", () => call.end());
  },
});
server.bindAsync(`127.0.0.1:${process.env.PORT ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  process.stdout.write(`LISTENING ${port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
