// Tests src/schema/user-fast-path.ts: the hand-written user.User codec agrees with the generic
// codec derived from the same field table (src/schema/user.ts), byte for byte and object for object.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defineMessage, type FieldOf } from "../../src/codec/index.js";
import { UserCodec, type User } from "../../src/schema/user.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";
import { NUM_RUNS, anyUser } from "../codec/oracle.js";

const generic = defineMessage<User>("user.User", UserCodec.fields as readonly FieldOf<User>[]);

const user: fc.Arbitrary<User> = anyUser;

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

  it("create() and decode() give objects of the same shape (same keys, same order)", () => {
    expect(Object.keys(UserCodec.decode(new Uint8Array(0)))).toEqual(Object.keys(generic.create()));
    expect(Object.keys(UserCodec.create())).toEqual(UserCodec.fields.map((f) => f.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())));
  });
});
