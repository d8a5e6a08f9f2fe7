import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/service/logger.js";

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
