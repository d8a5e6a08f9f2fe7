// `npm run h2spec`: HTTP/2 conformance (h2spec, pinned by scripts/install-h2spec.sh) against our
// server carrying the user service (h2c, default limits), and against a bare node:http2 server with
// the same SETTINGS, so that each failing case is classified: the bare server fails it too (node /
// nghttp2 behaviour, explained in docs/RELIABILITY.md) or only ours fails it (ours: a failure of
// this script). Both servers answer non-gRPC requests with 200 and a body (test/robustness/h2-probe.ts),
// as h2spec's cases expect a response with DATA to GET/POST "/".
//
//   npm run h2spec [-- --timeout 2 --out bench/results/h2spec.json]
//
// Writes the JSON result; prints a summary and every failing case. Exit 1 on a failure of ours that
// is not listed in EXPLAINED, on a crash of either server, or if h2spec does not finish.

import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { answerProbe } from "./h2-probe.js";
import { startChildServer } from "./support.js";
import { DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_HEADER_LIST_SIZE } from "../../src/server/options.js";

const H2SPEC = join(process.cwd(), ".peers/bin/h2spec");
const VERSION = readFileSync(join(process.cwd(), ".peers/h2spec.version"), "utf8").trim();

/**
 * Failures of ours that the bare node:http2 server does not share, explained (docs/RELIABILITY.md).
 * Empty: every failure of ours is nghttp2's own (the bare server fails it too).
 */
const EXPLAINED: Readonly<Record<string, string>> = {};

interface CaseResult {
  id: string;
  section: string;
  title: string;
  status: "passed" | "failed" | "skipped";
  detail?: string;
}

interface RunResult {
  cases: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function unescapeXml(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&#xA;/g, "\n").replace(/&#x9;/g, "\t").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Reads h2spec's JUnit report: one <testsuite> per section, one <testcase> per case (numbered from 1). */
function parseJunit(xml: string): CaseResult[] {
  const out: CaseResult[] = [];
  const suiteRe = /<testsuite name="([^"]*)" package="([^"]*)"[^>]*>([\s\S]*?)<\/testsuite>/g;
  for (let s = suiteRe.exec(xml); s !== null; s = suiteRe.exec(xml)) {
    const [, section, pkg, body] = s;
    const caseRe = /<testcase package="[^"]*" classname="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g;
    let n = 0;
    for (let c = caseRe.exec(body); c !== null; c = caseRe.exec(body)) {
      n++;
      const inner = c[2] ?? "";
      const failed = /<(error|failure)[\s>]/.exec(inner);
      const skipped = /<skipped/.test(inner);
      const detail = failed !== null ? unescapeXml(inner.replace(/<\/?(error|failure)[^>]*>/g, "").trim()) : undefined;
      out.push({
        id: `${pkg}/${n}`,
        section: unescapeXml(section),
        title: unescapeXml(c[1]),
        status: failed !== null ? "failed" : skipped ? "skipped" : "passed",
        ...(detail === undefined ? {} : { detail }),
      });
    }
  }
  return out;
}

let runs = 0;

/** Runs h2spec against 127.0.0.1:port; resolves with the parsed cases. */
async function runH2spec(port: number, timeoutS: number, label: string, specs: string[] = []): Promise<RunResult> {
  const dir = join(tmpdir(), `h2spec-${process.pid}-${label}-${runs++}`);
  mkdirSync(dir, { recursive: true });
  const report = join(dir, "junit.xml");
  const started = Date.now();
  const child = spawn(H2SPEC, [...specs, "-h", "127.0.0.1", "-p", String(port), "-o", String(timeoutS), "-j", report], { stdio: ["ignore", "ignore", "inherit"] });
  // h2spec's 146 cases with a per-case timeout: well under ten minutes even if every case timed out.
  const killer = setTimeout(() => child.kill("SIGKILL"), 600_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(killer);
  let xml: string;
  try {
    xml = readFileSync(report, "utf8");
  } catch {
    throw new Error(`h2spec against ${label} wrote no report (exit ${code})`);
  }
  rmSync(dir, { recursive: true, force: true });
  const cases = parseJunit(xml);
  if (cases.length === 0) throw new Error(`h2spec against ${label}: no cases in the report (exit ${code})`);
  const count = (st: CaseResult["status"]): number => cases.filter((c) => c.status === st).length;
  return { cases, passed: count("passed"), failed: count("failed"), skipped: count("skipped"), seconds: (Date.now() - started) / 1000 };
}

/** A bare node:http2 server with our SETTINGS, error handlers (h2spec crashes one without) and the probe. */
async function startBareServer(): Promise<{ port: number; errors: number; close(): Promise<void> }> {
  const state = { errors: 0 };
  const srv = http2.createServer({ settings: { maxConcurrentStreams: DEFAULT_MAX_CONCURRENT_STREAMS, maxHeaderListSize: DEFAULT_MAX_HEADER_LIST_SIZE } });
  srv.on("stream", (stream, headers) => {
    if (!answerProbe(stream, headers)) {
      stream.on("error", () => {});
      stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, { endStream: true });
    }
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  srv.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
    s.on("error", () => state.errors++);
  });
  srv.on("sessionError", () => state.errors++);
  srv.on("error", () => state.errors++);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    port: (srv.address() as AddressInfo).port,
    get errors() {
      return state.errors;
    },
    // Not srv.close(callback): it waits for sessions that h2spec may have left half-open.
    close: async () => {
      srv.close();
      for (const s of sessions) s.destroy();
    },
  };
}

/** How often each case failed over several runs. */
function tally(runsOf: RunResult[]): Map<string, { c: CaseResult; failed: number }> {
  const m = new Map<string, { c: CaseResult; failed: number }>();
  for (const r of runsOf)
    for (const c of r.cases) {
      const e = m.get(c.id) ?? { c, failed: 0 };
      if (c.status === "failed") {
        e.failed++;
        e.c = c; // keep a failing run's detail
      }
      m.set(c.id, e);
    }
  return m;
}

async function main(): Promise<void> {
  const timeoutS = Number(arg("timeout", "2"));
  const fullRuns = Number(arg("runs", "3"));
  const reruns = Number(arg("reruns", "10"));
  const outFile = arg("out", "bench/results/h2spec.json");

  const ours = await startChildServer({ __probe: true });
  const bare = await startBareServer();
  const oursRuns: RunResult[] = [];
  const bareRuns: RunResult[] = [];
  const confirm = new Map<string, { ours: number; bare: number; runs: number }>();
  try {
    // Interleaved full runs: some cases race the server's immediate answer (docs/RELIABILITY.md), so one run is not enough to tell.
    for (let i = 0; i < fullRuns; i++) {
      oursRuns.push(await runH2spec(ours.port, timeoutS, "ours"));
      bareRuns.push(await runH2spec(bare.port, timeoutS, "bare"));
    }
    // A case only ours failed: run it alone `reruns` times against each before calling it ours.
    const bareTally = tally(bareRuns);
    const suspects = [...tally(oursRuns).values()].filter((e) => e.failed > 0 && (bareTally.get(e.c.id)?.failed ?? 0) === 0).map((e) => e.c.id);
    // A race (nghttp2 reading a frame before or after the answer is queued) fails now and then on either
    // server: 6.9/2 measured 10/100 on the bare server and 2/60 on ours. So while ours has failed only
    // sometimes and the bare server never, keep going, up to 5x `reruns`: a real difference of ours keeps
    // failing on ours alone however long we look, a shared race shows up on the bare server too.
    for (const id of suspects) {
      const n = { ours: 0, bare: 0, runs: 0 };
      while (n.runs < reruns || (n.runs < 5 * reruns && n.ours > 0 && n.ours < n.runs && n.bare === 0)) {
        if ((await runH2spec(ours.port, timeoutS, "ours", [id])).failed > 0) n.ours++;
        if ((await runH2spec(bare.port, timeoutS, "bare", [id])).failed > 0) n.bare++;
        n.runs++;
      }
      confirm.set(id, n);
    }
  } finally {
    await ours.stop();
    await bare.close();
  }
  const oursCrashed = (ours.exit !== undefined && ours.exit.code !== 0) || ours.stderr.join("") !== "";

  const oursTally = tally(oursRuns);
  const bareTally = tally(bareRuns);
  const failures = [...oursTally.values()]
    .filter((e) => e.failed > 0)
    .map(({ c, failed }) => {
      const bareFailed = bareTally.get(c.id)?.failed ?? 0;
      const rerun = confirm.get(c.id);
      let cause: string;
      if (bareFailed > 0) cause = "node:http2 (the bare server fails it too)";
      else if (rerun !== undefined && rerun.bare > 0) cause = `node:http2, racy (alone ${rerun.runs}x: ours failed ${rerun.ours}, bare ${rerun.bare})`;
      // Failed in a full run but never alone: the order in which our answer (a handler starts one
      // loop turn after its request: `admitPending` in src/server/call.ts) and h2spec's next frame reach nghttp2
      // decides these cases; under load a full run can flip them. Not counted as ours.
      else if (rerun !== undefined && rerun.ours === 0) cause = `a race under load (failed in a full run; alone ${rerun.runs}x: ours 0, bare 0)`;
      else if (EXPLAINED[c.id] !== undefined) cause = `ours, explained: ${EXPLAINED[c.id]}`;
      else cause = rerun === undefined ? "ours" : `ours (alone ${rerun.runs}x: ours failed ${rerun.ours}, bare ${rerun.bare})`;
      return { id: c.id, section: c.section, title: c.title, failedRuns: `${failed}/${fullRuns}`, bareFailedRuns: `${bareFailed}/${fullRuns}`, cause, detail: c.detail };
    });
  const bareOnly = [...bareTally.values()].filter((e) => e.failed > 0 && (oursTally.get(e.c.id)?.failed ?? 0) === 0).map((e) => `${e.c.id} (${e.failed}/${fullRuns})`);
  const unexplained = failures.filter((f) => f.cause.startsWith("ours") && !f.cause.startsWith("ours, explained"));
  const sum = (rs: RunResult[]) => ({
    cases: rs[0]?.cases.length ?? 0,
    passedPerRun: rs.map((r) => r.passed),
    failedPerRun: rs.map((r) => r.failed),
    secondsPerRun: rs.map((r) => Math.round(r.seconds)),
  });

  const result = {
    tool: `github.com/summerwind/h2spec ${VERSION}`,
    date: new Date().toISOString(),
    node: process.version,
    nghttp2: process.versions.nghttp2,
    timeoutSeconds: timeoutS,
    runs: fullRuns,
    ours: { ...sum(oursRuns), crashed: oursCrashed },
    bareNode: sum(bareRuns),
    failures,
    failingOnlyOnBareNode: bareOnly,
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(result, null, 2) + "\n");

  console.log(`h2spec ${VERSION}, node ${process.version} (nghttp2 ${process.versions.nghttp2}), per-case timeout ${timeoutS} s, ${fullRuns} interleaved runs`);
  console.log(`ours (user service, h2c):       passed ${result.ours.passedPerRun.join("/")} of ${result.ours.cases}`);
  console.log(`bare node:http2, same SETTINGS: passed ${result.bareNode.passedPerRun.join("/")} of ${result.bareNode.cases}`);
  for (const f of failures) console.log(`  ${f.id.padEnd(16)} ${f.title} [failed ${f.failedRuns}, bare ${f.bareFailedRuns}]\n  ${"".padEnd(16)} -> ${f.cause}`);
  if (bareOnly.length > 0) console.log(`failing only on the bare server: ${bareOnly.join(", ")}`);
  console.log(`written to ${outFile}`);
  if (oursCrashed) {
    console.error(`our server crashed or wrote to stderr: ${JSON.stringify(ours.exit)} ${ours.stderr.join("")}`);
    process.exitCode = 1;
  }
  if (unexplained.length > 0) {
    console.error(`${unexplained.length} failing case(s) of ours that node:http2 passes: ${unexplained.map((f) => f.id).join(", ")}`);
    process.exitCode = 1;
  }
}

await main();
