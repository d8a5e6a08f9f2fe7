// Tests src/codec/raw.ts: schema-less decoding of protobufjs-encoded messages.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError, decodeRaw, decodeRawFields, encodeRaw, formatRaw } from "../../src/codec/index.js";
import type { RawField } from "../../src/codec/index.js";
import { NUM_RUNS, anyString, googleRoot, int32, int64, pbEncode, uint64, userFields, userRoot } from "./oracle.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

const v2 = userRoot.lookupType("userv2.User");
const message = fc.record({
  ...userFields,
  f8: uint64,
  f9: fc.nat({ max: 2 ** 32 - 1 }),
  f10: fc.uint8Array({ maxLength: 50 }),
  f11: int64,
  f12: fc.array(int32, { maxLength: 5 }),
  f200: anyString,
});

function only(fields: RawField[], n: number): RawField | undefined {
  const found = fields.filter((f) => f.field === n);
  return found[found.length - 1];
}

describe("decodeRaw", () => {
  it("finds every field protobufjs wrote, with its wire type and value", () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = pbEncode(v2, m);
        const result = decodeRaw(bytes);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const f = result.fields;
        const str = (n: number) => {
          const x = only(f, n);
          return x && x.wireType === 2 ? Buffer.from(x.bytes).toString("utf8") : undefined;
        };
        expect([str(1), str(2), str(3), str(4), str(200)]).toEqual([m.id, m.username, m.email, m.fullName, m.f200]);
        const varint = (n: number) => {
          const x = only(f, n);
          return x?.kind === "varint" ? x.value : undefined;
        };
        expect(varint(5)).toBe(BigInt.asUintN(64, BigInt(m.role)));
        expect(varint(6)).toBe(BigInt.asUintN(64, m.createdAt));
        expect(varint(7)).toBe(BigInt.asUintN(64, m.updatedAt));
        const zz = varint(11) ?? -1n;
        expect((zz >> 1n) ^ -(zz & 1n)).toBe(m.f11);
        const f8 = only(f, 8);
        expect(f8?.kind === "fixed64" ? f8.value : undefined).toBe(m.f8);
        const f9 = only(f, 9);
        expect(f9?.kind === "fixed32" ? f9.value : undefined).toBe(m.f9);
        const f10 = only(f, 10);
        expect(f10 && f10.wireType === 2 ? Array.from(f10.bytes) : undefined).toEqual(Array.from(m.f10));
        // And the fields encode back to the very same bytes.
        expect(encodeRaw(f)).toEqual(Buffer.from(bytes));
      }),
      { numRuns: NUM_RUNS, seed: FUZZ_SEED },
    );
  });

  it("shows nested messages as messages, text as strings, other bytes as bytes", () => {
    const status = googleRoot.lookupType("google.rpc.Status");
    const bytes = pbEncode(status, {
      code: 5,
      message: "no such user\n",
      details: [{ typeUrl: "type.googleapis.com/x", value: Uint8Array.from([0xff, 0x00, 0x01]) }],
    });
    const fields = decodeRawFields(bytes);
    expect(fields.map((f) => [f.field, f.kind])).toEqual([
      [1, "varint"],
      [2, "string"],
      [3, "message"],
    ]);
    const detail = fields[2];
    if (detail.kind !== "message") throw new Error("not a message");
    expect(detail.fields.map((f) => [f.field, f.kind])).toEqual([
      [1, "string"],
      [2, "bytes"],
    ]);
    expect(formatRaw(fields)).toBe('1: 5\n2: "no such user\\n"\n3 {\n  1: "type.googleapis.com/x"\n  2: "\\377\\000\\001"\n}\n');
  });

  it("an empty LEN value is an empty string", () => {
    const [f] = decodeRawFields(Uint8Array.from([0x0a, 0x00]));
    expect([f.field, f.wireType, f.kind, f.kind === "string" ? f.value : undefined, f.wireType === 2 ? f.bytes.length : -1]).toEqual([1, 2, "string", "", 0]);
  });

  it("stops trying nested messages at maxDepth", () => {
    // 1 { 1 { 1: 8 } } as bytes: 0a 04 0a 02 08 08
    const bytes = Uint8Array.from([0x0a, 0x04, 0x0a, 0x02, 0x08, 0x08]);
    const deep = decodeRawFields(bytes);
    expect(deep[0].kind).toBe("message");
    const shallow = decodeRawFields(bytes, 1);
    expect(shallow[0].kind).toBe("message");
    expect(shallow[0].kind === "message" ? shallow[0].fields[0].kind : "").toBe("bytes");
    expect(decodeRawFields(bytes, 0)[0].kind).toBe("bytes");
  });

  it("does not take packed numbers or non-canonical varints for a message", () => {
    // packed int32 [-1, 0]: 10-byte varint then 0x00; and 08 80 00 (field 1, padded 0)
    const packed = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00];
    expect(decodeRawFields(Uint8Array.from([0x0a, packed.length, ...packed]))[0].kind).toBe("bytes");
    expect(decodeRawFields(Uint8Array.from([0x0a, 0x03, 0x08, 0x80, 0x00]))[0].kind).toBe("bytes");
    expect(decodeRawFields(Uint8Array.from([0x0a, 0x02, 0x08, 0x7f]))[0].kind).toBe("message");
    // a 5-byte tag with bits above 32 ("𐀀  " in UTF-8)
    expect(decodeRawFields(Uint8Array.from([0x0a, 0x06, 0xf0, 0x90, 0x80, 0x80, 0x20, 0x20]))[0].kind).toBe("string");
  });

  it("does not take text that parses only through groups for a message (\"#$\" is an empty group 4)", () => {
    // The case fast-check found (seed 1539867528): full_name "#$" = 0x23 0x24, start and end of group 4.
    const bytes = pbEncode(v2, { fullName: "#$" });
    const result = decodeRaw(bytes);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.fields.map((f) => [f.field, f.kind, f.kind === "string" ? f.value : undefined])).toEqual([[4, "string", "#$"]]);
    expect(encodeRaw(result.fields)).toEqual(Buffer.from(bytes));
    expect(formatRaw(result.fields)).toBe('4: "#$"\n');
    // A group next to ordinary fields, or nested groups, are not a message either; unprintable ones are bytes.
    expect(decodeRawFields(Uint8Array.from([0x0a, 0x04, 0x08, 0x01, 0x13, 0x14]))[0].kind).toBe("bytes");
    expect(decodeRawFields(Uint8Array.from([0x0a, 0x04, 0x23, 0x2b, 0x2c, 0x24]))[0].kind).toBe("string");
    // A group at the top level has no kind to be shown as: an error result, as before.
    const top = decodeRaw(Uint8Array.from([0x23, 0x24]));
    expect(top.ok ? undefined : top.error.reason).toBe("invalid-wire-type");
  });

  it("returns an error result, never throws, on bytes that are not a message", () => {
    const r = decodeRaw(Uint8Array.from([0x0b]));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(CodecError);
      expect(r.error.reason).toBe("invalid-wire-type");
    }
    expect(() => decodeRawFields(Uint8Array.from([0x0a, 0x05]))).toThrow(CodecError);
  });

  it("never throws anything on random bytes, and what parses encodes back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const r = decodeRaw(b);
        if (r.ok) expect(encodeRaw(r.fields).length).toBeLessThanOrEqual(b.length);
      }),
      { numRuns: 2000, seed: FUZZ_SEED },
    );
  });
});
