// Tests src/schema/google-rpc.ts against protobufjs (the messages written out in oracle.ts).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserCodec } from "../../src/schema/user.js";
import {
  AnyCodec,
  BadRequestCodec,
  EmptyCodec,
  ErrorInfoCodec,
  StatusCodec,
  anyIs,
  packAny,
  unpackAny,
} from "../../src/schema/google-rpc.js";
import type { Codec } from "../../src/codec/index.js";
import { NUM_RUNS, anyString, bytes, googleRoot, int32, oursToPlain, pbEncode, pbToPlain } from "../codec/oracle.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

const any = fc.record({ typeUrl: anyString, value: bytes });
const status = fc.record({ code: int32, message: anyString, details: fc.array(any, { maxLength: 5 }) });
const badRequest = fc.record({
  fieldViolations: fc.array(fc.record({ field: anyString, description: anyString, reason: anyString }), { maxLength: 6 }),
});
const errorInfo = fc.record({
  reason: anyString,
  domain: anyString,
  // (Keys naming Object.prototype methods trip vitest's own comparison; they get a test of their own below.)
  metadata: fc.dictionary(fc.oneof(fc.string().filter((k) => !(k in Object.prototype)), fc.constantFrom("__proto__", "")), anyString, { maxKeys: 6 }),
});

interface Case {
  codec: Codec<unknown>;
  pbName: string;
  arb: fc.Arbitrary<unknown>;
}
function caseOf<T>(codec: Codec<T>, pbName: string, arb: fc.Arbitrary<T>): Case {
  return { codec: codec as unknown as Codec<unknown>, pbName, arb };
}

const cases: Case[] = [
  caseOf(AnyCodec, "google.rpc.Any", any),
  caseOf(StatusCodec, "google.rpc.Status", status),
  caseOf(BadRequestCodec, "google.rpc.BadRequest", badRequest),
  caseOf(ErrorInfoCodec, "google.rpc.ErrorInfo", errorInfo),
  caseOf(EmptyCodec, "google.rpc.Empty", fc.constant({})),
];

/** Maps as plain objects with sorted keys, whatever their prototype. */
function normal(v: unknown): unknown {
  const p = oursToPlain(v);
  return JSON.parse(JSON.stringify(p, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x)));
}

describe("google.rpc / google.protobuf codecs against protobufjs", () => {
  for (const { codec, pbName, arb } of cases) {
    const type = googleRoot.lookupType(pbName);
    it(`${codec.typeName}: our encode → protobufjs decode`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          expect(normal(pbToPlain(type, codec.encode(m)))).toEqual(normal(m));
        }),
        { numRuns: NUM_RUNS, seed: FUZZ_SEED },
      );
    });
    it(`${codec.typeName}: protobufjs encode → our decode, and back`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const decoded = codec.decode(pbEncode(type, m));
          expect(normal(decoded)).toEqual(normal(m));
          const again = codec.encode(decoded);
          expect(again.length).toBe(codec.size(decoded));
          expect(normal(codec.decode(again))).toEqual(normal(m));
        }),
        { numRuns: NUM_RUNS, seed: FUZZ_SEED },
      );
    });
  }

  it("type names", () => {
    expect([StatusCodec, AnyCodec, BadRequestCodec, ErrorInfoCodec, EmptyCodec].map((c) => c.typeName)).toEqual([
      "google.rpc.Status",
      "google.protobuf.Any",
      "google.rpc.BadRequest",
      "google.rpc.ErrorInfo",
      "google.protobuf.Empty",
    ]);
  });

  it("ErrorInfo metadata keys such as __proto__ or toString stay plain keys", () => {
    const metadata = Object.create(null) as Record<string, string>;
    Object.assign(metadata, { a: "b", toString: "t", constructor: "c", hasOwnProperty: "h" });
    metadata["__proto__"] = "x";
    const m = ErrorInfoCodec.decode(ErrorInfoCodec.encode(ErrorInfoCodec.create({ metadata })));
    expect(Object.keys(m.metadata).sort()).toEqual(["__proto__", "a", "constructor", "hasOwnProperty", "toString"]);
    expect([m.metadata["__proto__"], m.metadata.toString, m.metadata.constructor]).toEqual(["x", "t", "c"]);
    expect(Object.getPrototypeOf(m.metadata)).toBeNull();
  });

  it("a map entry missing its key or value decodes them as empty strings; the last duplicate key wins", () => {
    // metadata entries: {value: "v"}, {key: "k"}, {key: "k", value: "2"}
    const bytes = Uint8Array.from([0x1a, 0x03, 0x12, 0x01, 0x76, 0x1a, 0x03, 0x0a, 0x01, 0x6b, 0x1a, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x32]);
    expect({ ...ErrorInfoCodec.decode(bytes).metadata }).toEqual({ "": "v", k: "2" });
  });
});

describe("packAny / unpackAny", () => {
  it("wraps a message with its type URL and unwraps it", () => {
    const user = UserCodec.create({ id: "u1", username: "ada", createdAt: 1_732_000_000_000n });
    const any = packAny(UserCodec, user);
    expect(any.typeUrl).toBe("type.googleapis.com/user.User");
    expect(anyIs(UserCodec, any)).toBe(true);
    expect(unpackAny(UserCodec, any)).toEqual(user);
    expect(unpackAny(BadRequestCodec, any)).toBeUndefined();
  });

  it("carries details through google.rpc.Status and protobufjs", () => {
    const br = BadRequestCodec.create({ fieldViolations: [{ field: "email", description: "not an address", reason: "" }] });
    const info = ErrorInfoCodec.create({ reason: "USERNAME_TAKEN", domain: "user.example.com", metadata: { username: "ada" } });
    const st = StatusCodec.create({ code: 6, message: "already exists", details: [packAny(BadRequestCodec, br), packAny(ErrorInfoCodec, info)] });
    const bytes = StatusCodec.encode(st);
    const theirs = pbToPlain(googleRoot.lookupType("google.rpc.Status"), bytes) as { details: { typeUrl: string }[] };
    expect(theirs.details.map((d) => d.typeUrl)).toEqual(["type.googleapis.com/google.rpc.BadRequest", "type.googleapis.com/google.rpc.ErrorInfo"]);
    const back = StatusCodec.decode(bytes);
    expect(back.details.map((d) => unpackAny(BadRequestCodec, d)).filter((x) => x)).toEqual([br]);
    expect({ ...unpackAny(ErrorInfoCodec, back.details[1])?.metadata }).toEqual({ username: "ada" });
  });

  it("accepts any URL prefix, only the type name counts", () => {
    expect(anyIs(EmptyCodec, { typeUrl: "example.com/x/google.protobuf.Empty", value: new Uint8Array(0) })).toBe(true);
    expect(anyIs(EmptyCodec, { typeUrl: "google.protobuf.Empty", value: new Uint8Array(0) })).toBe(true);
    expect(anyIs(EmptyCodec, { typeUrl: "type.googleapis.com/google.protobuf.Empty2", value: new Uint8Array(0) })).toBe(false);
  });
});
