// Tests src/codec/reader.ts string fields (protobuf.dev "Encoding" § Length-Delimited Records): ASCII strings cut from a
// latin1 window of the input, short ones built in JS, the rest through the native UTF-8 decoder, over runs of strings
// that start, end and straddle windows, and ill-formed UTF-8 rejected wherever it lies.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError, Reader, Writer, sizeString } from "../../src/codec/index.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

const ascii = (max: number) => fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: max });
/** ASCII of every length around the thresholds (12/13 characters, the 256-byte window), and non-ASCII. */
const piece = fc.oneof(ascii(14), ascii(40), ascii(300), fc.string({ unit: "binary", maxLength: 20 }), fc.string({ unit: "grapheme", maxLength: 5 }));

function encodeAll(list: readonly string[]): Buffer {
  const buf = Buffer.alloc(list.reduce((n, s) => n + sizeString(s), 0));
  const w = new Writer(buf);
  for (const s of list) w.string(s);
  return buf;
}

describe("Reader.string", () => {
  it("reads back every string of a run, as Buffer.toString does", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (list) => {
        const r = new Reader(encodeAll(list));
        const got = list.map(() => r.string());
        expect(got).toEqual(list.map((s) => Buffer.from(s, "utf8").toString("utf8")));
        expect(r.pos).toBe(r.end);
      }),
      { numRuns: 500, seed: FUZZ_SEED },
    );
  });

  it("rejects ill-formed UTF-8 anywhere in a run, also after ASCII strings already read from the window", () => {
    const bad = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]];
    fc.assert(
      fc.property(fc.array(ascii(40), { maxLength: 8 }), fc.constantFrom(...bad), fc.nat(20), (before, badBytes, at) => {
        const prefix = encodeAll(before);
        const field = Buffer.from([...Buffer.from("ok".repeat(at % 10)), ...badBytes]);
        const input = Buffer.concat([prefix, Buffer.from([field.length]), field]);
        const r = new Reader(input);
        for (const s of before) expect(r.string()).toBe(s);
        expect(() => r.string()).toThrowError(expect.objectContaining({ reason: "invalid-utf8" }));
      }),
      { numRuns: 300, seed: FUZZ_SEED },
    );
  });

  it("a string is never read past the message it belongs to, however far the window reaches", () => {
    // A length prefix of 41 in a message of 41 bytes (prefix included), in an input that goes on with ASCII.
    const input = Buffer.from([41, ...Buffer.from("a".repeat(40)), ...Buffer.from("tail".repeat(80))]);
    const r = new Reader(input);
    r.end = 41; // as inside r.message(): the message's own bytes only
    expect(() => r.string()).toThrow(CodecError);
  });
});
