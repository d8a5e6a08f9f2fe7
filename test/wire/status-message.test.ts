import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeStatusMessage, encodeStatusMessage } from "../../src/wire/status-message.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

describe("grpc-message percent-encoding", () => {
  it("leaves printable ASCII alone and encodes the rest", () => {
    expect(encodeStatusMessage("plain text ~!")).toBe("plain text ~!");
    expect(encodeStatusMessage("50%")).toBe("50%25");
    expect(encodeStatusMessage("a\nb")).toBe("a%0Ab");
    expect(encodeStatusMessage("héllo")).toBe("h%C3%A9llo");
    expect(encodeStatusMessage("😈")).toBe("%F0%9F%98%88");
  });
  it("round-trips any string", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => {
      const enc = encodeStatusMessage(s);
      expect(enc).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeStatusMessage(enc)).toBe(s);
    }), { seed: FUZZ_SEED });
  });
  it("tolerates bad encodings", () => {
    expect(decodeStatusMessage("100%")).toBe("100%");
    expect(decodeStatusMessage("%zz ok")).toBe("%zz ok");
    expect(decodeStatusMessage("%FF")).toBe("\uFFFD");
    expect(decodeStatusMessage("%e9t%C3%A9")).toBe("\uFFFDté");
  });
});
