// Test helpers: protobufjs as the oracle, and fast-check arbitraries shared by the codec tests.

import fc from "fast-check";
import protobuf from "protobufjs";

/** proto/user.proto, plus a "v2" User with extra fields of every wire type (for unknown fields). */
export const userRoot = protobuf.loadSync("proto/user.proto");
protobuf.parse(
  `
    syntax = "proto3";
    package userv2;
    message User {
      string id = 1; string username = 2; string email = 3; string full_name = 4;
      int32 role = 5; int64 created_at = 6; int64 updated_at = 7;
      fixed64 f8 = 8; fixed32 f9 = 9; bytes f10 = 10; sint64 f11 = 11; repeated int32 f12 = 12;
      string f200 = 200;
    }
  `,
  userRoot,
);
userRoot.resolveAll();

/** The google.rpc / google.protobuf messages, written out from their public .proto files. */
export const googleRoot = protobuf.parse(`
  syntax = "proto3";
  package google.rpc;
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message FieldViolation { string field = 1; string description = 2; string reason = 3; }
  message BadRequest { repeated FieldViolation field_violations = 1; }
  message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
  message Empty {}
`).root;
googleRoot.resolveAll();

export function pbType(root: protobuf.Root, name: string): protobuf.Type {
  return root.lookupType(name);
}

/** A protobufjs-decoded message as plain data: int64 as decimal strings, bytes as number[],
 *  enums as numbers, every field present. */
export function pbToPlain(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), { longs: String, enums: Number, bytes: Array, defaults: true, arrays: true, objects: true });
}

/** One of our messages as the same plain data (bigint → string, Uint8Array → number[], no $unknown). */
export function oursToPlain(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(oursToPlain);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== "$unknown") out[k] = oursToPlain(v);
    return out;
  }
  return value;
}

/** Our message as protobufjs input: bigint → decimal string (protobufjs turns it into a Long). */
export function oursToPbInput(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(oursToPbInput);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== "$unknown") out[k] = oursToPbInput(v);
    return out;
  }
  return value;
}

/** Encodes with protobufjs. Note: protobufjs writes proto3 default values too (legal; we skip them). */
export function pbEncode(type: protobuf.Type, plain: unknown): Uint8Array {
  return type.encode(type.fromObject(oursToPbInput(plain) as Record<string, unknown>)).finish();
}

// ---- arbitraries ------------------------------------------------------------------------------

/** Strings: empty, ASCII, any Unicode scalar values (no lone surrogates), long. */
export const anyString = fc.oneof(
  fc.constant(""),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 10 }),
  fc.string({ unit: "binary", minLength: 100, maxLength: 400 }),
  fc.string({ minLength: 130, maxLength: 300 }),
);

const INT64_EDGES = [0n, 1n, -1n, 127n, 128n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) + 1n, -(2n ** 53n), -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)];

export const int64 = fc.oneof(
  fc.constantFrom(...INT64_EDGES),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: 0n, max: 2n ** 45n }),
);

export const uint64 = fc.oneof(
  fc.constantFrom(0n, 1n, 127n, 128n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

export const int32 = fc.oneof(
  fc.constantFrom(0, 1, -1, 127, 128, 2 ** 31 - 1, -(2 ** 31)),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
);

export const uint32 = fc.oneof(fc.constantFrom(0, 1, 127, 128, 2 ** 32 - 1), fc.nat({ max: 2 ** 32 - 1 }));

/** Every Role value, and unknown enum numbers (kept as they are). */
export const role = fc.oneof(fc.constantFrom(0, 1, 2, 3), int32);

/** The fields of a user.User, each over its whole range (spread into a record to add fields). */
export const userFields = { id: anyString, username: anyString, email: anyString, fullName: anyString, role, createdAt: int64, updatedAt: int64 };

/** Any user.User. */
export const anyUser = fc.record(userFields);

export const bytes = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 128, maxLength: 300 }));

export const NUM_RUNS = 300;
