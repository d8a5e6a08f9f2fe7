import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { BatchedLineWriter } from "../../src/service/log-writer.js";
import { durationText, formatCallLine } from "../../src/service/call-log.js";
import { createLogger, formatLine } from "../../src/service/logger.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

describe("logger", () => {
  it("writes one JSON object per line at or above its level", () => {
    const lines: string[] = [];
    const log = createLogger("warn", (l) => lines.push(l));
    log.log("info", "hidden");
    log.log("warn", "shown", { n: 1, skipped: undefined });
    log.log("error", "also");
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith("\n") && !l.slice(0, -1).includes("\n"))).toBe(true);
    expect(JSON.parse(lines[0])).toMatchObject({ level: "warn", msg: "shown", n: 1 });
    expect(log.enabled("info")).toBe(false);
    expect(log.enabled("error")).toBe(true);
  });

  it("writes nothing when silent", () => {
    const lines: string[] = [];
    const log = createLogger("silent", (l) => lines.push(l));
    log.log("error", "x");
    expect(lines).toEqual([]);
  });
});

describe("formatLine", () => {
  it("gives exactly JSON.stringify's line for any strings, numbers and booleans", () => {
    const value = fc.oneof(fc.string({ unit: "binary" }), fc.double(), fc.integer(), fc.boolean(), fc.constant(undefined));
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.dictionary(fc.string({ unit: "binary" }), value), (msg, fields) => {
        const expected = JSON.stringify({ time: "2026-01-01T00:00:00.000Z", level: "info", msg, ...fields }) + "\n";
        // Keys that collide with time/level/msg would be reordered by the spread: not a shape we log.
        fc.pre(!("time" in fields) && !("level" in fields) && !("msg" in fields) && !("__proto__" in fields));
        expect(formatLine("info", msg, fields, "2026-01-01T00:00:00.000Z")).toBe(expected);
      }),
      { numRuns: 2000, seed: FUZZ_SEED },
    );
  });
});

describe("formatCallLine", () => {
  it("gives exactly formatLine's call line (JSON.stringify's) for any field values", () => {
    const text = fc.string({ unit: "binary" });
    const maybe = fc.option(text, { nil: undefined });
    const entry = fc.record({
      method: text,
      code: text,
      status: fc.integer({ min: 0, max: 16 }),
      durationMs: fc.oneof(fc.double(), fc.integer()),
      requestId: maybe,
      peer: text,
      role: maybe,
      error: maybe,
      cause: maybe,
    });
    fc.assert(
      fc.property(fc.constantFrom("info", "error"), entry, (level, e) => {
        const time = "2026-01-01T00:00:00.000Z";
        const fields = { method: e.method, code: e.code, status: e.status, duration_ms: e.durationMs, request_id: e.requestId, peer: e.peer, role: e.role, error: e.error, cause: e.cause };
        expect(formatCallLine(level, e, time)).toBe(formatLine(level, "call", fields, time));
      }),
      { numRuns: 2000, seed: FUZZ_SEED },
    );
  });
});

describe("durationText", () => {
  it("prints a duration rounded to the microsecond exactly as String() does", () => {
    const micros = fc.oneof(fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(micros, (us) => {
        const ms = Math.round(us) / 1000;
        expect(durationText(ms)).toBe(String(ms));
      }),
      { numRuns: 5000, seed: FUZZ_SEED },
    );
    for (const ms of [0, 0.001, 0.01, 0.1, 0.5, 1, 1.2, 1.23, 10.05, 999.999, -1, 0.0001, 1e20, NaN, Infinity]) {
      expect(durationText(ms)).toBe(Number.isFinite(ms) ? String(ms) : "null");
    }
  });
});

describe("BatchedLineWriter", () => {
  it("writes the lines of its delay together, in order, and flush() writes what is left at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "log-writer-"));
    const file = join(dir, "log");
    const fd = openSync(file, "w");
    try {
      vi.useFakeTimers({ toFake: ["setTimeout"] });
      const w = new BatchedLineWriter(fd, 64, 20);
      w.write("a\n");
      await new Promise((r) => setImmediate(r));
      w.write("b\n");
      vi.advanceTimersByTime(19);
      expect(readFileSync(file, "utf8")).toBe(""); // buffered across turns, until the delay
      vi.advanceTimersByTime(1);
      expect(readFileSync(file, "utf8")).toBe("a\nb\n");
      w.write("x".repeat(100) + "\n"); // past the bound: written at once, not buffered
      expect(readFileSync(file, "utf8")).toHaveLength(4 + 101);
      w.write("c\n");
      w.flush();
      expect(readFileSync(file, "utf8").endsWith("c\n")).toBe(true);
    } finally {
      vi.useRealTimers();
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
