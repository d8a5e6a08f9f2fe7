// Tests src/codec/reader.ts and src/codec/writer.ts: every scalar against protobufjs' Writer/Reader,
// size helpers, packed and unpacked repeated scalars.

import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import {
  Reader,
  WireType,
  Writer,
  defineCodec,
  sizeBytes,
  sizeInt32,
  sizeInt64,
  sizeSint32,
  sizeSint64,
  sizeString,
  sizeTag,
  sizeUint32,
  sizeUint64,
  sizeVarint32,
  utf8Length,
} from "../../src/codec/index.js";
import type { Codec } from "../../src/codec/index.js";
import { NUM_RUNS, anyString, bytes, int32, int64, oursToPlain, uint32, uint64 } from "./oracle.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

type PbWriterMethod = (this: protobuf.Writer, v: never) => protobuf.Writer;

interface Scalar<T> {
  name: string;
  arb: fc.Arbitrary<T>;
  write: (w: Writer, v: T) => void;
  read: (r: Reader) => T;
  size: (v: T) => number;
  /** protobufjs' writer method and the value it takes */
  pb: (v: T) => [keyof protobuf.Writer, unknown];
  /** what reading back should give */
  expected?: (v: T) => T;
}

function scalar<T>(s: Scalar<T>): Scalar<unknown> {
  return s as unknown as Scalar<unknown>;
}

const scalars: Scalar<unknown>[] = [
  scalar({ name: "int32", arb: int32, write: (w, v) => w.int32(v), read: (r) => r.int32(), size: sizeInt32, pb: (v) => ["int32", v] }),
  scalar({ name: "uint32", arb: uint32, write: (w, v) => w.uint32(v), read: (r) => r.uint32(), size: sizeUint32, pb: (v) => ["uint32", v] }),
  scalar({ name: "sint32", arb: int32, write: (w, v) => w.sint32(v), read: (r) => r.sint32(), size: sizeSint32, pb: (v) => ["sint32", v] }),
  scalar({ name: "int64", arb: int64, write: (w, v) => w.int64(v), read: (r) => r.int64(), size: sizeInt64, pb: (v) => ["int64", v.toString()] }),
  scalar({ name: "uint64", arb: uint64, write: (w, v) => w.uint64(v), read: (r) => r.uint64(), size: sizeUint64, pb: (v) => ["uint64", v.toString()] }),
  scalar({ name: "sint64", arb: int64, write: (w, v) => w.sint64(v), read: (r) => r.sint64(), size: sizeSint64, pb: (v) => ["sint64", v.toString()] }),
  scalar({ name: "fixed32", arb: uint32, write: (w, v) => w.fixed32(v), read: (r) => r.fixed32(), size: () => 4, pb: (v) => ["fixed32", v] }),
  scalar({ name: "sfixed32", arb: int32, write: (w, v) => w.sfixed32(v), read: (r) => r.sfixed32(), size: () => 4, pb: (v) => ["sfixed32", v] }),
  scalar({ name: "fixed64", arb: uint64, write: (w, v) => w.fixed64(v), read: (r) => r.fixed64(), size: () => 8, pb: (v) => ["fixed64", v.toString()] }),
  scalar({ name: "sfixed64", arb: int64, write: (w, v) => w.sfixed64(v), read: (r) => r.sfixed64(), size: () => 8, pb: (v) => ["sfixed64", v.toString()] }),
  scalar({
    name: "float",
    arb: fc.float(),
    write: (w, v) => w.float(v),
    read: (r) => r.float(),
    size: () => 4,
    pb: (v) => ["float", v],
    expected: (v) => Math.fround(v),
  }),
  scalar({ name: "double", arb: fc.double(), write: (w, v) => w.double(v), read: (r) => r.double(), size: () => 8, pb: (v) => ["double", v] }),
  scalar({ name: "bool", arb: fc.boolean(), write: (w, v) => w.bool(v), read: (r) => r.bool(), size: () => 1, pb: (v) => ["bool", v] }),
  scalar({ name: "string", arb: anyString, write: (w, v) => w.string(v), read: (r) => r.string(), size: sizeString, pb: (v) => ["string", v] }),
  scalar({
    name: "bytes",
    arb: bytes,
    write: (w, v) => w.bytes(v),
    read: (r) => new Uint8Array(r.bytes()),
    size: sizeBytes,
    pb: (v) => ["bytes", v],
  }),
];

function ours<T>(s: Scalar<T>, v: T): Buffer {
  const buf = Buffer.alloc(s.size(v));
  const w = new Writer(buf);
  s.write(w, v);
  expect(w.pos).toBe(buf.length);
  return buf;
}

function theirs<T>(s: Scalar<T>, v: T): Buffer {
  const [method, arg] = s.pb(v);
  const pw = protobuf.Writer.create();
  (pw[method] as unknown as PbWriterMethod).call(pw, arg as never);
  return Buffer.from(pw.finish());
}

describe("scalars against protobufjs' Writer", () => {
  for (const s of scalars) {
    it(`${s.name}: same bytes, exact size, reads back`, () => {
      fc.assert(
        fc.property(s.arb, (v) => {
          const mine = ours(s, v);
          expect(mine).toEqual(theirs(s, v));
          const r = new Reader(mine);
          const back = s.read(r);
          expect(r.pos).toBe(mine.length);
          expect(oursToPlain(back)).toEqual(oursToPlain(s.expected ? s.expected(v) : v));
        }),
        { numRuns: NUM_RUNS, seed: FUZZ_SEED },
      );
    });
  }

  it("64-bit values read back exactly at every edge, also from non-Buffer input", () => {
    const edges = [0n, 1n, 2n ** 49n - 1n, 2n ** 49n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 56n, 2n ** 63n - 1n, -1n, -(2n ** 53n), -(2n ** 63n)];
    for (const v of edges) {
      const w = new Writer(Buffer.alloc(64));
      w.int64(v).sint64(v).sfixed64(v).uint64(BigInt.asUintN(64, v)).fixed64(BigInt.asUintN(64, v));
      const r = new Reader(new Uint8Array(w.buf.subarray(0, w.pos)));
      expect([r.int64(), r.sint64(), r.sfixed64(), r.uint64(), r.fixed64()]).toEqual([v, v, v, BigInt.asUintN(64, v), BigInt.asUintN(64, v)]);
    }
  });

  it("size helpers", () => {
    expect([0, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28, 2 ** 32 - 1].map(sizeVarint32)).toEqual([1, 1, 2, 2, 3, 4, 5, 5]);
    expect([1, 15, 16, 2047, 2048, 2 ** 29 - 1].map(sizeTag)).toEqual([1, 1, 2, 2, 3, 5]);
    expect(sizeInt32(-1)).toBe(10);
    expect(sizeInt64(-1n)).toBe(10);
    expect(sizeUint64(2n ** 64n - 1n)).toBe(10);
    expect(["", "a", "é", "€", "😀", "\ud800", "a".repeat(100), "é".repeat(100)].map(utf8Length)).toEqual([0, 1, 2, 3, 4, 3, 100, 200]);
  });

  it("Writer.tag writes (field << 3) | wire type", () => {
    const w = new Writer(Buffer.alloc(10));
    w.tag(1, WireType.LEN).tag(16, WireType.VARINT).tag(2 ** 29 - 1, WireType.I32);
    expect(Array.from(w.buf.subarray(0, w.pos))).toEqual([0x0a, 0x80, 0x01, 0xfd, 0xff, 0xff, 0xff, 0x0f]);
  });
});

// ---- repeated scalars: a codec written in the test, the way docs/CODEC.md describes ----------

interface Repeated {
  ints: number[];
  zigzags: bigint[];
  doubles: number[];
  fixeds: number[];
  flags: boolean[];
  bigs: bigint[];
}

const readInt32 = (r: Reader): number => r.int32();
const readSint64 = (r: Reader): bigint => r.sint64();
const readDouble = (r: Reader): number => r.double();
const readFixed32 = (r: Reader): number => r.fixed32();
const readBool = (r: Reader): boolean => r.bool();
const readUint64 = (r: Reader): bigint => r.uint64();

function packedBody(m: Repeated, field: keyof Repeated): number {
  switch (field) {
    case "ints":
      return m.ints.reduce((n, v) => n + sizeInt32(v), 0);
    case "zigzags":
      return m.zigzags.reduce((n, v) => n + sizeSint64(v), 0);
    case "doubles":
      return m.doubles.length * 8;
    case "fixeds":
      return m.fixeds.length * 4;
    case "flags":
      return m.flags.length;
    case "bigs":
      return m.bigs.reduce((n, v) => n + sizeUint64(v), 0);
  }
}

const FIELDS: [keyof Repeated, number][] = [
  ["ints", 1],
  ["zigzags", 2],
  ["doubles", 3],
  ["fixeds", 4],
  ["flags", 5],
  ["bigs", 16],
];

const RepeatedCodec: Codec<Repeated> = defineCodec<Repeated>({
  typeName: "test.Repeated",
  create: (init) => ({ ints: [], zigzags: [], doubles: [], fixeds: [], flags: [], bigs: [], ...init }),
  size(m) {
    let n = 0;
    for (const [name, field] of FIELDS) {
      if (m[name].length === 0) continue;
      const body = packedBody(m, name);
      n += sizeTag(field) + sizeVarint32(body) + body;
    }
    return n;
  },
  write(m, w) {
    for (const [name, field] of FIELDS) {
      if (m[name].length === 0) continue;
      w.tag(field, WireType.LEN).uint32(packedBody(m, name));
      if (name === "ints") for (const v of m.ints) w.int32(v);
      if (name === "zigzags") for (const v of m.zigzags) w.sint64(v);
      if (name === "doubles") for (const v of m.doubles) w.double(v);
      if (name === "fixeds") for (const v of m.fixeds) w.fixed32(v);
      if (name === "flags") for (const v of m.flags) w.bool(v);
      if (name === "bigs") for (const v of m.bigs) w.uint64(v);
    }
  },
  read(r) {
    const m = RepeatedCodec.create();
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | WireType.LEN:
        case (1 << 3) | WireType.VARINT:
          r.packed(tag, m.ints, readInt32);
          break;
        case (2 << 3) | WireType.LEN:
        case (2 << 3) | WireType.VARINT:
          r.packed(tag, m.zigzags, readSint64);
          break;
        case (3 << 3) | WireType.LEN:
        case (3 << 3) | WireType.I64:
          r.packed(tag, m.doubles, readDouble);
          break;
        case (4 << 3) | WireType.LEN:
        case (4 << 3) | WireType.I32:
          r.packed(tag, m.fixeds, readFixed32);
          break;
        case (5 << 3) | WireType.LEN:
        case (5 << 3) | WireType.VARINT:
          r.packed(tag, m.flags, readBool);
          break;
        case (16 << 3) | WireType.LEN:
        case (16 << 3) | WireType.VARINT:
          r.packed(tag, m.bigs, readUint64);
          break;
        default:
          r.skip(tag);
      }
    }
    return m;
  },
});

const repeatedRoot = protobuf.parse(`
  syntax = "proto3";
  package test;
  message Repeated {
    repeated int32 ints = 1 [packed = true]; repeated sint64 zigzags = 2 [packed = true];
    repeated double doubles = 3 [packed = true]; repeated fixed32 fixeds = 4 [packed = true];
    repeated bool flags = 5 [packed = true]; repeated uint64 bigs = 16 [packed = true];
  }
  message Unpacked {
    repeated int32 ints = 1 [packed = false]; repeated sint64 zigzags = 2 [packed = false];
    repeated double doubles = 3 [packed = false]; repeated fixed32 fixeds = 4 [packed = false];
    repeated bool flags = 5 [packed = false]; repeated uint64 bigs = 16 [packed = false];
  }
`).root.resolveAll();

const repeated = fc.record({
  ints: fc.array(int32, { maxLength: 30 }),
  zigzags: fc.array(int64, { maxLength: 30 }),
  doubles: fc.array(fc.double({ noNaN: true }), { maxLength: 30 }),
  fixeds: fc.array(uint32, { maxLength: 30 }),
  flags: fc.array(fc.boolean(), { maxLength: 200 }),
  bigs: fc.array(uint64, { maxLength: 30 }),
});

function pbPlain(type: protobuf.Type, b: Uint8Array): unknown {
  return type.toObject(type.decode(b), { longs: String, arrays: true });
}

describe("repeated scalars", () => {
  const packedType = repeatedRoot.lookupType("test.Repeated");
  const unpackedType = repeatedRoot.lookupType("test.Unpacked");
  const toPb = (m: Repeated) => oursToPlain(m) as Record<string, unknown>;

  it("packed: same bytes as protobufjs, and protobufjs reads ours", () => {
    fc.assert(
      fc.property(repeated, (m) => {
        const mine = RepeatedCodec.encode(m);
        expect(mine).toEqual(Buffer.from(packedType.encode(packedType.fromObject(toPb(m))).finish()));
        expect(pbPlain(packedType, mine)).toEqual(oursToPlain(m));
      }),
      { numRuns: 200, seed: FUZZ_SEED },
    );
  });

  it("reads both the packed and the unpacked form", () => {
    fc.assert(
      fc.property(repeated, (m) => {
        const unpacked = unpackedType.encode(unpackedType.fromObject(toPb(m))).finish();
        expect(oursToPlain(RepeatedCodec.decode(unpacked))).toEqual(oursToPlain(m));
        const packed = packedType.encode(packedType.fromObject(toPb(m))).finish();
        expect(oursToPlain(RepeatedCodec.decode(packed))).toEqual(oursToPlain(m));
      }),
      { numRuns: 200, seed: FUZZ_SEED },
    );
  });

  it("appends when packed and unpacked records of one field are mixed", () => {
    // field 1: packed [1, 2], then unpacked 3, then packed [4]
    const m = RepeatedCodec.decode(Buffer.from([0x0a, 0x02, 0x01, 0x02, 0x08, 0x03, 0x0a, 0x01, 0x04]));
    expect(m.ints).toEqual([1, 2, 3, 4]);
  });
});
