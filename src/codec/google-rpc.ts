// Implements the google.rpc.Status / google.protobuf.Any / google.rpc error-detail messages (googleapis google/rpc/status.proto, error_details.proto; protobuf any.proto, empty.proto) that gRPC carries in `grpc-status-details-bin`.

import { defineCodec } from "./codec.js";
import type { Codec, MessageCodec } from "./codec.js";
import type { Reader } from "./reader.js";
import { sizeBytes, sizeInt32, sizeMessage, sizeString, sizeVarint32 } from "./writer.js";
import type { Writer } from "./writer.js";
import { WireType } from "./wire-types.js";

const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

// ---- google.protobuf.Any ----------------------------------------------------------------------

/** google.protobuf.Any: a message of any type, as its type URL and encoded bytes. */
export interface Any {
  /** "type.googleapis.com/<fully.qualified.Name>" */
  typeUrl: string;
  value: Uint8Array;
  $unknown?: Uint8Array;
}

export const AnyCodec: Codec<Any> = defineCodec<Any>({
  typeName: "google.protobuf.Any",
  create: (init) => ({ typeUrl: "", value: EMPTY_BYTES, ...init }),
  size(m) {
    let n = 0;
    if (m.typeUrl) n += 1 + sizeString(m.typeUrl);
    if (m.value && m.value.byteLength) n += 1 + sizeBytes(m.value);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.typeUrl) w.tag(1, WireType.LEN).string(m.typeUrl);
    if (m.value && m.value.byteLength) w.tag(2, WireType.LEN).bytes(m.value);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: Any = { typeUrl: "", value: EMPTY_BYTES };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | WireType.LEN:
          m.typeUrl = r.string();
          break;
        case (2 << 3) | WireType.LEN:
          m.value = r.bytes();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

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

export const StatusCodec: Codec<Status> = defineCodec<Status>({
  typeName: "google.rpc.Status",
  create: (init) => ({ code: 0, message: "", details: [], ...init }),
  size(m) {
    let n = 0;
    if (m.code) n += 1 + sizeInt32(m.code);
    if (m.message) n += 1 + sizeString(m.message);
    const details = m.details;
    if (details) for (let i = 0; i < details.length; i++) n += 1 + sizeMessage(AnyCodec, details[i]);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.code) w.tag(1, WireType.VARINT).int32(m.code);
    if (m.message) w.tag(2, WireType.LEN).string(m.message);
    const details = m.details;
    if (details) for (let i = 0; i < details.length; i++) w.tag(3, WireType.LEN).message(AnyCodec, details[i]);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: Status = { code: 0, message: "", details: [] };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | WireType.VARINT:
          m.code = r.int32();
          break;
        case (2 << 3) | WireType.LEN:
          m.message = r.string();
          break;
        case (3 << 3) | WireType.LEN:
          m.details.push(r.message(AnyCodec));
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- google.rpc.BadRequest --------------------------------------------------------------------

/** google.rpc.BadRequest.FieldViolation (fields 1 and 2; later fields are kept as unknown). */
export interface FieldViolation {
  /** Path to the offending field, e.g. "email" or "users[2].username". */
  field: string;
  description: string;
  $unknown?: Uint8Array;
}

export const FieldViolationCodec: Codec<FieldViolation> = defineCodec<FieldViolation>({
  typeName: "google.rpc.BadRequest.FieldViolation",
  create: (init) => ({ field: "", description: "", ...init }),
  size(m) {
    let n = 0;
    if (m.field) n += 1 + sizeString(m.field);
    if (m.description) n += 1 + sizeString(m.description);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.field) w.tag(1, WireType.LEN).string(m.field);
    if (m.description) w.tag(2, WireType.LEN).string(m.description);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: FieldViolation = { field: "", description: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | WireType.LEN:
          m.field = r.string();
          break;
        case (2 << 3) | WireType.LEN:
          m.description = r.string();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

/** google.rpc.BadRequest: which request fields were invalid and why. */
export interface BadRequest {
  fieldViolations: FieldViolation[];
  $unknown?: Uint8Array;
}

export const BadRequestCodec: Codec<BadRequest> = defineCodec<BadRequest>({
  typeName: "google.rpc.BadRequest",
  create: (init) => ({ fieldViolations: [], ...init }),
  size(m) {
    let n = 0;
    const v = m.fieldViolations;
    if (v) for (let i = 0; i < v.length; i++) n += 1 + sizeMessage(FieldViolationCodec, v[i]);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    const v = m.fieldViolations;
    if (v) for (let i = 0; i < v.length; i++) w.tag(1, WireType.LEN).message(FieldViolationCodec, v[i]);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: BadRequest = { fieldViolations: [] };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === ((1 << 3) | WireType.LEN)) m.fieldViolations.push(r.message(FieldViolationCodec));
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
});

// ---- google.rpc.ErrorInfo ---------------------------------------------------------------------

/** google.rpc.ErrorInfo: a machine-readable reason, its domain, and string metadata. */
export interface ErrorInfo {
  /** UPPER_SNAKE_CASE reason, e.g. "USERNAME_TAKEN". */
  reason: string;
  /** The service that generated the error, e.g. "user.example.com". */
  domain: string;
  metadata: Record<string, string>;
  $unknown?: Uint8Array;
}

// A map<string,string> entry is an embedded message { string key = 1; string value = 2; }
// (protobuf.dev "Encoding" § "Maps"). Both are always written, as protoc-generated code does.
function sizeMapEntry(key: string, value: string): number {
  const n = 1 + sizeString(key) + 1 + sizeString(value);
  return sizeVarint32(n) + n;
}

function writeMapEntry(w: Writer, key: string, value: string): void {
  w.uint32(1 + sizeString(key) + 1 + sizeString(value));
  w.tag(1, WireType.LEN).string(key);
  w.tag(2, WireType.LEN).string(value);
}

function readMapEntry(r: Reader, into: Record<string, string>): void {
  const len = r.length();
  const parentEnd = r.end;
  r.end = r.pos + len;
  let key = "";
  let value = "";
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | WireType.LEN)) key = r.string();
    else if (tag === ((2 << 3) | WireType.LEN)) value = r.string();
    else r.skip(tag);
  }
  r.end = parentEnd;
  into[key] = value;
}

/** An empty map with no prototype, so keys like "__proto__" are plain keys. */
function emptyMap(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

export const ErrorInfoCodec: Codec<ErrorInfo> = defineCodec<ErrorInfo>({
  typeName: "google.rpc.ErrorInfo",
  create: (init) => ({ reason: "", domain: "", metadata: emptyMap(), ...init }),
  size(m) {
    let n = 0;
    if (m.reason) n += 1 + sizeString(m.reason);
    if (m.domain) n += 1 + sizeString(m.domain);
    const md = m.metadata;
    if (md) for (const k in md) n += 1 + sizeMapEntry(k, md[k]);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.reason) w.tag(1, WireType.LEN).string(m.reason);
    if (m.domain) w.tag(2, WireType.LEN).string(m.domain);
    const md = m.metadata;
    if (md) for (const k in md) writeMapEntry(w.tag(3, WireType.LEN), k, md[k]);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ErrorInfo = { reason: "", domain: "", metadata: emptyMap() };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | WireType.LEN:
          m.reason = r.string();
          break;
        case (2 << 3) | WireType.LEN:
          m.domain = r.string();
          break;
        case (3 << 3) | WireType.LEN:
          readMapEntry(r, m.metadata);
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- google.protobuf.Empty --------------------------------------------------------------------

/** google.protobuf.Empty (unknown fields are still kept). */
export interface Empty {
  $unknown?: Uint8Array;
}

export const EmptyCodec: Codec<Empty> = defineCodec<Empty>({
  typeName: "google.protobuf.Empty",
  create: (init) => ({ ...init }),
  size: (m) => (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: Empty = {};
    while (r.pos < r.end) m.$unknown = r.unknown(r.tag(), m.$unknown);
    return m;
  },
});
