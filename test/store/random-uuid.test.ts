import { describe, expect, it } from "vitest";
import { randomUuid } from "../../src/store/random-uuid.js";

// RFC 9562 §4 (8-4-4-4-12 lowercase hex), §5.4 (version nibble 4), §4.1 (variant bits 10).
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("randomUuid", () => {
  it("gives version-4 UUIDs of the RFC 9562 variant, across several refills of its random pool", () => {
    for (let i = 0; i < 1000; i++) expect(randomUuid()).toMatch(V4);
  });

  it("never repeats an id and uses every hex digit in every free position", () => {
    const seen = new Set<string>();
    const digitsAt = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 5000; i++) {
      const id = randomUuid();
      seen.add(id);
      for (let c = 0; c < 36; c++) digitsAt[c].add(id[c]);
    }
    expect(seen.size).toBe(5000);
    // The free positions are random: all 16 digits turn up in 5000 ids (a stuck byte would not).
    const fixed = new Set([8, 13, 14, 18, 19, 23]); // dashes, the version digit, the variant digit
    for (let c = 0; c < 36; c++) if (!fixed.has(c)) expect(digitsAt[c].size, `position ${c}`).toBe(16);
    expect([...digitsAt[19]].sort()).toEqual(["8", "9", "a", "b"]);
  });
});
