// Implements the messages of grpc/grpc doc/health-checking.md (package grpc.health.v1, proto/grpc/health/v1/health.proto), declared as field tables.

import { defineMessage, type MessageOf } from "../codec/message.js";

/** grpc.health.v1.HealthCheckResponse.ServingStatus. */
export const ServingStatus = {
  UNKNOWN: 0,
  SERVING: 1,
  NOT_SERVING: 2,
  /** Only sent by Watch, for a service the server does not know. */
  SERVICE_UNKNOWN: 3,
} as const;
/** An enum value; numbers outside {@link ServingStatus} are kept as they are. */
export type ServingStatus = number;

/** grpc.health.v1.HealthCheckRequest */
export const HealthCheckRequestCodec = defineMessage("grpc.health.v1.HealthCheckRequest", [
  { no: 1, name: "service", type: "string" }, // fully-qualified service name; "" means the whole server
]);
export type HealthCheckRequest = MessageOf<typeof HealthCheckRequestCodec>;

/** grpc.health.v1.HealthCheckResponse: `status` is a {@link ServingStatus}. */
export const HealthCheckResponseCodec = defineMessage("grpc.health.v1.HealthCheckResponse", [
  { no: 1, name: "status", type: "enum", enum: "grpc.health.v1.HealthCheckResponse.ServingStatus" },
]);
export type HealthCheckResponse = MessageOf<typeof HealthCheckResponseCodec>;
