// Implements google.rpc.Status and the google.rpc error details (googleapis google/rpc/status.proto, error_details.proto; proto/google/rpc) and google.protobuf.Any / Empty (protobuf any.proto, empty.proto), which gRPC carries in `grpc-status-details-bin`, declared as field tables.

import type { MessageCodec } from "../codec/codec.js";
import { defineMessage, type MessageOf } from "../codec/message.js";
import { LocalizedMessageCodec } from "./error-details.js";

// ---- google.protobuf.Any ----------------------------------------------------------------------

/** google.protobuf.Any: a message of any type, as its type URL and encoded bytes. */
export const AnyCodec = defineMessage("google.protobuf.Any", [
  { no: 1, name: "type_url", type: "string" }, // "type.googleapis.com/<fully.qualified.Name>"
  { no: 2, name: "value", type: "bytes" },
]);
export type Any = MessageOf<typeof AnyCodec>;

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
export const StatusCodec = defineMessage("google.rpc.Status", [
  { no: 1, name: "code", type: "int32" }, // a gRPC status code (google.rpc.Code)
  { no: 2, name: "message", type: "string" },
  { no: 3, name: "details", type: "message", repeated: true, message: () => AnyCodec },
]);
export type Status = MessageOf<typeof StatusCodec>;

// ---- google.rpc.BadRequest --------------------------------------------------------------------

/** google.rpc.BadRequest.FieldViolation. */
export const FieldViolationCodec = defineMessage("google.rpc.BadRequest.FieldViolation", [
  { no: 1, name: "field", type: "string" }, // path to the offending field, e.g. "email" or "users[2].username"
  { no: 2, name: "description", type: "string" },
  { no: 3, name: "reason", type: "string" },
  { no: 4, name: "localized_message", type: "message", message: () => LocalizedMessageCodec },
]);
export type FieldViolation = MessageOf<typeof FieldViolationCodec>;

/** google.rpc.BadRequest: which request fields were invalid and why. */
export const BadRequestCodec = defineMessage("google.rpc.BadRequest", [
  { no: 1, name: "field_violations", type: "message", repeated: true, message: () => FieldViolationCodec },
]);
export type BadRequest = MessageOf<typeof BadRequestCodec>;

// ---- google.rpc.ErrorInfo ---------------------------------------------------------------------

/** google.rpc.ErrorInfo: a machine-readable reason, its domain, and string metadata. */
export const ErrorInfoCodec = defineMessage("google.rpc.ErrorInfo", [
  { no: 1, name: "reason", type: "string" }, // UPPER_SNAKE_CASE, e.g. "USERNAME_TAKEN"
  { no: 2, name: "domain", type: "string" }, // the service that generated the error, e.g. "user.example.com"
  { no: 3, name: "metadata", type: "map", key: "string", value: "string" }, // null prototype: "__proto__" is a plain key
]);
export type ErrorInfo = MessageOf<typeof ErrorInfoCodec>;

// ---- google.protobuf.Empty --------------------------------------------------------------------

/** google.protobuf.Empty (unknown fields are still kept). */
export const EmptyCodec = defineMessage("google.protobuf.Empty", []);
export type Empty = MessageOf<typeof EmptyCodec>;
