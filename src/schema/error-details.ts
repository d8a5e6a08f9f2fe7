// Implements the google.rpc error details of googleapis google/rpc/error_details.proto (proto/google/rpc) that google-rpc.ts does not, and google.protobuf.Duration (protobuf duration.proto), declared as field tables so reflection can describe those files without parsing them.

import { defineMessage } from "../codec/message.js";

export interface Duration { seconds: bigint; nanos: number; $unknown?: Uint8Array }
export const DurationCodec = defineMessage<Duration>("google.protobuf.Duration", [
  { no: 1, name: "seconds", type: "int64" },
  { no: 2, name: "nanos", type: "int32" },
]);

export interface LocalizedMessage { locale: string; message: string; $unknown?: Uint8Array }
export const LocalizedMessageCodec = defineMessage<LocalizedMessage>("google.rpc.LocalizedMessage", [
  { no: 1, name: "locale", type: "string" },
  { no: 2, name: "message", type: "string" },
]);

export interface RetryInfo { retryDelay?: Duration; $unknown?: Uint8Array }
export const RetryInfoCodec = defineMessage<RetryInfo>("google.rpc.RetryInfo", [
  { no: 1, name: "retry_delay", type: "message", message: () => DurationCodec },
]);

export interface DebugInfo { stackEntries: string[]; detail: string; $unknown?: Uint8Array }
export const DebugInfoCodec = defineMessage<DebugInfo>("google.rpc.DebugInfo", [
  { no: 1, name: "stack_entries", type: "string", repeated: true },
  { no: 2, name: "detail", type: "string" },
]);

export interface QuotaViolation { subject: string; description: string; $unknown?: Uint8Array }
export const QuotaViolationCodec = defineMessage<QuotaViolation>("google.rpc.QuotaFailure.Violation", [
  { no: 1, name: "subject", type: "string" },
  { no: 2, name: "description", type: "string" },
]);
export interface QuotaFailure { violations: QuotaViolation[]; $unknown?: Uint8Array }
export const QuotaFailureCodec = defineMessage<QuotaFailure>("google.rpc.QuotaFailure", [
  { no: 1, name: "violations", type: "message", repeated: true, message: () => QuotaViolationCodec },
]);

export interface PreconditionViolation { type: string; subject: string; description: string; $unknown?: Uint8Array }
export const PreconditionViolationCodec = defineMessage<PreconditionViolation>("google.rpc.PreconditionFailure.Violation", [
  { no: 1, name: "type", type: "string" },
  { no: 2, name: "subject", type: "string" },
  { no: 3, name: "description", type: "string" },
]);
export interface PreconditionFailure { violations: PreconditionViolation[]; $unknown?: Uint8Array }
export const PreconditionFailureCodec = defineMessage<PreconditionFailure>("google.rpc.PreconditionFailure", [
  { no: 1, name: "violations", type: "message", repeated: true, message: () => PreconditionViolationCodec },
]);

export interface RequestInfo { requestId: string; servingData: string; $unknown?: Uint8Array }
export const RequestInfoCodec = defineMessage<RequestInfo>("google.rpc.RequestInfo", [
  { no: 1, name: "request_id", type: "string" },
  { no: 2, name: "serving_data", type: "string" },
]);

export interface ResourceInfo { resourceType: string; resourceName: string; owner: string; description: string; $unknown?: Uint8Array }
export const ResourceInfoCodec = defineMessage<ResourceInfo>("google.rpc.ResourceInfo", [
  { no: 1, name: "resource_type", type: "string" },
  { no: 2, name: "resource_name", type: "string" },
  { no: 3, name: "owner", type: "string" },
  { no: 4, name: "description", type: "string" },
]);

export interface HelpLink { description: string; url: string; $unknown?: Uint8Array }
export const HelpLinkCodec = defineMessage<HelpLink>("google.rpc.Help.Link", [
  { no: 1, name: "description", type: "string" },
  { no: 2, name: "url", type: "string" },
]);
export interface Help { links: HelpLink[]; $unknown?: Uint8Array }
export const HelpCodec = defineMessage<Help>("google.rpc.Help", [
  { no: 1, name: "links", type: "message", repeated: true, message: () => HelpLinkCodec },
]);
