// Tests src/codec/codec.ts (encodeWith/defineCodec) and the sub-message size cache of
// src/codec/writer.ts under codecs that misbehave in the ways a hand-written codec might.

import { describe, expect, it } from "vitest";
import { WireType, defineCodec, encodeWith, sizeMessage, sizeVarint32 } from "../../src/codec/index.js";
import { UserCodec } from "../../src/schema/user.js";
import { StatusCodec, packAny } from "../../src/schema/google-rpc.js";
import type { Codec, CodecParts } from "../../src/codec/index.js";
import type { User } from "../../src/schema/user.js";

interface Pair {
  a: User[];
  b: User[];
}

const users = (n: number, tag: string): User[] =>
  Array.from({ length: n }, (_, i) => UserCodec.create({ id: `${tag}${i}`, username: tag.repeat(i * 40 + 1), createdAt: BigInt(i) }));

function readPair(r: Parameters<CodecParts<Pair>["read"]>[0]): Pair {
  const m: Pair = { a: [], b: [] };
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 0x0a) m.a.push(r.message(UserCodec));
    else if (tag === 0x12) m.b.push(r.message(UserCodec));
    else r.skip(tag);
  }
  return m;
}

describe("sub-message size cache", () => {
  it("a codec whose size and write visit sub-messages in different orders still encodes correctly", () => {
    const Reversed: Codec<Pair> = defineCodec<Pair>({
      typeName: "test.Pair",
      create: () => ({ a: [], b: [] }),
      size(m) {
        let n = 0;
        for (const u of m.b) n += 1 + sizeMessage(UserCodec, u);
        for (const u of m.a) n += 1 + sizeMessage(UserCodec, u);
        return n;
      },
      write(m, w) {
        for (const u of m.a) w.tag(1, WireType.LEN).message(UserCodec, u);
        for (const u of m.b) w.tag(2, WireType.LEN).message(UserCodec, u);
      },
      read: readPair,
    });
    const m = { a: users(3, "a"), b: users(4, "b") };
    expect(Reversed.decode(Reversed.encode(m))).toEqual(m);
  });

  it("a codec that encodes other messages inside size() and write() still encodes correctly", () => {
    const Nested: Codec<Pair> = defineCodec<Pair>({
      typeName: "test.Pair",
      create: () => ({ a: [], b: [] }),
      size(m) {
        let n = 0;
        for (const u of m.a) {
          n += 1 + sizeMessage(UserCodec, u);
          StatusCodec.encode({ code: 1, message: "x", details: [packAny(UserCodec, u)] });
        }
        for (const u of m.b) n += 1 + sizeMessage(UserCodec, u);
        return n;
      },
      write(m, w) {
        for (const u of m.a) {
          w.tag(1, WireType.LEN).message(UserCodec, u);
          StatusCodec.encode({ code: 1, message: "y", details: [packAny(UserCodec, u)] });
        }
        for (const u of m.b) w.tag(2, WireType.LEN).message(UserCodec, u);
      },
      read: readPair,
    });
    const m = { a: users(3, "a"), b: users(2, "b") };
    expect(Nested.decode(Nested.encode(m))).toEqual(m);
  });

  it("the same message object twice, and a manual length prefix, are fine", () => {
    const u = users(5, "u")[4];
    const Manual: Codec<Pair> = defineCodec<Pair>({
      typeName: "test.Pair",
      create: () => ({ a: [], b: [] }),
      size: (m) => m.a.reduce((n, x) => n + 1 + sizeMessage(UserCodec, x), 0) + m.b.reduce((n, x) => n + 1 + sizeVarint32(UserCodec.size(x)) + UserCodec.size(x), 0),
      write(m, w) {
        for (const x of m.a) w.tag(1, WireType.LEN).message(UserCodec, x);
        for (const x of m.b) {
          w.tag(2, WireType.LEN).uint32(UserCodec.size(x));
          UserCodec.write(x, w);
        }
      },
      read: readPair,
    });
    const m = { a: [u, u], b: [u] };
    expect(Manual.decode(Manual.encode(m))).toEqual(m);
  });
});

describe("encoding into the shared slab (codecs with maxSize)", () => {
  it("buffers handed out stay intact across many encodes and slab changes", () => {
    const all = Array.from({ length: 3000 }, (_, i) => UserCodec.create({ id: `id-${i}`, fullName: "é".repeat(i % 50), createdAt: BigInt(i) }));
    const encoded = all.map((u, i) => UserCodec.encode(u, i % 3 === 0 ? 5 : 0));
    encoded.forEach((b, i) => {
      const body = i % 3 === 0 ? b.subarray(5) : b;
      if (i % 3 === 0) expect(Array.from(b.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
      expect(body.length).toBe(UserCodec.size(all[i]));
      expect(UserCodec.decode(body)).toEqual(all[i]);
    });
  });

  it("a message bigger than the slab limit (the bounded path) gets a Buffer of its exact size", () => {
    const u = UserCodec.create({ fullName: "x".repeat(5000) });
    const b = UserCodec.encode(u);
    expect(b.length).toBe(UserCodec.size(u));
    expect(UserCodec.decode(b)).toEqual(u);
  });

  it("an encode nested inside write() does not overwrite the outer message", () => {
    const inner = UserCodec.create({ id: "inner", username: "i".repeat(30) });
    let innerBytes: Buffer | undefined;
    const Outer: Codec<{ u: User }> = defineCodec<{ u: User }>({
      typeName: "test.Outer",
      create: () => ({ u: UserCodec.create() }),
      size: (m) => 1 + sizeMessage(UserCodec, m.u),
      maxSize: (m) => 6 + UserCodec.size(m.u),
      write(m, w) {
        w.tag(1, WireType.LEN);
        innerBytes = UserCodec.encode(inner);
        w.message(UserCodec, m.u);
      },
      read(r) {
        const m = { u: UserCodec.create() };
        while (r.pos < r.end) {
          const tag = r.tag();
          if (tag === 0x0a) m.u = r.message(UserCodec);
          else r.skip(tag);
        }
        return m;
      },
    });
    const outer = { u: UserCodec.create({ id: "outer", email: "o".repeat(20) }) };
    const bytes = Outer.encode(outer);
    expect(Outer.decode(bytes)).toEqual(outer);
    expect(UserCodec.decode(innerBytes ?? new Uint8Array(0))).toEqual(inner);
  });

  it("a maxSize that is not an upper bound is reported, not turned into bad bytes", () => {
    const Liar: CodecParts<{ s: string }> = {
      typeName: "test.Liar",
      create: () => ({ s: "" }),
      size: (m) => 1 + 1 + m.s.length,
      maxSize: () => 3,
      write: (m, w) => void w.tag(1, WireType.LEN).string(m.s),
      read: () => ({ s: "" }),
    };
    expect(() => encodeWith(Liar, { s: "abcdef" })).toThrow(/test\.Liar: wrote 8 bytes, maxSize said 3/);
    // and the next encode is unaffected
    expect(UserCodec.decode(UserCodec.encode(UserCodec.create({ id: "ok" }))).id).toBe("ok");
  });
});

describe("encodeWith / decode", () => {
  it("throws when size() and write() disagree (a codec bug), instead of returning bad bytes", () => {
    const Liar: CodecParts<{ n: number }> = {
      typeName: "test.Liar",
      create: () => ({ n: 0 }),
      size: () => 5,
      write: (m, w) => void w.tag(1, WireType.VARINT).uint32(m.n),
      read: () => ({ n: 0 }),
    };
    expect(() => encodeWith(Liar, { n: 1 })).toThrow(/test\.Liar: wrote 2 bytes, sized 5/);
  });

  it("decode reads a plain Uint8Array that is a window into a larger buffer", () => {
    const bytes = UserCodec.encode(UserCodec.create({ id: "abc", createdAt: 5n }));
    const big = new Uint8Array(bytes.length + 20);
    big.set(bytes, 7);
    expect(UserCodec.decode(big.subarray(7, 7 + bytes.length))).toEqual(UserCodec.create({ id: "abc", createdAt: 5n }));
  });
});
