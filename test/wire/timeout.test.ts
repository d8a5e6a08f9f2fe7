import { describe, expect, it } from "vitest";
import { formatTimeout, parseTimeout } from "../../src/wire/timeout.js";

describe("grpc-timeout", () => {
  it("parses every unit", () => {
    expect(parseTimeout("2H")).toEqual({ ok: true, timeoutMs: 7_200_000 });
    expect(parseTimeout("3M")).toEqual({ ok: true, timeoutMs: 180_000 });
    expect(parseTimeout("4S")).toEqual({ ok: true, timeoutMs: 4000 });
    expect(parseTimeout("5m")).toEqual({ ok: true, timeoutMs: 5 });
    expect(parseTimeout("6000u")).toEqual({ ok: true, timeoutMs: 6 });
    expect(parseTimeout("7000000n")).toEqual({ ok: true, timeoutMs: 7 });
    expect(parseTimeout("99999999S").ok).toBe(true);
  });
  it("rejects malformed values with a message", () => {
    for (const bad of ["", "1", "S", "123456789S", "1s", "-1S", "1.5S", " 1S", "1X"]) {
      const r = parseTimeout(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error).toContain("grpc-timeout");
    }
  });
  it("formats within 8 digits and never earlier than asked", () => {
    for (const ms of [0.000001, 1, 50, 1234.5, 99_999, 100_000, 86_400_000, 1e12, 1e15]) {
      const s = formatTimeout(ms);
      expect(s).toMatch(/^\d{1,8}[HMSmun]$/);
      const r = parseTimeout(s);
      expect(r.ok).toBe(true);
      if (r.ok && ms < 1e14) expect(r.timeoutMs).toBeGreaterThanOrEqual(ms - 1e-9);
    }
    expect(formatTimeout(-5)).toBe("1n");
  });
});
