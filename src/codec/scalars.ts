// Implements protobuf.dev "Encoding" § "Message Structure" (https://protobuf.dev/programming-guides/encoding/#structure): which wire type and which Writer/Reader method each .proto scalar type uses.

import type { ScalarType } from "./fields.js";
import type { Reader } from "./reader.js";
import { WireType } from "./wire-types.js";
import * as sizes from "./writer.js";
import type { Writer } from "./writer.js";

/**
 * How one scalar type goes on the wire. The encoding itself lives in writer.ts and reader.ts; this
 * only picks the method. `size` counts the value (with its length prefix), never the tag;
 * `bound` is an upper bound of `size` that costs nothing to compute (`perUnit` × length added for
 * strings and bytes: 3 bytes per UTF-16 unit, 1 per byte).
 */
export interface ScalarRule {
  readonly wireType: WireType;
  /** The proto3 default. */
  readonly zero: unknown;
  readonly bound: number;
  readonly perUnit: number;
  size(v: never): number;
  write(w: Writer, v: never): void;
  read(r: Reader): unknown;
}

const EMPTY_BYTES = new Uint8Array(0);
const four = (): number => 4;
const eight = (): number => 8;
const one = (): number => 1;

function rule<V>(
  wireType: WireType,
  zero: V,
  bound: number,
  size: (v: V) => number,
  write: (w: Writer, v: V) => void,
  read: (r: Reader) => V,
  perUnit = 0,
): ScalarRule {
  return { wireType, zero, bound, perUnit, size: size as (v: never) => number, write: write as (w: Writer, v: never) => void, read };
}

const { VARINT, I64, LEN, I32 } = WireType;

/** One rule per .proto scalar type (and `enum`, which is an int32 on the wire). */
export const SCALARS: Readonly<Record<ScalarType | "enum", ScalarRule>> = {
  double: rule(I64, 0, 8, eight, (w, v: number) => w.double(v), (r) => r.double()),
  float: rule(I32, 0, 4, four, (w, v: number) => w.float(v), (r) => r.float()),
  int32: rule(VARINT, 0, 10, sizes.sizeInt32, (w, v: number) => w.int32(v), (r) => r.int32()),
  enum: rule(VARINT, 0, 10, sizes.sizeInt32, (w, v: number) => w.int32(v), (r) => r.int32()),
  uint32: rule(VARINT, 0, 5, sizes.sizeUint32, (w, v: number) => w.uint32(v), (r) => r.uint32()),
  sint32: rule(VARINT, 0, 5, sizes.sizeSint32, (w, v: number) => w.sint32(v), (r) => r.sint32()),
  int64: rule(VARINT, 0n, 10, sizes.sizeInt64, (w, v: bigint) => w.int64(v), (r) => r.int64()),
  uint64: rule(VARINT, 0n, 10, sizes.sizeUint64, (w, v: bigint) => w.uint64(v), (r) => r.uint64()),
  sint64: rule(VARINT, 0n, 10, sizes.sizeSint64, (w, v: bigint) => w.sint64(v), (r) => r.sint64()),
  fixed32: rule(I32, 0, 4, four, (w, v: number) => w.fixed32(v), (r) => r.fixed32()),
  sfixed32: rule(I32, 0, 4, four, (w, v: number) => w.sfixed32(v), (r) => r.sfixed32()),
  fixed64: rule(I64, 0n, 8, eight, (w, v: bigint) => w.fixed64(v), (r) => r.fixed64()),
  sfixed64: rule(I64, 0n, 8, eight, (w, v: bigint) => w.sfixed64(v), (r) => r.sfixed64()),
  bool: rule(VARINT, false, 1, one, (w, v: boolean) => w.bool(v), (r) => r.bool()),
  string: rule(LEN, "", 5, sizes.sizeString, (w, v: string) => w.string(v), (r) => r.string(), 3),
  bytes: rule(LEN, EMPTY_BYTES, 5, sizes.sizeBytes, (w, v: Uint8Array) => w.bytes(v), (r) => r.bytes(), 1),
};
