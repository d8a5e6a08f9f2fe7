// `npm run examples`: starts the user service (as `npm start` does, on a free port), runs
// examples/usage.ts against it and once against a stopped server (it must fail in one line), then
// every other example, each a separate process; exits 1 if any fails. test/examples/examples.test.ts
// runs it under `npm test`, so the examples cannot rot.
//
//   npm run examples

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const here = path.join(root, "examples");
/** Every example but this runner and usage.ts (which needs the user service), in a teaching order. */
const SELF_CONTAINED = ["own-server.ts", "interceptors.ts", "metadata.ts", "error-details.ts", "deadlines.ts", "compression.ts", "tls.ts"];
const TOKEN = "examples-admin-token";

interface Result {
  code: number | null;
  out: string;
  err: string;
}

function run(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, file), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const failures: string[] = [];
function report(name: string, ok: boolean, r: Result, why = "", shown = ok ? r.out : r.err || r.out): void {
  const first = shown.trim().split("\n");
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${why === "" ? "" : ` (${why})`}`);
  for (const line of ok ? first.slice(0, 3) : first.slice(-15)) console.log(`       ${line}`);
  if (!ok) failures.push(name);
}

// Every example must be listed here, and must open with a comment giving the command that runs it.
const files = readdirSync(here).filter((f) => f.endsWith(".ts") && f !== "run-all.ts");
for (const f of files) {
  if (f !== "usage.ts" && !SELF_CONTAINED.includes(f)) failures.push(`${f}: not listed in examples/run-all.ts`);
  const head = readFileSync(path.join(here, f), "utf8").split("\n").slice(0, 12).join("\n");
  if (!head.startsWith("//") || !head.includes(`examples/${f}`)) failures.push(`${f}: its opening comment must say what it shows and how to run it (examples/${f})`);
}
for (const f of failures) console.log(`FAIL ${f}`);

// The user service, as `npm start` runs it.
const service = spawn(process.execPath, ["--import", "tsx", path.join(root, "src/service/main.ts"), "--port", "0", "--host", "127.0.0.1"], {
  cwd: root,
  env: { ...process.env, AUTH_TOKENS: `${TOKEN}=admin`, LOG_LEVEL: "warn" },
  stdio: ["ignore", "pipe", "pipe"],
});
let serviceLog = "";
service.stderr.setEncoding("utf8").on("data", (d: string) => (serviceLog += d));
const serviceExit = new Promise<number | null>((resolve) => service.once("exit", resolve));
try {
  const first = await new Promise<string>((resolve) => {
    createInterface({ input: service.stdout }).once("line", resolve);
    service.once("exit", () => resolve(""));
  });
  const port = /^user service listening on 127\.0\.0\.1:(\d+) /.exec(first + " ")?.[1];
  if (port === undefined) throw new Error(`the user service did not start: ${first}\n${serviceLog}`);
  service.stdout.resume();
  const target = `127.0.0.1:${port}`;

  let r = await run("usage.ts", [target], { USERCTL_TOKEN: TOKEN });
  const usageOk = r.code === 0 && /created_at \d{4}-\d\d-\d\dT/.test(r.out) && !/\d+n\b/.test(r.out);
  report("usage.ts against the user service", usageOk, r, usageOk ? "" : r.code === 0 ? "created_at must print as an ISO date" : `exit ${r.code}`);

  const stopped = `127.0.0.1:${await closedPort()}`;
  r = await run("usage.ts", [stopped], { USERCTL_TOKEN: TOKEN });
  const lines = r.err.trim().split("\n");
  report("usage.ts against a stopped server fails in one line", r.code === 1 && lines.length === 1 && lines[0].includes("UNAVAILABLE") && lines[0].includes("npm start"), r, `exit ${r.code}, ${lines.length} stderr line(s)`, r.err);

  for (const f of SELF_CONTAINED) {
    r = await run(f);
    report(f, r.code === 0, r, r.code === 0 ? "" : `exit ${r.code}`);
  }
} finally {
  service.kill("SIGTERM");
  if ((await serviceExit) !== 0) failures.push(`the user service exited with ${service.exitCode}:\n${serviceLog}`);
}

console.log(failures.length === 0 ? `all ${SELF_CONTAINED.length + 2} example runs passed` : `${failures.length} failed: ${failures.join("; ")}`);
process.exitCode = failures.length === 0 ? 0 : 1;
