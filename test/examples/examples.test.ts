// `npm run examples` under `npm test`: every file in examples/ runs and checks what it shows
// (examples/run-all.ts starts the user service for usage.ts; the others start their own servers).

import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("examples", () => {
  it("npm run examples: every example runs and passes its own checks", async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "examples/run-all.ts"], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.on("exit", (code) => resolve({ code, out }));
    });
    expect(r.out).toMatch(/all \d+ example runs passed/);
    expect(r.code, r.out).toBe(0);
  }, 300_000);
});
