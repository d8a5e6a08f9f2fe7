// Tests src/codec/message.ts, the generic field-table codec: one table with every kind of field
// (each scalar type, singular, repeated packed and unpacked, enum, sub-message, map, oneof,
// explicit presence), checked against protobufjs reading the same message from .proto text.

import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, expectTypeOf, it } from "vitest";
import { defineMessage, type MessageOf, type MessageType } from "../../src/codec/index.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";
import { NUM_RUNS, anyString, bytes, int32, int64, oursToPlain, pbEncode, pbToPlain, uint32, uint64 } from "./oracle.js";

interface Inner {
  text: string;
  child?: Inner;
  $unknown?: Uint8Array;
}

interface Kinds {
  fDouble: number;
  fFloat: number;
  fInt32: number;
  fInt64: bigint;
  fUint32: number;
  fUint64: bigint;
  fSint32: number;
  fSint64: bigint;
  fFixed32: number;
  fFixed64: bigint;
  fSfixed32: number;
  fSfixed64: bigint;
  fBool: boolean;
  fString: string;
  fBytes: Uint8Array;
  fEnum: number;
  fInner?: Inner;
  rInt32: number[];
  rSint64: bigint[];
  rDouble: number[];
  rUnpacked: number[];
  rString: string[];
  rBytes: Uint8Array[];
  rInner: Inner[];
  labels: Record<string, string>;
  choiceText?: string;
  choiceInner?: Inner;
  maybe?: number;
  $unknown?: Uint8Array;
}

const InnerCodec: MessageType<Inner> = defineMessage<Inner>("t.Inner", [
  { no: 1, name: "text", type: "string" },
  { no: 2, name: "child", type: "message", message: () => InnerCodec },
]);

// Its type is read from the table (message-type.ts); the interface above is what it must be.
const KindsCodec = defineMessage("t.Kinds", [
  { no: 1, name: "f_double", type: "double" },
  { no: 2, name: "f_float", type: "float" },
  { no: 3, name: "f_int32", type: "int32" },
  { no: 4, name: "f_int64", type: "int64" },
  { no: 5, name: "f_uint32", type: "uint32" },
  { no: 6, name: "f_uint64", type: "uint64" },
  { no: 7, name: "f_sint32", type: "sint32" },
  { no: 8, name: "f_sint64", type: "sint64" },
  { no: 9, name: "f_fixed32", type: "fixed32" },
  { no: 10, name: "f_fixed64", type: "fixed64" },
  { no: 11, name: "f_sfixed32", type: "sfixed32" },
  { no: 12, name: "f_sfixed64", type: "sfixed64" },
  { no: 13, name: "f_bool", type: "bool" },
  { no: 14, name: "f_string", type: "string" },
  { no: 15, name: "f_bytes", type: "bytes" },
  { no: 16, name: "f_enum", type: "enum", enum: "t.Color" },
  { no: 17, name: "f_inner", type: "message", message: () => InnerCodec },
  { no: 18, name: "r_int32", type: "int32", repeated: true },
  { no: 19, name: "r_sint64", type: "sint64", repeated: true },
  { no: 20, name: "r_double", type: "double", repeated: true },
  { no: 21, name: "r_unpacked", type: "int32", repeated: true, packed: false },
  { no: 22, name: "r_string", type: "string", repeated: true },
  { no: 23, name: "r_bytes", type: "bytes", repeated: true },
  { no: 24, name: "r_inner", type: "message", repeated: true, message: () => InnerCodec },
  { no: 25, name: "labels", type: "map", key: "string", value: "string" },
  { no: 26, name: "choice_text", type: "string", oneof: "choice" },
  { no: 27, name: "choice_inner", type: "message", message: () => InnerCodec, oneof: "choice" },
  { no: 300, name: "maybe", type: "int32", presence: "explicit" },
]);

const root = protobuf.parse(`
  syntax = "proto3";
  package t;
  enum Color { COLOR_NONE = 0; COLOR_RED = 1; }
  message Inner { string text = 1; Inner child = 2; }
  message Kinds {
    double f_double = 1; float f_float = 2; int32 f_int32 = 3; int64 f_int64 = 4; uint32 f_uint32 = 5;
    uint64 f_uint64 = 6; sint32 f_sint32 = 7; sint64 f_sint64 = 8; fixed32 f_fixed32 = 9; fixed64 f_fixed64 = 10;
    sfixed32 f_sfixed32 = 11; sfixed64 f_sfixed64 = 12; bool f_bool = 13; string f_string = 14; bytes f_bytes = 15;
    Color f_enum = 16; Inner f_inner = 17;
    repeated int32 r_int32 = 18; repeated sint64 r_sint64 = 19; repeated double r_double = 20;
    repeated int32 r_unpacked = 21 [packed = false]; repeated string r_string = 22; repeated bytes r_bytes = 23;
    repeated Inner r_inner = 24; map<string, string> labels = 25;
    oneof choice { string choice_text = 26; Inner choice_inner = 27; }
    optional int32 maybe = 300;
  }
`).root;
root.resolveAll();
const PbKinds = root.lookupType("t.Kinds");

const noNegZero = (x: number): number => (Object.is(x, -0) ? 0 : x);
const double = fc.double().map(noNegZero);
const float = fc.float().map(noNegZero);
const int64s = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const inner: fc.Arbitrary<Inner> = fc.letrec<{ inner: Inner }>((tie) => ({
  inner: fc.record({ text: anyString, child: fc.option(tie("inner"), { nil: undefined, depthSize: "small" }) }, { requiredKeys: ["text"] }),
})).inner as fc.Arbitrary<Inner>;
const small = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(a, { maxLength: 5 });

const kinds: fc.Arbitrary<Kinds> = fc
  .record({
    fDouble: double,
    fFloat: float,
    fInt32: int32,
    fInt64: int64,
    fUint32: uint32,
    fUint64: uint64,
    fSint32: int32,
    fSint64: int64s,
    fFixed32: uint32,
    fFixed64: uint64,
    fSfixed32: int32,
    fSfixed64: int64s,
    fBool: fc.boolean(),
    fString: anyString,
    fBytes: bytes,
    fEnum: fc.constantFrom(0, 1, 7, -3),
    fInner: fc.option(inner, { nil: undefined }),
    rInt32: small(int32),
    rSint64: small(int64s),
    rDouble: small(double),
    rUnpacked: small(int32),
    rString: small(anyString),
    rBytes: small(bytes),
    rInner: small(inner),
    labels: fc.dictionary(anyString, anyString, { maxKeys: 4 }),
    choice: fc.oneof(fc.constant({}), anyString.map((choiceText) => ({ choiceText })), inner.map((choiceInner) => ({ choiceInner }))),
    maybe: fc.option(int32, { nil: undefined }),
  })
  .map(({ choice, maybe, fInner, ...rest }) => {
    const m: Kinds = { ...rest, ...choice };
    if (maybe !== undefined) m.maybe = maybe;
    if (fInner !== undefined) m.fInner = fInner;
    return m;
  });

/** Plain data for comparing: absent fields dropped (protobufjs's toObject gives null for a
 *  missing sub-message), and NaN/Infinity as strings (JSON has no such numbers). */
function plain(m: unknown): unknown {
  const replacer = (_: string, v: unknown): unknown => (v === null ? undefined : typeof v === "number" && !Number.isFinite(v) ? String(v) : v);
  return JSON.parse(JSON.stringify(oursToPlain(m), replacer));
}

describe("a field table with every kind of field, against protobufjs", () => {
  it("our encode → protobufjs decode", () => {
    fc.assert(
      fc.property(kinds, (m) => {
        expect(plain(pbToPlain(PbKinds, KindsCodec.encode(m)))).toEqual(plain(m));
      }),
      { numRuns: NUM_RUNS, seed: FUZZ_SEED },
    );
  });

  it("protobufjs encode → our decode", () => {
    fc.assert(
      fc.property(kinds, (m) => {
        const theirs = pbEncode(PbKinds, m);
        const decoded = KindsCodec.decode(theirs);
        expect(plain(decoded)).toEqual(plain(m));
        expect(decoded.$unknown).toBeUndefined();
        expect(Buffer.from(KindsCodec.encode(decoded))).toEqual(Buffer.from(KindsCodec.encode(m)));
      }),
      { numRuns: NUM_RUNS, seed: FUZZ_SEED },
    );
  });

  it("size is exact and maxSize is an upper bound", () => {
    fc.assert(
      fc.property(kinds, (m) => {
        const bytes = KindsCodec.encode(m);
        expect(bytes.length).toBe(KindsCodec.size(m));
        expect(KindsCodec.maxSize!(m)).toBeGreaterThanOrEqual(bytes.length);
      }),
      { numRuns: NUM_RUNS, seed: FUZZ_SEED },
    );
  });

  it("has the TypeScript type the table declares (checked by tsc: npm run typecheck)", () => {
    expectTypeOf<MessageOf<typeof KindsCodec>>().toEqualTypeOf<Kinds>();
    expectTypeOf(KindsCodec.create()).toEqualTypeOf<Kinds>();
    expectTypeOf(KindsCodec.decode).returns.toEqualTypeOf<Kinds>();
  });

  it("create() fills proto3 defaults, with fresh lists and null-prototype maps", () => {
    const a = KindsCodec.create();
    const b = KindsCodec.create({ fString: "x" });
    expect(a.rInt32).not.toBe(b.rInt32);
    expect(Object.getPrototypeOf(a.labels)).toBeNull();
    expect(a).toMatchObject({ fInt64: 0n, fString: "", fBool: false, fBytes: new Uint8Array(0), rInner: [] });
    expect("fInner" in a || "choiceText" in a || "maybe" in a).toBe(false);
    expect(b.fString).toBe("x");
    expect(KindsCodec.encode(a).length).toBe(0);
  });

  it("reads packed fields sent unpacked and the reverse, and keeps the last oneof member", () => {
    // r_int32 (18) as two unpacked varints; r_unpacked (21) as one packed record; then
    // choice_text (26) followed by choice_inner (27): only the last one stays.
    const bytes = Buffer.from([0x90, 0x01, 0x05, 0x90, 0x01, 0x06, 0xaa, 0x01, 0x02, 0x07, 0x08, 0xd2, 0x01, 0x01, 0x61, 0xda, 0x01, 0x00]);
    const m = KindsCodec.decode(bytes);
    expect(m.rInt32).toEqual([5, 6]);
    expect(m.rUnpacked).toEqual([7, 8]);
    expect(m.choiceText).toBeUndefined();
    expect(m.choiceInner).toEqual({ text: "" });
  });

  it("writes explicit-presence fields at their default, and keeps unknown fields", () => {
    expect(Array.from(KindsCodec.encode(KindsCodec.create({ maybe: 0 })))).toEqual([0xe0, 0x12, 0x00]);
    const unknown = Buffer.from([0xf8, 0x7f, 0x01]); // field 2047, varint 1
    const m = KindsCodec.decode(unknown);
    expect(Buffer.from(m.$unknown!)).toEqual(unknown);
    expect(Buffer.from(KindsCodec.encode(m))).toEqual(unknown);
  });
});
