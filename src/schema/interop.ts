// Implements the grpc.testing messages of proto/grpc/testing (gRPC's interop test protos, messages.proto and empty.proto) that TestService uses, declared as field tables.

import { defineMessage } from "../codec/message.js";

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

export interface Empty {
  $unknown?: Uint8Array;
}

export const EmptyCodec = defineMessage<Empty>("grpc.testing.Empty", []);

export interface BoolValue {
  value: boolean;
  $unknown?: Uint8Array;
}

export const BoolValueCodec = defineMessage<BoolValue>("grpc.testing.BoolValue", [{ no: 1, name: "value", type: "bool" }]);

export interface Payload {
  /** A {@link PayloadType} value. */
  type: number;
  /** A view into the decoded input (no copy). */
  body: Uint8Array;
  $unknown?: Uint8Array;
}

export const PayloadCodec = defineMessage<Payload>("grpc.testing.Payload", [
  { no: 1, name: "type", type: "enum", enum: "grpc.testing.PayloadType" },
  { no: 2, name: "body", type: "bytes" },
]);

export interface EchoStatus {
  code: number;
  message: string;
  $unknown?: Uint8Array;
}

export const EchoStatusCodec = defineMessage<EchoStatus>("grpc.testing.EchoStatus", [
  { no: 1, name: "code", type: "int32" },
  { no: 2, name: "message", type: "string" },
]);

export interface SimpleRequest {
  responseType: number;
  responseSize: number;
  payload?: Payload;
  fillUsername: boolean;
  fillOauthScope: boolean;
  responseCompressed?: BoolValue;
  responseStatus?: EchoStatus;
  expectCompressed?: BoolValue;
  fillServerId: boolean;
  fillGrpclbRouteType: boolean;
  /** orca_per_query_report (11) and later fields are kept here, not decoded. */
  $unknown?: Uint8Array;
}

export const SimpleRequestCodec = defineMessage<SimpleRequest>("grpc.testing.SimpleRequest", [
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
]);

export interface SimpleResponse {
  payload?: Payload;
  username: string;
  oauthScope: string;
  serverId: string;
  /** A {@link GrpclbRouteType} value. */
  grpclbRouteType: number;
  hostname: string;
  $unknown?: Uint8Array;
}

export const SimpleResponseCodec = defineMessage<SimpleResponse>("grpc.testing.SimpleResponse", [
  { no: 1, name: "payload", type: "message", message: () => PayloadCodec },
  { no: 2, name: "username", type: "string" },
  { no: 3, name: "oauth_scope", type: "string" },
  { no: 4, name: "server_id", type: "string" },
  { no: 5, name: "grpclb_route_type", type: "enum", enum: "grpc.testing.GrpclbRouteType" },
  { no: 6, name: "hostname", type: "string" },
]);

export interface StreamingInputCallRequest {
  payload?: Payload;
  expectCompressed?: BoolValue;
  $unknown?: Uint8Array;
}

export const StreamingInputCallRequestCodec = defineMessage<StreamingInputCallRequest>("grpc.testing.StreamingInputCallRequest", [
  { no: 1, name: "payload", type: "message", message: () => PayloadCodec },
  { no: 2, name: "expect_compressed", type: "message", message: () => BoolValueCodec },
]);

export interface StreamingInputCallResponse {
  aggregatedPayloadSize: number;
  $unknown?: Uint8Array;
}

export const StreamingInputCallResponseCodec = defineMessage<StreamingInputCallResponse>("grpc.testing.StreamingInputCallResponse", [
  { no: 1, name: "aggregated_payload_size", type: "int32" },
]);

export interface ResponseParameters {
  size: number;
  intervalUs: number;
  compressed?: BoolValue;
  fillPeerSocketAddress?: BoolValue;
  $unknown?: Uint8Array;
}

export const ResponseParametersCodec = defineMessage<ResponseParameters>("grpc.testing.ResponseParameters", [
  { no: 1, name: "size", type: "int32" },
  { no: 2, name: "interval_us", type: "int32" },
  { no: 3, name: "compressed", type: "message", message: () => BoolValueCodec },
  { no: 4, name: "fill_peer_socket_address", type: "message", message: () => BoolValueCodec },
]);

export interface StreamingOutputCallRequest {
  responseType: number;
  responseParameters: ResponseParameters[];
  payload?: Payload;
  responseStatus?: EchoStatus;
  /** orca_oob_report (8) and later fields are kept here, not decoded. */
  $unknown?: Uint8Array;
}

export const StreamingOutputCallRequestCodec = defineMessage<StreamingOutputCallRequest>("grpc.testing.StreamingOutputCallRequest", [
  { no: 1, name: "response_type", type: "enum", enum: "grpc.testing.PayloadType" },
  { no: 2, name: "response_parameters", type: "message", repeated: true, message: () => ResponseParametersCodec },
  { no: 3, name: "payload", type: "message", message: () => PayloadCodec },
  { no: 7, name: "response_status", type: "message", message: () => EchoStatusCodec },
]);

export interface StreamingOutputCallResponse {
  payload?: Payload;
  peerSocketAddress: string;
  $unknown?: Uint8Array;
}

export const StreamingOutputCallResponseCodec = defineMessage<StreamingOutputCallResponse>("grpc.testing.StreamingOutputCallResponse", [
  { no: 1, name: "payload", type: "message", message: () => PayloadCodec },
  { no: 2, name: "peer_socket_address", type: "string" },
]);
