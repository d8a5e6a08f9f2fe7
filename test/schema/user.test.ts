// Property-based round trips of every proto/user.proto message against protobufjs, both ways.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BatchCreateResponseCodec,
  CreateUserRequestCodec,
  DeleteUserRequestCodec,
  DeleteUserResponseCodec,
  GetUserRequestCodec,
  ListUsersRequestCodec,
  Role,
  UserCodec,
  UserUpdateRequestCodec,
  UserUpdateResponseCodec,
  roleName,
} from "../../src/schema/user.js";
import type { Codec } from "../../src/codec/index.js";
import { NUM_RUNS, anyString, anyUser, int32, int64, oursToPlain, pbEncode, pbToPlain, pbType, role, userRoot } from "../codec/oracle.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

const user = anyUser;

interface Case {
  codec: Codec<unknown>;
  arb: fc.Arbitrary<unknown>;
}

function caseOf<T>(codec: Codec<T>, arb: fc.Arbitrary<T>): Case {
  return { codec: codec as unknown as Codec<unknown>, arb };
}

const cases: Case[] = [
  caseOf(UserCodec, user),
  caseOf(CreateUserRequestCodec, fc.record({ username: anyString, email: anyString, fullName: anyString, role })),
  caseOf(GetUserRequestCodec, fc.record({ id: anyString })),
  caseOf(ListUsersRequestCodec, fc.record({ roleFilter: anyString, limit: int32 })),
  caseOf(
    BatchCreateResponseCodec,
    fc.record({
      createdCount: int32,
      userIds: fc.oneof(fc.constant([]), fc.array(anyString, { maxLength: 3 }), fc.array(anyString, { minLength: 50, maxLength: 120 })),
    }),
  ),
  caseOf(UserUpdateRequestCodec, fc.record({ userId: anyString, field: anyString, value: anyString })),
  caseOf(UserUpdateResponseCodec, fc.record({ userId: anyString, success: fc.boolean(), message: anyString })),
  caseOf(DeleteUserRequestCodec, fc.record({ id: anyString })),
  caseOf(DeleteUserResponseCodec, fc.record({ success: fc.boolean() })),
];

describe("user.proto codecs against protobufjs", () => {
  for (const { codec, arb } of cases) {
    const c = codec;
    const type = pbType(userRoot, c.typeName);

    it(`${c.typeName}: our encode → protobufjs decode`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const bytes = c.encode(m);
          expect(pbToPlain(type, bytes)).toEqual(oursToPlain(m));
        }),
        { numRuns: NUM_RUNS, seed: FUZZ_SEED },
      );
    });

    it(`${c.typeName}: protobufjs encode → our decode`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const decoded = c.decode(pbEncode(type, m));
          expect(oursToPlain(decoded)).toEqual(oursToPlain(m));
          expect((decoded as { $unknown?: Uint8Array }).$unknown).toBeUndefined();
        }),
        { numRuns: NUM_RUNS, seed: FUZZ_SEED },
      );
    });

    it(`${c.typeName}: encode → decode is the identity, and sizes are exact`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const bytes = c.encode(m);
          expect(bytes.length).toBe(c.size(m));
          expect(oursToPlain(c.decode(bytes))).toEqual(oursToPlain(m));
        }),
        { numRuns: NUM_RUNS, seed: FUZZ_SEED },
      );
    });

    it(`${c.typeName}: create() gives proto3 defaults that encode to nothing`, () => {
      expect(c.encode(c.create()).length).toBe(0);
      expect(oursToPlain(c.decode(new Uint8Array(0)))).toEqual(oursToPlain(c.create()));
    });
  }
});

describe("User encoding details", () => {
  it("writes the same bytes as protobufjs when no field is at its default", () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.string({ minLength: 1 }),
          username: fc.string({ minLength: 1 }),
          email: fc.string({ unit: "binary", minLength: 1 }),
          fullName: fc.string({ unit: "grapheme", minLength: 1 }),
          role: role.filter((r) => r !== 0),
          createdAt: int64.filter((v) => v !== 0n),
          updatedAt: int64.filter((v) => v !== 0n),
        }),
        (m) => {
          expect(Buffer.from(UserCodec.encode(m))).toEqual(Buffer.from(pbEncode(pbType(userRoot, "user.User"), m)));
        },
      ),
      { numRuns: NUM_RUNS, seed: FUZZ_SEED },
    );
  });

  it("keeps unknown enum numbers (including negative ones)", () => {
    for (const r of [4, 99, -1, 2 ** 31 - 1, -(2 ** 31)]) {
      const bytes = UserCodec.encode(UserCodec.create({ role: r }));
      expect(UserCodec.decode(bytes).role).toBe(r);
      expect(pbToPlain(pbType(userRoot, "user.User"), bytes).role).toBe(r);
    }
    expect(Role.ROLE_MODERATOR).toBe(3);
    expect(roleName(2)).toBe("ROLE_ADMIN");
    expect(roleName(7)).toBeUndefined();
  });

  it("writes a negative enum as a 10-byte varint", () => {
    expect(Array.from(UserCodec.encode(UserCodec.create({ role: -1 })))).toEqual([0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it("takes the last value of a field that appears more than once", () => {
    const bytes = Buffer.from([0x0a, 0x01, 0x61, 0x28, 0x01, 0x0a, 0x02, 0x62, 0x63, 0x28, 0x03, 0x30, 0x05, 0x30, 0x07]);
    const m = UserCodec.decode(bytes);
    expect(m.id).toBe("bc");
    expect(m.role).toBe(3);
    expect(m.createdAt).toBe(7n);
  });

  it("accepts fields in any order", () => {
    const m = UserCodec.decode(Buffer.from([0x38, 0x02, 0x12, 0x01, 0x75, 0x0a, 0x01, 0x69]));
    expect(m).toEqual(UserCodec.create({ id: "i", username: "u", updatedAt: 2n }));
  });

  it("leaves `reserve` bytes, zeroed, in front of the message", () => {
    const m = UserCodec.create({ id: "abc", createdAt: 1_732_000_000_000n });
    const plain = UserCodec.encode(m);
    const framed = UserCodec.encode(m, 5);
    expect(framed.length).toBe(plain.length + 5);
    expect(Array.from(framed.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    expect(framed.subarray(5)).toEqual(plain);
  });

  it("create() overlays init on the defaults", () => {
    expect(UserCodec.create({ email: "a@b.c" })).toEqual({
      id: "",
      username: "",
      email: "a@b.c",
      fullName: "",
      role: 0,
      createdAt: 0n,
      updatedAt: 0n,
    });
  });

  it("writes lone UTF-16 surrogates as U+FFFD, with the size to match", () => {
    const m = UserCodec.create({ fullName: "a\ud800b\udc00" });
    const bytes = UserCodec.encode(m);
    expect(bytes.length).toBe(UserCodec.size(m));
    expect(UserCodec.decode(bytes).fullName).toBe("a\ufffdb\ufffd");
  });
});

describe("unknown fields", () => {
  const v2 = pbType(userRoot, "userv2.User");
  const extra = fc.record({
    f8: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
    f9: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
    f10: fc.uint8Array({ minLength: 1, maxLength: 200 }),
    f11: int64.filter((v) => v !== 0n),
    f12: fc.array(int32, { minLength: 1, maxLength: 5 }),
    f200: fc.string({ minLength: 1 }),
  });

  it("are kept by decode and written back by encode (every wire type)", () => {
    fc.assert(
      fc.property(user, extra, (u, x) => {
        const original = { ...u, ...x };
        const theirs = pbEncode(v2, original);
        const ours = UserCodec.decode(theirs);
        expect(ours.$unknown).toBeDefined();
        expect(oursToPlain(ours)).toEqual(oursToPlain(u));
        const back = UserCodec.encode(ours);
        expect(back.length).toBe(UserCodec.size(ours));
        expect(pbToPlain(v2, back)).toEqual(pbToPlain(v2, theirs));
      }),
      { numRuns: NUM_RUNS, seed: FUZZ_SEED },
    );
  });

  it("a known field number with an unexpected wire type is kept as unknown", () => {
    // field 5 (role) as LEN, field 1 (id) as VARINT
    const bytes = Buffer.from([0x2a, 0x01, 0x00, 0x08, 0x05, 0x12, 0x01, 0x78]);
    const m = UserCodec.decode(bytes);
    expect(m.role).toBe(0);
    expect(m.id).toBe("");
    expect(m.username).toBe("x");
    expect(Array.from(m.$unknown ?? [])).toEqual([0x2a, 0x01, 0x00, 0x08, 0x05]);
    expect(Array.from(UserCodec.encode(m))).toEqual([0x12, 0x01, 0x78, 0x2a, 0x01, 0x00, 0x08, 0x05]);
  });

  it("non-adjacent unknown fields are joined in order", () => {
    const bytes = Buffer.from([0x48, 0x01, 0x0a, 0x01, 0x61, 0x50, 0x02]);
    const m = UserCodec.decode(bytes);
    expect(Array.from(m.$unknown ?? [])).toEqual([0x48, 0x01, 0x50, 0x02]);
  });
});
