// Fuzz: random and mutated bytes never make a decoder throw anything but CodecError, and never
// produce (allocate) more than the input could hold.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError, utf8Length } from "../../src/codec/index.js";
import {
  BatchCreateResponseCodec,
  CreateUserRequestCodec,
  DeleteUserResponseCodec,
  ListUsersRequestCodec,
  UserCodec,
  UserUpdateResponseCodec,
} from "../../src/schema/user.js";
import { AnyCodec, BadRequestCodec, EmptyCodec, ErrorInfoCodec, StatusCodec } from "../../src/schema/google-rpc.js";
import type { MessageCodec } from "../../src/codec/index.js";
import { anyString, anyUser } from "./oracle.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

const codecs = [
  UserCodec,
  CreateUserRequestCodec,
  ListUsersRequestCodec,
  BatchCreateResponseCodec,
  UserUpdateResponseCodec,
  DeleteUserResponseCodec,
  StatusCodec,
  AnyCodec,
  BadRequestCodec,
  ErrorInfoCodec,
  EmptyCodec,
] as MessageCodec<unknown>[];

/** How many input bytes the decoded value must at least have consumed: string and bytes
 *  contents, plus one per array element or map entry. */
function weight(v: unknown): number {
  if (typeof v === "string") return utf8Length(v);
  if (v instanceof Uint8Array) return v.byteLength;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + 1 + weight(x), 0);
  if (v !== null && typeof v === "object") {
    let n = 0;
    for (const [k, x] of Object.entries(v)) {
      // A map entry: its key and value bytes, plus at least one byte of framing.
      if (k === "metadata") for (const [mk, mv] of Object.entries(x as Record<string, string>)) n += 1 + utf8Length(mk) + utf8Length(mv);
      else n += weight(x);
    }
    return n;
  }
  return 0;
}

function check(bytes: Uint8Array): void {
  for (const codec of codecs) {
    try {
      const m = codec.decode(bytes);
      expect(weight(m)).toBeLessThanOrEqual(bytes.length);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      expect(e.reason).toMatch(/^(truncated|varint-too-long|length-overrun|invalid-wire-type|invalid-group|field-zero|invalid-tag|invalid-utf8|too-deep)$/);
    }
  }
}

const validUser = anyUser.map((u) => UserCodec.encode(u));

const validStatus = fc
  .record({ code: fc.integer(), message: anyString, details: fc.array(fc.record({ typeUrl: anyString, value: fc.uint8Array({ maxLength: 30 }) }), { maxLength: 4 }) })
  .map((s) => StatusCodec.encode(s));

/** A valid encoding, then damaged: truncated, a byte changed, or random bytes spliced in. */
const mutated = fc
  .tuple(fc.oneof(validUser, validStatus), fc.nat(), fc.nat({ max: 255 }), fc.uint8Array({ maxLength: 12 }), fc.integer({ min: 0, max: 2 }))
  .map(([b, at, byte, insert, how]) => {
    const i = b.length === 0 ? 0 : at % b.length;
    if (how === 0) return b.subarray(0, i);
    if (how === 1) {
      const c = Buffer.from(b);
      if (c.length > 0) c[i] = byte;
      return c;
    }
    return Buffer.concat([b.subarray(0, i), insert, b.subarray(i)]);
  });

describe("fuzz", () => {
  it("random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 2000, seed: FUZZ_SEED });
  });

  it("random bytes made of plausible tags and lengths", () => {
    const piece = fc.oneof(fc.constantFrom(0x08, 0x0a, 0x12, 0x1a, 0x22, 0x28, 0x30, 0x38, 0x41, 0x4d, 0xff, 0x80, 0x01, 0x7f, 0x00), fc.nat({ max: 255 }));
    fc.assert(fc.property(fc.array(piece, { maxLength: 200 }).map((a) => Uint8Array.from(a)), check), { numRuns: 2000, seed: FUZZ_SEED });
  });

  it("damaged valid messages", () => {
    fc.assert(fc.property(mutated, check), { numRuns: 2000, seed: FUZZ_SEED });
  });
});
