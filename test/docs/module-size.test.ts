// The layout rule of docs/DEVELOPING.md (issue 11): every module in src/ is small enough to read in one sitting.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");
const MAX_LINES = 450;

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("module size", () => {
  it(`keeps every src/ module at ${MAX_LINES} lines or fewer`, () => {
    const files = modules(SRC);
    expect(files.length).toBeGreaterThan(50);
    const over = files
      .map((f) => ({ file: relative(SRC, f), lines: readFileSync(f, "utf8").split("\n").length - 1 }))
      .filter((m) => m.lines > MAX_LINES);
    expect(over).toEqual([]);
  });
});
