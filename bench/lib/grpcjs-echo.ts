// bench.Echo loaded for @grpc/grpc-js the way its users do it: @grpc/proto-loader over
// bench/proto/echo.proto (protobufjs underneath).
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

export const ECHO_PROTO = fileURLToPath(new URL("../proto/echo.proto", import.meta.url));

export interface JsPayload {
  body: Buffer;
}
export interface JsStreamRequest {
  count: number;
  size: number;
}
export interface JsStreamSummary {
  count: number;
  bytes: number;
}

export function loadEchoService(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync(ECHO_PROTO, { longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { bench: { Echo: grpc.ServiceClientConstructor } };
  return pkg.bench.Echo;
}

/** Options that keep grpc-js from capping the benchmark's 1 MiB payloads. */
export const GRPCJS_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": 64 << 20,
  "grpc.max_send_message_length": 64 << 20,
};
