// Tests src/schema/user-fast-path.ts: the hand-written user.User codec agrees with the generic
// codec derived from the same field table (src/schema/user.ts), byte for byte and object for object.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Writer, WireType, defineMessage, type FieldOf } from "../../src/codec/index.js";
import { UserCodec, type User } from "../../src/schema/user.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";
import { NUM_RUNS, anyString, anyUser, int32, int64 } from "../codec/oracle.js";

const generic = defineMessage<User>("user.User", UserCodec.fields as readonly FieldOf<User>[]);

const user: fc.Arbitrary<User> = anyUser;

// One field as raw bytes: a known field with its wire type, a known field number with another
// wire type (kept as unknown), or an unknown field.
type RawField = (w: Writer) => void;
const field: fc.Arbitrary<RawField> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 4 }), anyString).map(([no, s]): RawField => (w) => void w.tag(no, WireType.LEN).string(s)),
  int32.map((v): RawField => (w) => void w.tag(5, WireType.VARINT).int32(v)),
  fc.tuple(fc.constantFrom(6, 7), int64).map(([no, v]): RawField => (w) => void w.tag(no, WireType.VARINT).int64(v)),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.nat()).map(([no, v]): RawField => (w) => void w.tag(no, WireType.VARINT).uint32(v)),
  fc.tuple(fc.integer({ min: 5, max: 7 }), fc.nat(8)).map(([no, n]): RawField => (w) => void w.tag(no, WireType.LEN).bytes(new Uint8Array(n))),
  fc.tuple(fc.constantFrom(8, 16, 200), fc.nat()).map(([no, v]): RawField => (w) => void w.tag(no, WireType.VARINT).uint32(v)),
);
function rawMessage(fields: readonly RawField[]): Buffer {
  const w = new Writer(Buffer.alloc(fields.length * 2000));
  for (const f of fields) f(w);
  return w.buf.subarray(0, w.pos);
}

// Unknown fields after the known ones: field 8 (varint) and field 200 (LEN).
const withUnknown = user.map((u): User => ({ ...u, $unknown: Buffer.from([0x40, 0x01, 0xc2, 0x0c, 0x01, 0x7a]) }));

describe("user.User fast path against the generic table codec", () => {
  it("encodes to the same bytes, with the same size and a maxSize no smaller", () => {
    fc.assert(
      fc.property(fc.oneof(user, withUnknown), (u) => {
        const ours = UserCodec.encode(u);
        expect(Buffer.from(ours)).toEqual(Buffer.from(generic.encode(u)));
        expect(UserCodec.size(u)).toBe(generic.size(u));
        expect(UserCodec.maxSize!(u)).toBeGreaterThanOrEqual(ours.length);
      }),
      { numRuns: NUM_RUNS, seed: FUZZ_SEED },
    );
  });

  it("decodes to the same object, unknown fields included", () => {
    fc.assert(
      fc.property(fc.oneof(user, withUnknown), (u) => {
        const bytes = generic.encode(u);
        expect(UserCodec.decode(bytes)).toEqual(generic.decode(bytes));
      }),
      { numRuns: NUM_RUNS, seed: FUZZ_SEED },
    );
  });

  it("decodes fields out of order, repeated, with other wire types or unknown, as the generic codec does", () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 12 }), (fields) => {
        const bytes = rawMessage(fields);
        let want: unknown;
        let got: unknown;
        try {
          want = generic.decode(bytes);
        } catch (e) {
          want = e;
        }
        try {
          got = UserCodec.decode(bytes);
        } catch (e) {
          got = e;
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 1000, seed: FUZZ_SEED },
    );
  });

  it("create() and decode() give objects of the same shape (same keys, same order)", () => {
    expect(Object.keys(UserCodec.decode(new Uint8Array(0)))).toEqual(Object.keys(generic.create()));
    expect(Object.keys(UserCodec.create())).toEqual(UserCodec.fields.map((f) => f.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())));
  });
});
