// The messages of bench/proto/echo.proto, declared as field tables (src/codec/message.ts, docs/CODEC.md)
// like every other message; used by our server and client in the benchmark.
import { defineMessage } from "../../src/codec/index.js";

export interface Payload {
  body: Uint8Array;
}
export interface StreamRequest {
  count: number;
  size: number;
}
export interface StreamSummary {
  count: number;
  bytes: bigint;
}

export const PayloadCodec = defineMessage<Payload>("bench.Payload", [{ no: 1, name: "body", type: "bytes" }]);

export const StreamRequestCodec = defineMessage<StreamRequest>("bench.StreamRequest", [
  { no: 1, name: "count", type: "int32" },
  { no: 2, name: "size", type: "int32" },
]);

export const StreamSummaryCodec = defineMessage<StreamSummary>("bench.StreamSummary", [
  { no: 1, name: "count", type: "int32" },
  { no: 2, name: "bytes", type: "int64" },
]);
