// Tests src/codec/writer.ts string fields over every kind of V8 string (sequential, cons, sliced,
// internalized, two-byte, with surrogates): the same UTF-8 bytes as Buffer.from, through one Writer
// that has seen all of them (its character loop is shared by every kind, see writer.ts `charCodeAt`).

import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Writer, sizeString, utf8Length } from "../../src/codec/index.js";

function kinds(): Array<[string, string]> {
  const ascii = Buffer.from("seed_1234@bench.example");
  const internalized: Record<string, number> = {};
  const keyed = ascii.toString("latin1", 0, 9);
  internalized[keyed] = 1; // used as a property key: V8 internalizes it (the original may become a thin string)
  return [
    ["sequential", ascii.toString("utf8")],
    ["cons (randomUUID)", randomUUID()],
    ["cons (concatenation)", "Seed User " + String(ascii.length * 1000 + 7)],
    ["sliced", ascii.toString("utf8").slice(1)],
    ["literal (internalized)", "ROLE_MODERATOR"],
    ["property key", keyed],
    ["one character", String.fromCharCode(0x61)],
    ["empty", ""],
    ["two-byte", "Zoë Ünïcødé 名前"],
    ["surrogate pair", "emoji 😀 inside"],
    ["lone surrogate", "bad \ud800 half"],
    ["long two-byte", "ä".repeat(80)],
    ["long cons", randomUUID() + randomUUID()],
  ];
}

describe("Writer.string over string kinds", () => {
  it("writes the length prefix and UTF-8 bytes Buffer.from gives, whatever the kind, in any order", () => {
    const all = kinds();
    // Twice over, the second time in reverse: each call site has then seen every kind.
    for (const list of [all, [...all].reverse()]) {
      for (const [name, s] of list) {
        const expected = Buffer.from(s, "utf8");
        expect(utf8Length(s), name).toBe(expected.length);
        const buf = Buffer.alloc(sizeString(s));
        const w = new Writer(buf);
        w.string(s);
        expect(w.pos, name).toBe(buf.length);
        const prefix = buf.length - expected.length;
        expect(buf.subarray(prefix).equals(expected), name).toBe(true);
      }
    }
  });
});
