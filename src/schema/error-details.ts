// Implements the google.rpc error details of googleapis google/rpc/error_details.proto (proto/google/rpc) that google-rpc.ts does not, and google.protobuf.Duration (protobuf duration.proto), declared as field tables so reflection can describe those files without parsing them.

import { defineMessage } from "../codec/message.js";

export const DurationCodec = defineMessage("google.protobuf.Duration", [
  { no: 1, name: "seconds", type: "int64" },
  { no: 2, name: "nanos", type: "int32" },
]);

export const LocalizedMessageCodec = defineMessage("google.rpc.LocalizedMessage", [
  { no: 1, name: "locale", type: "string" },
  { no: 2, name: "message", type: "string" },
]);

export const RetryInfoCodec = defineMessage("google.rpc.RetryInfo", [
  { no: 1, name: "retry_delay", type: "message", message: () => DurationCodec },
]);

export const DebugInfoCodec = defineMessage("google.rpc.DebugInfo", [
  { no: 1, name: "stack_entries", type: "string", repeated: true },
  { no: 2, name: "detail", type: "string" },
]);

export const QuotaViolationCodec = defineMessage("google.rpc.QuotaFailure.Violation", [
  { no: 1, name: "subject", type: "string" },
  { no: 2, name: "description", type: "string" },
]);

export const QuotaFailureCodec = defineMessage("google.rpc.QuotaFailure", [
  { no: 1, name: "violations", type: "message", repeated: true, message: () => QuotaViolationCodec },
]);

export const PreconditionViolationCodec = defineMessage("google.rpc.PreconditionFailure.Violation", [
  { no: 1, name: "type", type: "string" },
  { no: 2, name: "subject", type: "string" },
  { no: 3, name: "description", type: "string" },
]);

export const PreconditionFailureCodec = defineMessage("google.rpc.PreconditionFailure", [
  { no: 1, name: "violations", type: "message", repeated: true, message: () => PreconditionViolationCodec },
]);

export const RequestInfoCodec = defineMessage("google.rpc.RequestInfo", [
  { no: 1, name: "request_id", type: "string" },
  { no: 2, name: "serving_data", type: "string" },
]);

export const ResourceInfoCodec = defineMessage("google.rpc.ResourceInfo", [
  { no: 1, name: "resource_type", type: "string" },
  { no: 2, name: "resource_name", type: "string" },
  { no: 3, name: "owner", type: "string" },
  { no: 4, name: "description", type: "string" },
]);

export const HelpLinkCodec = defineMessage("google.rpc.Help.Link", [
  { no: 1, name: "description", type: "string" },
  { no: 2, name: "url", type: "string" },
]);

export const HelpCodec = defineMessage("google.rpc.Help", [
  { no: 1, name: "links", type: "message", repeated: true, message: () => HelpLinkCodec },
]);
