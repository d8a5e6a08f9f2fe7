// Tests the Reader's and Writer's 64-bit varints (protobuf.dev "Encoding" § Base 128 Varints) on raw, possibly non-canonical byte runs, against a bigint reference.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError, Reader, Writer } from "../../src/codec/index.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

/** The value of a varint of 1..10 bytes, modulo 2^64 (bits past 63 dropped, as parsers do). */
function reference(bytes: readonly number[]): bigint {
  let v = 0n;
  bytes.forEach((b, i) => (v |= BigInt(b & 0x7f) << BigInt(7 * i)));
  return BigInt.asUintN(64, v);
}

/** 1..10 bytes, continuation bit on all but the last, any payload bits (so also over-long forms). */
const varintBytes = fc
  .array(fc.integer({ min: 0, max: 0x7f }), { minLength: 1, maxLength: 10 })
  .map((low) => low.map((b, i) => (i < low.length - 1 ? b | 0x80 : b)));

describe("Reader 64-bit varints", () => {
  it("read uint64, int64 and sint64 as the bigint reference does, and consume exactly the varint", () => {
    fc.assert(
      fc.property(varintBytes, (bytes) => {
        const u = reference(bytes);
        const buf = Uint8Array.from([...bytes, 0x2a]);
        const zigzag = (u >> 1n) ^ -(u & 1n);
        const reads = [
          [(r: Reader) => r.uint64(), u],
          [(r: Reader) => r.int64(), BigInt.asIntN(64, u)],
          [(r: Reader) => r.sint64(), zigzag],
        ] as const;
        for (const [read, want] of reads) {
          const r = new Reader(buf);
          expect(read(r)).toBe(want);
          expect(r.pos).toBe(bytes.length);
        }
      }),
      { numRuns: 2000, seed: FUZZ_SEED },
    );
  });

  it("edge values", () => {
    const cases: [number[], bigint][] = [
      [[0], 0n],
      [[0x7f], 127n],
      [[0xff, 0xff, 0xff, 0xff, 0x07], 0x7fffffffn],
      [[0xff, 0xff, 0xff, 0xff, 0x0f], 0xffffffffn],
      [[0x80, 0x80, 0x80, 0x80, 0x01], 0x10000000n],
      [[0xff, 0xff, 0xff, 0x7f], 0xfffffffn],
      [[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 1n << 56n],
      [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 2n ** 64n - 1n],
      [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], 2n ** 64n - 1n], // bits past 63 dropped
      [[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 1n << 63n],
    ];
    for (const [bytes, u] of cases) {
      expect(new Reader(Uint8Array.from(bytes)).uint64()).toBe(u);
      expect(new Reader(Uint8Array.from(bytes)).int64()).toBe(BigInt.asIntN(64, u));
    }
  });

  it("reject a varint over 10 bytes and one the input ends inside", () => {
    const long = new Reader(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
    expect(() => long.int64()).toThrow(CodecError);
    for (let n = 1; n <= 10; n++) {
      const r = new Reader(new Uint8Array(n).fill(0x80));
      expect(() => r.uint64()).toThrowError(expect.objectContaining({ reason: n === 10 ? "varint-too-long" : "truncated" }));
    }
  });

  it("Writer.int64/uint64/fixed64 take values modulo 2^64, whatever their range", () => {
    const write = (f: (w: Writer) => void): number[] => {
      const w = new Writer(Buffer.alloc(10));
      f(w);
      return Array.from(w.buf.subarray(0, w.pos));
    };
    for (const v of [0n, 1n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n]) {
      const u = BigInt.asUintN(64, v);
      for (const k of [0n, 1n, -1n, 3n]) {
        const x = v + k * 2n ** 64n; // the same value modulo 2^64
        expect(write((w) => w.int64(x))).toEqual(write((w) => w.uint64(u)));
        expect(write((w) => w.uint64(x))).toEqual(write((w) => w.uint64(u)));
        expect(write((w) => w.fixed64(x))).toEqual(write((w) => w.fixed64(u)));
      }
      expect(new Reader(Uint8Array.from(write((w) => w.uint64(u)))).uint64()).toBe(u);
    }
  });
});
