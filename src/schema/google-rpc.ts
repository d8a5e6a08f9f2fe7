// Implements google.rpc.Status and the google.rpc error details (googleapis google/rpc/status.proto, error_details.proto; proto/google/rpc) and google.protobuf.Any / Empty (protobuf any.proto, empty.proto), which gRPC carries in `grpc-status-details-bin`, declared as field tables.

import type { MessageCodec } from "../codec/codec.js";
import { defineMessage } from "../codec/message.js";
import { LocalizedMessageCodec, type LocalizedMessage } from "./error-details.js";

// ---- google.protobuf.Any ----------------------------------------------------------------------

/** google.protobuf.Any: a message of any type, as its type URL and encoded bytes. */
export interface Any {
  /** "type.googleapis.com/<fully.qualified.Name>" */
  typeUrl: string;
  value: Uint8Array;
  $unknown?: Uint8Array;
}

export const AnyCodec = defineMessage<Any>("google.protobuf.Any", [
  { no: 1, name: "type_url", type: "string" },
  { no: 2, name: "value", type: "bytes" },
]);

/** The type URL prefix gRPC and the googleapis use. */
export const TYPE_URL_PREFIX = "type.googleapis.com/";

/** Wraps `message` in an Any: `type.googleapis.com/<codec.typeName>` plus its encoding. */
export function packAny<T>(codec: MessageCodec<T>, message: T): Any {
  return { typeUrl: TYPE_URL_PREFIX + codec.typeName, value: codec.encode(message) };
}

/** True when `any` holds a `codec.typeName` (only the part after the last "/" counts, per any.proto). */
export function anyIs(codec: MessageCodec<unknown>, any: Any): boolean {
  const url = any.typeUrl;
  return url.slice(url.lastIndexOf("/") + 1) === codec.typeName;
}

/** Decodes `any` with `codec` when it holds that type; `undefined` when it holds another one.
 *  Throws CodecError when it claims the type but the bytes are malformed. */
export function unpackAny<T>(codec: MessageCodec<T>, any: Any): T | undefined {
  return anyIs(codec as MessageCodec<unknown>, any) ? codec.decode(any.value) : undefined;
}

// ---- google.rpc.Status ------------------------------------------------------------------------

/** google.rpc.Status: the rich error model carried in `grpc-status-details-bin`. */
export interface Status {
  /** A gRPC status code (google.rpc.Code). */
  code: number;
  message: string;
  details: Any[];
  $unknown?: Uint8Array;
}

export const StatusCodec = defineMessage<Status>("google.rpc.Status", [
  { no: 1, name: "code", type: "int32" },
  { no: 2, name: "message", type: "string" },
  { no: 3, name: "details", type: "message", repeated: true, message: () => AnyCodec },
]);

// ---- google.rpc.BadRequest --------------------------------------------------------------------

/** google.rpc.BadRequest.FieldViolation. */
export interface FieldViolation {
  /** Path to the offending field, e.g. "email" or "users[2].username". */
  field: string;
  description: string;
  /** Optional in TypeScript so senders may leave it out; decoding fills "" as for any proto3 string. */
  reason?: string;
  localizedMessage?: LocalizedMessage;
  $unknown?: Uint8Array;
}

export const FieldViolationCodec = defineMessage<FieldViolation>("google.rpc.BadRequest.FieldViolation", [
  { no: 1, name: "field", type: "string" },
  { no: 2, name: "description", type: "string" },
  { no: 3, name: "reason", type: "string" },
  { no: 4, name: "localized_message", type: "message", message: () => LocalizedMessageCodec },
]);

/** google.rpc.BadRequest: which request fields were invalid and why. */
export interface BadRequest {
  fieldViolations: FieldViolation[];
  $unknown?: Uint8Array;
}

export const BadRequestCodec = defineMessage<BadRequest>("google.rpc.BadRequest", [
  { no: 1, name: "field_violations", type: "message", repeated: true, message: () => FieldViolationCodec },
]);

// ---- google.rpc.ErrorInfo ---------------------------------------------------------------------

/** google.rpc.ErrorInfo: a machine-readable reason, its domain, and string metadata. */
export interface ErrorInfo {
  /** UPPER_SNAKE_CASE reason, e.g. "USERNAME_TAKEN". */
  reason: string;
  /** The service that generated the error, e.g. "user.example.com". */
  domain: string;
  /** A null-prototype object, so keys like "__proto__" are plain keys. */
  metadata: Record<string, string>;
  $unknown?: Uint8Array;
}

export const ErrorInfoCodec = defineMessage<ErrorInfo>("google.rpc.ErrorInfo", [
  { no: 1, name: "reason", type: "string" },
  { no: 2, name: "domain", type: "string" },
  { no: 3, name: "metadata", type: "map", key: "string", value: "string" },
]);

// ---- google.protobuf.Empty --------------------------------------------------------------------

/** google.protobuf.Empty (unknown fields are still kept). */
export interface Empty {
  $unknown?: Uint8Array;
}

export const EmptyCodec = defineMessage<Empty>("google.protobuf.Empty", []);
