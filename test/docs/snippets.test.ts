// The TypeScript in README.md and docs/*.md compiles, and the snippets marked runnable run.
//
// Fence info strings: ```ts is type-checked; ```ts runnable is also run (`node --import tsx`, must
// exit 0); ```ts runnable server keeps running while the file's later runnable snippets run, then
// gets SIGTERM and must exit 0; ```ts runnable user-service runs against the user service (`npm
// start` with AUTH_TOKENS=admin-token=admin, USERCTL_TOKEN set); `in=src/x` places the snippet in
// that folder (for relative imports like "../codec/index.js"); ```ts fragment is not checked.
// Snippets are written to temporary files inside the repository so that imports resolve; in
// runnable snippets every `50051` becomes a free port.

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, codeBlocks, docFiles, read, type CodeBlock } from "./markdown.js";
import { freePort } from "../support/free-port.js";

const blocks = docFiles().flatMap((f) => codeBlocks(f, read(f))).filter((b) => b.lang === "ts" || b.lang === "typescript");
const checked = blocks.filter((b) => !b.flags.includes("fragment"));
const written: string[] = [];
afterAll(() => {
  for (const f of written) rmSync(f, { force: true });
});


/** Writes the snippet where its imports resolve; returns the file's absolute path. */
function writeSnippet(b: CodeBlock, port?: number): string {
  const dir = b.flags.find((f) => f.startsWith("in="))?.slice(3) ?? ".";
  const name = `.doc-snippet-${b.file.replace(/[^\w]+/g, "-")}-${b.line}${port === undefined ? "" : "-run"}-${process.pid}.ts`;
  const file = path.join(ROOT, dir, name);
  const code = port === undefined ? b.code : b.code.replaceAll("50051", String(port));
  writeFileSync(file, `${code}\nexport {};\n`); // a module even without imports: top-level await, no global clashes
  written.push(file);
  return file;
}

function where(b: CodeBlock): string {
  return `${b.file}:${b.line}`;
}

interface Run {
  code: number | null;
  out: string;
}

function collect(child: ChildProcess): Promise<Run> {
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (out += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out })));
}

function runSnippet(file: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return collect(child).finally(() => clearTimeout(timer));
}

/** Starts a long-running process; resolves once it has printed its first stdout line. */
async function startUntilLine(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; first: string; done: Promise<Run> }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve) => {
    lines.once("line", resolve);
    child.once("exit", () => resolve(""));
  });
  lines.close();
  return { child, first, done: collect(child) };
}

describe("docs: TypeScript snippets", () => {
  it("every ts snippet of README.md and docs/*.md type-checks", async () => {
    expect(checked.length).toBeGreaterThanOrEqual(8);
    const files = new Map(checked.map((b) => [writeSnippet(b), b]));
    const config = path.join(ROOT, `tsconfig.doc-snippets-${process.pid}.json`);
    writeFileSync(config, JSON.stringify({ extends: "./tsconfig.json", include: [], files: [...files.keys()] }));
    written.push(config);
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [tsc, "--noEmit", "-p", config], { cwd: ROOT, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, out: stdout + stderr });
      });
    });
    // Name the markdown file and line instead of the temporary file.
    let report = result.out;
    for (const [file, b] of files) {
      const rel = path.relative(ROOT, file).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      report = report.replace(new RegExp(`${rel}\\((\\d+),(\\d+)\\)`, "g"), (_m, l: string, c: string) => `${b.file}:${b.line + Number(l)}:${c}`);
    }
    expect(report.trim(), report).toBe("");
    expect(result.code).toBe(0);
  }, 180_000);

  const runnableFiles = [...new Set(blocks.filter((b) => b.flags.includes("runnable")).map((b) => b.file))];
  it("there are runnable snippets: README's server and client, docs/SERVICE.md's client", () => {
    expect(runnableFiles).toEqual(expect.arrayContaining(["README.md", "docs/SERVICE.md"]));
  });

  for (const doc of runnableFiles) {
    it(`${doc}: the runnable snippets run, in order`, async () => {
      const port = await freePort();
      const env = { USERCTL_TOKEN: "admin-token" };
      const background: Array<{ what: string; child: ChildProcess; done: Promise<Run> }> = [];
      try {
        for (const b of blocks.filter((x) => x.file === doc && x.flags.includes("runnable"))) {
          if (b.flags.includes("user-service") && !background.some((s) => s.what === "user service")) {
            const s = await startUntilLine(["--import", "tsx", "src/service/main.ts"], { PORT: String(port), HOST: "127.0.0.1", AUTH_TOKENS: "admin-token=admin", LOG_LEVEL: "warn" });
            expect(s.first, "the user service did not start").toMatch(/listening on/);
            background.push({ what: "user service", ...s });
          }
          const file = writeSnippet(b, port);
          if (b.flags.includes("server")) {
            const s = await startUntilLine(["--import", "tsx", file], env);
            expect(s.first, `${where(b)}: the server snippet printed nothing before exiting`).not.toBe("");
            background.push({ what: where(b), ...s });
          } else {
            const r = await runSnippet(file, env);
            expect(r.code, `${where(b)} exited ${r.code}:\n${r.out}`).toBe(0);
          }
        }
      } finally {
        for (const s of background) s.child.kill("SIGTERM");
      }
      for (const s of background) {
        const timer = setTimeout(() => s.child.kill("SIGKILL"), 20_000);
        const r = await s.done;
        clearTimeout(timer);
        expect(r.code, `${s.what} did not exit 0 on SIGTERM:\n${r.out}`).toBe(0);
      }
    }, 180_000);
  }
});
