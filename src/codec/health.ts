// Implements the messages of grpc/grpc doc/health-checking.md (package grpc.health.v1, proto/grpc/health/v1/health.proto) on protobuf.dev "Encoding".

import { defineCodec, type Codec } from "./codec.js";
import type { Reader } from "./reader.js";
import { WireType } from "./wire-types.js";
import { sizeInt32, sizeString, sizeTag, type Writer } from "./writer.js";

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
export interface HealthCheckRequest {
  /** Fully-qualified service name; "" means the whole server. */
  service: string;
  $unknown?: Uint8Array;
}

/** grpc.health.v1.HealthCheckResponse */
export interface HealthCheckResponse {
  status: ServingStatus;
  $unknown?: Uint8Array;
}

const TAG_SERVICE = (1 << 3) | WireType.LEN;
const TAG_STATUS = (1 << 3) | WireType.VARINT;

export const HealthCheckRequestCodec: Codec<HealthCheckRequest> = defineCodec<HealthCheckRequest>({
  typeName: "grpc.health.v1.HealthCheckRequest",
  create: (init) => ({ service: "", ...init }),
  size(m) {
    return (m.service !== "" ? sizeTag(1) + sizeString(m.service) : 0) + (m.$unknown?.byteLength ?? 0);
  },
  write(m: HealthCheckRequest, w: Writer) {
    if (m.service !== "") w.uint32(TAG_SERVICE).string(m.service);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r: Reader) {
    const m: HealthCheckRequest = { service: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === TAG_SERVICE) m.service = r.string();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
});

export const HealthCheckResponseCodec: Codec<HealthCheckResponse> = defineCodec<HealthCheckResponse>({
  typeName: "grpc.health.v1.HealthCheckResponse",
  create: (init) => ({ status: ServingStatus.UNKNOWN, ...init }),
  size(m) {
    return (m.status !== 0 ? sizeTag(1) + sizeInt32(m.status) : 0) + (m.$unknown?.byteLength ?? 0);
  },
  write(m: HealthCheckResponse, w: Writer) {
    if (m.status !== 0) w.uint32(TAG_STATUS).int32(m.status);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r: Reader) {
    const m: HealthCheckResponse = { status: ServingStatus.UNKNOWN };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === TAG_STATUS) m.status = r.int32();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
});
