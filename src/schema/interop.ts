// Implements the grpc.testing messages of proto/grpc/testing (gRPC's interop test protos, messages.proto and empty.proto) that TestService uses, declared as field tables.

import { defineMessage, type MessageOf } from "../codec/message.js";

/** grpc.testing.PayloadType */
export const PayloadType = { COMPRESSABLE: 0 } as const;

/** grpc.testing.GrpclbRouteType */
export const GrpclbRouteType = {
  GRPCLB_ROUTE_TYPE_UNKNOWN: 0,
  GRPCLB_ROUTE_TYPE_FALLBACK: 1,
  GRPCLB_ROUTE_TYPE_BACKEND: 2,
} as const;

// Each optional sub-message is `undefined` when absent: BoolValue exists precisely so that
// "unset" differs from "false" (interop-test-descriptions: expect_compressed, response_compressed).

export const EmptyCodec = defineMessage("grpc.testing.Empty", []);
export type Empty = MessageOf<typeof EmptyCodec>;

export const BoolValueCodec = defineMessage("grpc.testing.BoolValue", [{ no: 1, name: "value", type: "bool" }]);
export type BoolValue = MessageOf<typeof BoolValueCodec>;

export const PayloadCodec = defineMessage("grpc.testing.Payload", [
  { no: 1, name: "type", type: "enum", enum: "grpc.testing.PayloadType" },
  { no: 2, name: "body", type: "bytes" }, // decoded: a view into the input (no copy)
]);

export const EchoStatusCodec = defineMessage("grpc.testing.EchoStatus", [
  { no: 1, name: "code", type: "int32" },
  { no: 2, name: "message", type: "string" },
]);
export type EchoStatus = MessageOf<typeof EchoStatusCodec>;

export const SimpleRequestCodec = defineMessage("grpc.testing.SimpleRequest", [
  { no: 1, name: "response_type", type: "enum", enum: "grpc.testing.PayloadType" },
  { no: 2, name: "response_size", type: "int32" },
  { no: 3, name: "payload", type: "message", message: () => PayloadCodec },
  { no: 4, name: "fill_username", type: "bool" },
  { no: 5, name: "fill_oauth_scope", type: "bool" },
  { no: 6, name: "response_compressed", type: "message", message: () => BoolValueCodec },
  { no: 7, name: "response_status", type: "message", message: () => EchoStatusCodec },
  { no: 8, name: "expect_compressed", type: "message", message: () => BoolValueCodec },
  { no: 9, name: "fill_server_id", type: "bool" },
  { no: 10, name: "fill_grpclb_route_type", type: "bool" },
  // orca_per_query_report (11) and later fields are kept in $unknown, not decoded.
]);
export type SimpleRequest = MessageOf<typeof SimpleRequestCodec>;

export const SimpleResponseCodec = defineMessage("grpc.testing.SimpleResponse", [
  { no: 1, name: "payload", type: "message", message: () => PayloadCodec },
  { no: 2, name: "username", type: "string" },
  { no: 3, name: "oauth_scope", type: "string" },
  { no: 4, name: "server_id", type: "string" },
  { no: 5, name: "grpclb_route_type", type: "enum", enum: "grpc.testing.GrpclbRouteType" },
  { no: 6, name: "hostname", type: "string" },
]);
export type SimpleResponse = MessageOf<typeof SimpleResponseCodec>;

export const StreamingInputCallRequestCodec = defineMessage("grpc.testing.StreamingInputCallRequest", [
  { no: 1, name: "payload", type: "message", message: () => PayloadCodec },
  { no: 2, name: "expect_compressed", type: "message", message: () => BoolValueCodec },
]);
export type StreamingInputCallRequest = MessageOf<typeof StreamingInputCallRequestCodec>;

export const StreamingInputCallResponseCodec = defineMessage("grpc.testing.StreamingInputCallResponse", [
  { no: 1, name: "aggregated_payload_size", type: "int32" },
]);
export type StreamingInputCallResponse = MessageOf<typeof StreamingInputCallResponseCodec>;

export const ResponseParametersCodec = defineMessage("grpc.testing.ResponseParameters", [
  { no: 1, name: "size", type: "int32" },
  { no: 2, name: "interval_us", type: "int32" },
  { no: 3, name: "compressed", type: "message", message: () => BoolValueCodec },
  { no: 4, name: "fill_peer_socket_address", type: "message", message: () => BoolValueCodec },
]);
export type ResponseParameters = MessageOf<typeof ResponseParametersCodec>;

export const StreamingOutputCallRequestCodec = defineMessage("grpc.testing.StreamingOutputCallRequest", [
  { no: 1, name: "response_type", type: "enum", enum: "grpc.testing.PayloadType" },
  { no: 2, name: "response_parameters", type: "message", repeated: true, message: () => ResponseParametersCodec },
  { no: 3, name: "payload", type: "message", message: () => PayloadCodec },
  { no: 7, name: "response_status", type: "message", message: () => EchoStatusCodec },
  // orca_oob_report (8) and later fields are kept in $unknown, not decoded.
]);
export type StreamingOutputCallRequest = MessageOf<typeof StreamingOutputCallRequestCodec>;

export const StreamingOutputCallResponseCodec = defineMessage("grpc.testing.StreamingOutputCallResponse", [
  { no: 1, name: "payload", type: "message", message: () => PayloadCodec },
  { no: 2, name: "peer_socket_address", type: "string" },
]);
export type StreamingOutputCallResponse = MessageOf<typeof StreamingOutputCallResponseCodec>;
