// The call log under load and at the end (src/service/log-writer.ts): `npm start`'s buffered log loses
// no line when SIGTERM stops it mid-load, and a fatal error flushes what is buffered before exiting.

import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { UserServiceClient } from "../../src/service/user-client.js";
import { Metadata } from "../../src/wire/metadata.js";
import { TOKENS } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "call-log-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LogLine {
  msg: string;
  request_id?: string;
  token?: unknown;
}
function readLog(file: string): LogLine[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as LogLine);
}

describe("call log", () => {
  it("npm start: SIGTERM under load leaves a log line for every call a client saw complete", async () => {
    const logFile = join(dir, "sigterm.log");
    const fd = openSync(logFile, "w");
    const child = spawn(process.execPath, ["--import", "tsx", "src/service/main.ts", "--port", "0", "--host", "127.0.0.1"], {
      // The default level (info): the call log is on. stderr goes to a file, as an operator would send it.
      env: { ...process.env, AUTH_TOKENS: `${TOKENS.admin}=admin`, LOG_LEVEL: "", SHUTDOWN_GRACE_MS: "20000" },
      stdio: ["ignore", "pipe", fd],
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const completed: string[] = [];
    try {
      const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(first)![1];
      const clients = Array.from({ length: 4 }, () => new UserServiceClient({ target: `127.0.0.1:${port}`, token: TOKENS.admin }));
      const seed = await clients[0].createUser({ username: "log_seed", email: "log_seed@example.com" });
      let stop = false;
      let n = 0;
      // 4 connections × 8 calls in flight, GetUser and CreateUser, each with its own x-request-id.
      const worker = async (c: UserServiceClient, w: number): Promise<void> => {
        for (let i = 0; !stop && i < 100_000; i++) {
          const id = `t-${w}-${i}`;
          const metadata = new Metadata();
          metadata.set("x-request-id", id);
          const done = i % 2 === 0 ? c.getUser(seed.id, { metadata }) : c.createUser({ username: `u_${w}_${i}`, email: `u_${w}_${i}@example.com` }, { metadata });
          try {
            await done;
            completed.push(id);
          } catch {
            // Refused or cut off by the shutdown: the client did not see it complete.
          }
          if (++n === 400) {
            // Mid-load: the other 31 workers' calls are in flight when the signal lands; they finish
            // (or are refused), and no new call starts.
            child.kill("SIGTERM");
            stop = true;
          }
        }
      };
      await Promise.all(clients.flatMap((c, k) => Array.from({ length: 8 }, (_, j) => worker(c, k * 8 + j))));
      for (const c of clients) c.channel.destroy();
      expect(await exited).toBe(0);
      const lines = readLog(logFile);
      const logged = new Set(lines.filter((l) => l.msg === "call").map((l) => l.request_id));
      const missing = completed.filter((id) => !logged.has(id));
      expect(completed.length).toBeGreaterThanOrEqual(400);
      expect(missing).toEqual([]);
      expect(lines.some((l) => l.msg === "stopped")).toBe(true);
      expect(readFileSync(logFile, "utf8")).not.toContain(TOKENS.admin);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);

  it("a fatal error (uncaught exception) flushes the buffered lines, logs it, and exits 1", async () => {
    const logFile = join(dir, "fatal.log");
    const script = join(dir, "fatal.ts");
    const logger = new URL("../../src/service/logger.ts", import.meta.url).pathname;
    const hooks = new URL("../../src/service/process-hooks.ts", import.meta.url).pathname;
    writeFileSync(
      script,
      `import { createLogger } from ${JSON.stringify(logger)};\n` +
        `import { flushLogOnExit } from ${JSON.stringify(hooks)};\n` +
        `const log = createLogger("info");\nflushLogOnExit(log);\n` +
        `for (let i = 0; i < 5000; i++) log.log("info", "call", { request_id: "r" + i });\n` +
        `throw new Error("boom");\n`,
    );
    const fd = openSync(logFile, "w");
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "ignore", fd] });
    closeSync(fd);
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(1);
    const lines = readLog(logFile);
    expect(lines.filter((l) => l.msg === "call")).toHaveLength(5000);
    expect(lines.at(-1)).toMatchObject({ msg: "fatal", level: "error" });
    expect(JSON.stringify(lines.at(-1))).toContain("boom");
  }, 60_000);
});
