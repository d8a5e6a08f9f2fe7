// `npm run interop`: gRPC's interop test cases (grpc/grpc doc/interop-test-descriptions.md) between
// our client/server and real peers (grpc-go, @grpc/grpc-js, grpcio), plaintext and TLS; grpcurl and
// grpc-health-probe against the user service. Prints the table and writes it into docs/INTEROP.md.
// Under CI=true a missing peer or a failed case exits non-zero. Peers: `npm run peers:install`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_CASES, runTestCase } from "../../src/interop/client.js";
import { runToolChecks, type ToolCheck } from "./tools.js";
import { probeCompressedResponses, type FlagCheck } from "./wire-probe.js";
import { freePort } from "../support/free-port.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, ".peers/bin");
const PY = path.join(ROOT, ".peers/venv/bin/python");
const CERTS = path.join(ROOT, "test/interop/certs");
const CI = process.env.CI === "true";
const CASE_TIMEOUT_MS = 60_000;
const CONCURRENCY = Number(process.env.INTEROP_CONCURRENCY ?? "3");
const TSX = ["--import", "tsx"];
const HOST_OVERRIDE = "foo.test.google.fr";

type Impl = "ours" | "go" | "grpc-js" | "python";
type Result = { status: "pass" | "fail" | "n/a" | "missing"; reason: string; ms: number; warning?: string };

/** Transport trouble a peer logs even when its case passes (e.g. a GOAWAY from our server). */
const WARNING_RE = /GoAway|GOAWAY|ENHANCE_YOUR_CALM|too_many_pings|RST_STREAM|PROTOCOL_ERROR|INTERNAL_ERROR/;

/**
 * Known failures: reported as ❌ (known) with the reason, and not counted as failures under CI.
 * Key: "<server>|<check>". An entry that starts passing is reported so that it can be removed.
 */
const KNOWN_FAILURES = new Map<string, string>([
  // None today. (Per-message compression in server streams was one until ServerWriter.write took { compress }.)
]);
/** Servers that do not offer CompressedResponse at all: their flag checks are informational. */
const NO_COMPRESSED_RESPONSE = new Map<Impl, string>([
  ["go", "grpc-go's interop server ignores response_compressed"],
  ["grpc-js", "grpc-js servers never compress responses"],
]);

const COMPRESSION_CASES = new Set(["client_compressed_unary", "client_compressed_streaming", "server_compressed_unary", "server_compressed_streaming"]);
const CLIENT_COMPRESSION = new Set(["client_compressed_unary", "client_compressed_streaming"]);
const SERVER_COMPRESSION = new Set(["server_compressed_unary", "server_compressed_streaming"]);

/** Why a case does not apply to a pairing (a peer lacks the feature), or undefined when it does. */
function notApplicable(client: Impl, server: Impl, testCase: string): string | undefined {
  if (client === "go" && COMPRESSION_CASES.has(testCase)) return "grpc-go's interop client has no compression cases";
  // Our client checks the Compressed-Flag of responses, which needs a server that offers CompressedResponse.
  if (client === "ours" && SERVER_COMPRESSION.has(testCase)) {
    const why = NO_COMPRESSED_RESPONSE.get(server);
    if (why !== undefined) return why;
  }
  if (server !== "ours" && CLIENT_COMPRESSION.has(testCase)) {
    return `${server} interop server does not check expect_compressed (CompressedRequest)`;
  }
  return undefined;
}

function peerAvailable(impl: Impl): string | undefined {
  switch (impl) {
    case "ours":
      return undefined;
    case "go":
      return existsSync(path.join(BIN, "go-interop-client")) && existsSync(path.join(BIN, "go-interop-server")) ? undefined : ".peers/bin/go-interop-{client,server} missing";
    case "python":
      return existsSync(PY) && existsSync(path.join(ROOT, ".peers/python-gen")) ? undefined : ".peers/venv missing";
    case "grpc-js":
      return existsSync(path.join(ROOT, "node_modules/@grpc/grpc-js")) ? undefined : "node_modules/@grpc/grpc-js missing";
  }
}


async function waitForPort(port: number, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, "127.0.0.1");
      sock.once("connect", () => {
        sock.destroy();
        resolve(true);
      });
      sock.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface RunningServer {
  impl: Impl;
  tls: boolean;
  port: number;
  child: ChildProcess;
  log: string[];
}

function serverCommand(impl: Impl, port: number, tls: boolean): [string, string[]] {
  switch (impl) {
    case "ours":
      return [process.execPath, [...TSX, path.join(ROOT, "src/interop/server.ts"), `--port=${port}`, `--use_tls=${tls}`]];
    case "go": {
      const args = [`--port=${port}`];
      if (tls) args.push("--use_tls", `--tls_cert_file=${path.join(CERTS, "server1.pem")}`, `--tls_key_file=${path.join(CERTS, "server1.key")}`);
      return [path.join(BIN, "go-interop-server"), args];
    }
    case "grpc-js":
      return [process.execPath, [...TSX, path.join(ROOT, "test/interop/peers/node/server.ts"), `--port=${port}`, `--use_tls=${tls}`]];
    case "python":
      return [PY, [path.join(ROOT, "test/interop/peers/python/server.py"), `--port=${port}`, `--use_tls=${tls}`]];
  }
}

async function startServer(impl: Impl, tls: boolean): Promise<RunningServer> {
  const port = await freePort();
  const [cmd, args] = serverCommand(impl, port, tls);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  const keep = (b: Buffer): void => {
    log.push(b.toString());
    if (log.length > 50) log.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  await waitForPort(port, child);
  return { impl, tls, port, child, log };
}

function stopServer(s: RunningServer): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    const t = setTimeout(() => s.child.kill("SIGKILL"), 3000);
    s.child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    s.child.kill("SIGTERM");
  });
}

function clientCommand(impl: Exclude<Impl, "ours">, port: number, tls: boolean, testCase: string): [string, string[]] {
  const common = ["--server_host=localhost", `--server_port=${port}`, `--test_case=${testCase}`];
  const tlsFlags = tls ? ["--use_tls=true", "--use_test_ca=true", `--server_host_override=${HOST_OVERRIDE}`] : ["--use_tls=false"];
  switch (impl) {
    case "go":
      // grpc-go's boolean flags take `=value`; --ca_file points it at the same test CA.
      return [path.join(BIN, "go-interop-client"), [...common, ...tlsFlags, ...(tls ? [`--ca_file=${path.join(CERTS, "ca.pem")}`] : [])]];
    case "grpc-js":
      return [process.execPath, [...TSX, path.join(ROOT, "test/interop/peers/node/client.ts"), ...common, ...tlsFlags]];
    case "python":
      return [PY, [path.join(ROOT, "test/interop/peers/python/client.py"), ...common, ...tlsFlags]];
  }
}

function lastLines(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const fatal = lines.filter((l) => /FAIL|FATAL|Error|error/.test(l));
  return (fatal.length ? fatal.slice(-2) : lines.slice(-2)).join(" / ").slice(0, 300);
}

function runPeerClient(impl: Exclude<Impl, "ours">, port: number, tls: boolean, testCase: string): Promise<Result> {
  const start = Date.now();
  const [cmd, args] = clientCommand(impl, port, tls, testCase);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), CASE_TIMEOUT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - start;
      const warning = out.split("\n").find((l) => WARNING_RE.test(l))?.trim().slice(0, 240);
      if (code === 0) resolve({ status: "pass", reason: "", ms, warning });
      else resolve({ status: "fail", reason: signal ? `killed after ${CASE_TIMEOUT_MS} ms` : lastLines(out) || `exit ${code}`, ms });
    });
  });
}

async function runOurClient(port: number, tls: boolean, testCase: string): Promise<Result> {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      runTestCase(testCase, { serverHost: "localhost", serverPort: port, useTls: tls, useTestCa: tls, serverHostOverride: tls ? HOST_OVERRIDE : undefined }),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS))),
    ]);
    return { status: "pass", reason: "", ms: Date.now() - start };
  } catch (err) {
    return { status: "fail", reason: err instanceof Error ? err.message : String(err), ms: Date.now() - start };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `jobs` with at most `n` at a time. */
async function pool<T>(jobs: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
  return out;
}

interface Pair {
  client: Impl;
  server: Impl;
  tls: boolean;
}
const label = (p: Pair): string => `${p.client} → ${p.server}${p.tls ? " (TLS)" : ""}`;

async function main(): Promise<void> {
  const started = Date.now();
  const peers: Impl[] = ["go", "grpc-js", "python"];
  const missing = new Map<Impl, string>();
  for (const p of peers) {
    const why = peerAvailable(p);
    if (why !== undefined) missing.set(p, why);
  }
  const pairs: Pair[] = [];
  for (const tls of [false, true]) {
    pairs.push({ client: "ours", server: "ours", tls });
    for (const p of peers) pairs.push({ client: p, server: "ours", tls }, { client: "ours", server: p, tls });
  }

  // One server per (implementation, TLS) that some pair needs.
  const servers = new Map<string, RunningServer>();
  const serverFailures = new Map<string, string>();
  const needed = new Set(pairs.filter((p) => !missing.has(p.server) && !missing.has(p.client)).map((p) => `${p.server}/${p.tls}`));
  await Promise.all(
    [...needed].map(async (key) => {
      const [impl, tls] = key.split("/") as [Impl, string];
      try {
        servers.set(key, await startServer(impl, tls === "true"));
      } catch (err) {
        serverFailures.set(key, `server did not start: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  console.log(`servers up in ${Date.now() - started} ms: ${[...servers.values()].map((s) => `${s.impl}${s.tls ? "+tls" : ""}:${s.port}`).join(" ")}`);

  const results = new Map<string, Result>();
  const jobs: Array<() => Promise<void>> = [];
  for (const pair of pairs) {
    for (const testCase of TEST_CASES) {
      const key = `${label(pair)}|${testCase}`;
      const miss = missing.get(pair.client) ?? missing.get(pair.server);
      if (miss !== undefined) {
        results.set(key, { status: "missing", reason: miss, ms: 0 });
        continue;
      }
      const na = notApplicable(pair.client, pair.server, testCase);
      if (na !== undefined) {
        results.set(key, { status: "n/a", reason: na, ms: 0 });
        continue;
      }
      const sk = `${pair.server}/${pair.tls}`;
      const server = servers.get(sk);
      if (server === undefined) {
        results.set(key, { status: "fail", reason: serverFailures.get(sk) ?? "no server", ms: 0 });
        continue;
      }
      jobs.push(async () => {
        const r = pair.client === "ours" ? await runOurClient(server.port, pair.tls, testCase) : await runPeerClient(pair.client as Exclude<Impl, "ours">, server.port, pair.tls, testCase);
        results.set(key, r);
        if (r.status === "fail") console.log(`FAIL ${key}: ${r.reason}`);
      });
    }
  }
  console.log(`running ${jobs.length} cases, ${CONCURRENCY} at a time…`);
  await pool(jobs, CONCURRENCY);

  // CompressedResponse on the wire (the interop clients cannot see message flags).
  const flagChecks: Array<{ server: string; impl: Impl; checks: FlagCheck[] | string }> = [];
  for (const s of servers.values()) {
    if (s.tls && s.impl !== "ours") continue;
    let checks: FlagCheck[] | string;
    try {
      checks = await probeCompressedResponses(s.port, s.tls, CERTS);
    } catch (err) {
      checks = err instanceof Error ? err.message : String(err);
    }
    flagChecks.push({ server: `${s.impl}${s.tls ? " (TLS)" : ""}`, impl: s.impl, checks });
  }
  await Promise.all([...servers.values()].map(stopServer));
  const caseMs = Date.now() - started;

  const tools = await runToolChecks({ ci: CI, bin: BIN, root: ROOT });
  const totalMs = Date.now() - started;

  // ---- report ----
  const cols = pairs.map(label);
  const cell = (r: Result | undefined): string => (r === undefined ? "?" : r.status === "pass" ? "✅" : r.status === "fail" ? "❌" : r.status === "n/a" ? "n/a" : "missing");
  const lines: string[] = [];
  lines.push(`Generated by \`npm run interop\` on ${new Date().toISOString().slice(0, 16)}Z in ${(totalMs / 1000).toFixed(0)} s (interop cases ${(caseMs / 1000).toFixed(0)} s). ✅ pass, ❌ fail, n/a: the peer lacks the feature (see the notes).`);
  lines.push("");
  lines.push(`| test case | ${cols.join(" | ")} |`);
  lines.push(`| --- | ${cols.map(() => "---").join(" | ")} |`);
  for (const tc of TEST_CASES) lines.push(`| ${tc} | ${pairs.map((p) => cell(results.get(`${label(p)}|${tc}`))).join(" | ")} |`);
  const counts = { pass: 0, fail: 0, "n/a": 0, missing: 0 };
  for (const r of results.values()) counts[r.status]++;
  lines.push("");
  lines.push(`Totals: ${counts.pass} pass, ${counts.fail} fail, ${counts["n/a"]} n/a, ${counts.missing} missing.`);
  const failures = [...results.entries()].filter(([, r]) => r.status === "fail" || r.status === "missing");
  if (failures.length) {
    lines.push("", "Failures:", "");
    for (const [k, r] of failures) lines.push(`- ${k.replace("|", ": ")} — ${r.status}: ${r.reason.replace(/\|/g, "\\|")}`);
  }
  const warnings = [...results.entries()].filter(([, r]) => r.warning !== undefined);
  if (warnings.length) {
    lines.push("", `Warnings logged by peers in passing cases (${warnings.length}; transport trouble worth fixing, not failures):`, "");
    const byText = new Map<string, string[]>();
    for (const [k, r] of warnings) {
      const text = (r.warning ?? "").replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, "");
      const list = byText.get(text) ?? [];
      list.push(k.replace("|", ": "));
      byText.set(text, list);
    }
    for (const [text, keys] of byText) lines.push(`- \`${text.replace(/`/g, "'")}\` in ${keys.join(", ")}`);
  }
  const naReasons = new Set([...results.values()].filter((r) => r.status === "n/a").map((r) => r.reason));
  if (naReasons.size) {
    lines.push("", "n/a reasons:", "");
    for (const r of naReasons) lines.push(`- ${r}`);
  }
  lines.push("", "### CompressedResponse on the wire", "");
  lines.push("The compressed flag of each response message, read by a raw HTTP/2 client (`test/interop/wire-probe.ts`) that accepts gzip.", "");
  lines.push("| server | check | want flags | got flags | result |", "| --- | --- | --- | --- | --- |");
  let flagFailures = 0;
  const knownSeen: string[] = [];
  for (const f of flagChecks) {
    if (typeof f.checks === "string") {
      lines.push(`| ${f.server} | (probe failed) | | | ❌ ${f.checks} |`);
      flagFailures++;
      continue;
    }
    for (const c of f.checks) {
      const ok = c.status === "0" && c.got.join() === c.want.join();
      const known = KNOWN_FAILURES.get(`${f.impl}|${c.name}`);
      const noFeature = NO_COMPRESSED_RESPONSE.get(f.impl);
      let res: string;
      if (ok) res = known ? "✅ (known failure fixed: remove it from KNOWN_FAILURES)" : "✅";
      else if (known) {
        res = `❌ known: ${known}`;
        knownSeen.push(`${f.server}: ${c.name} — ${known}`);
      } else if (noFeature) res = `n/a: ${noFeature}`;
      else {
        res = `❌ status ${c.status}`;
        flagFailures++;
      }
      lines.push(`| ${f.server} | ${c.name} | ${c.want.join(",")} | ${c.got.join(",")} | ${res} |`);
    }
  }
  if (knownSeen.length) {
    lines.push("", "Known failures (not counted under CI):", "");
    for (const k of knownSeen) lines.push(`- ${k}`);
  }
  lines.push("", "### grpcurl and grpc-health-probe against the user service", "");
  lines.push("| check | result | detail |", "| --- | --- | --- |");
  for (const t of tools) lines.push(`| ${t.name} | ${t.ok === undefined ? "missing" : t.ok ? "✅" : "❌"} | ${t.detail.replace(/\|/g, "\\|").replace(/\n/g, " ").slice(0, 200)} |`);
  const table = lines.join("\n");
  console.log("\n" + table + "\n");

  const doc = path.join(ROOT, "docs/INTEROP.md");
  const BEGIN = "<!-- matrix:begin (written by npm run interop) -->";
  const END = "<!-- matrix:end -->";
  if (existsSync(doc)) {
    const text = readFileSync(doc, "utf8");
    const a = text.indexOf(BEGIN);
    const b = text.indexOf(END);
    if (a >= 0 && b > a) writeFileSync(doc, text.slice(0, a + BEGIN.length) + "\n" + table + "\n" + text.slice(b));
    else writeFileSync(doc, text + "\n" + BEGIN + "\n" + table + "\n" + END + "\n");
  } else writeFileSync(doc, `# Interop\n\n${BEGIN}\n${table}\n${END}\n`);

  const toolFailures = tools.filter((t: ToolCheck) => t.ok === false || (CI && t.ok === undefined));
  const bad = counts.fail + flagFailures + toolFailures.length + (CI ? counts.missing : 0);
  if (missing.size && !CI) console.log(`peers missing (run npm run peers:install): ${[...missing.entries()].map(([k, v]) => `${k}: ${v}`).join("; ")}`);
  console.log(bad ? `interop: ${bad} problem(s)` : "interop: all applicable cases pass");
  process.exit(bad && (CI || counts.fail + flagFailures + toolFailures.length > 0) ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
