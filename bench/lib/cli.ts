// The command line shared by `npm run bench`, `bench:unary` and `bench:service`.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HAS_TASKSET } from "./procs.js";
import { ROOT, toolPath } from "./generators.js";
import type { GeneratorId } from "./generators.js";
import { runScenario } from "./runner.js";
import type { CaseResult, RunOptions } from "./runner.js";
import { ALL_SCENARIOS } from "./scenarios.js";
import { SERVERS } from "./servers.js";
import type { ServerId } from "./servers.js";
import { latestResults, RESULTS_DIR, RUNS_DIR, terminalTable, writeCharts, writeDoc } from "./report.js";
import type { Machine, ResultsFile } from "./report.js";
import { formatHotspots } from "./profile.js";

function version(cmd: string | undefined, args: string[], re: RegExp): string | undefined {
  if (cmd === undefined) return undefined;
  try {
    const out = execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return re.exec(out)?.[0] ?? out.trim().split("\n")[0];
  } catch {
    return undefined;
  }
}

/** `go install` builds of ghz print "dev": the pinned version is the one the install script asked for. */
function ghzVersion(): string | undefined {
  const v = version(toolPath("ghz"), ["--version"], /v?\d+\.\d+\.\d+/);
  if (v === undefined || /\d/.test(v)) return v;
  try {
    const pinned = /GHZ_VERSION="([^"]+)"/.exec(readFileSync(join(ROOT, "scripts/install-bench-tools.sh"), "utf8"))?.[1];
    return pinned !== undefined ? `${pinned} (go install)` : v;
  } catch {
    return v;
  }
}

function machine(): Machine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    kernel: os.release(),
    node: process.version,
    ...opt("go", version("go", ["version"], /go\d+\.\d+(\.\d+)?/)),
    ...opt("h2load", version(toolPath("h2load"), ["--version"], /nghttp2\/[\d.]+/)),
    ...opt("ghz", ghzVersion()),
    loadAvgAtStart: os.loadavg(),
    pinned: HAS_TASKSET && os.cpus().length > 1,
  };
}
function opt<K extends string>(k: K, v: string | undefined): { [P in K]?: string } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: string };
}

/** Parses argv, runs the scenarios, writes results, charts and the doc. Returns the exit code. */
/** `defaults.repeats`: how many interleaved repetitions when --repeats is not given (2 unless said). */
export async function main(argv: string[], defaults: { scenarios: string[]; name: string; repeats?: number }): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: "string" },
      duration: { type: "string", default: "1" },
      warmup: { type: "string", default: "0.5" },
      repeats: { type: "string", default: String(defaults.repeats ?? 2) },
      quick: { type: "boolean", default: false },
      "cpu-prof": { type: "boolean", default: false },
      servers: { type: "string" },
      generators: { type: "string" },
      "no-doc": { type: "boolean", default: false },
      "doc-only": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      `usage: npm run ${defaults.name} -- [--scenario a,b] [--duration S] [--warmup S] [--repeats N] [--quick] [--cpu-prof] [--doc-only]\n` +
        `       [--servers ${Object.keys(SERVERS).join(",")}] [--generators h2load,ghz,grpcjs-client,ours-client,h2raw] [--no-doc]\n` +
        `scenarios: ${ALL_SCENARIOS.map((s) => s.id).join(", ")}\n`,
    );
    return 0;
  }
  if (values["doc-only"]) {
    // Regenerates the charts and docs/BENCHMARKS.md from bench/results/latest-*.json, without running anything.
    writeCharts(latestResults().flatMap((f) => f.cases));
    writeDoc(latestResults());
    process.stdout.write("docs/BENCHMARKS.md and bench/charts/ regenerated from bench/results/latest-*.json\n");
    return 0;
  }
  const ids = values.scenario !== undefined ? values.scenario.split(",") : defaults.scenarios;
  const scenarios = ids.map((id) => {
    const s = ALL_SCENARIOS.find((x) => x.id === id);
    if (s === undefined) throw new Error(`unknown scenario ${id}; known: ${ALL_SCENARIOS.map((x) => x.id).join(", ")}`);
    return s;
  });
  const quick = values.quick;
  const tty = process.stderr.isTTY === true;
  let lastLen = 0;
  const progress = (line: string, final = false): void => {
    if (tty) {
      const l = line.length > process.stderr.columns - 1 ? line.slice(0, process.stderr.columns - 2) + "…" : line;
      process.stderr.write(`\r${l.padEnd(lastLen)}${final ? "\n" : ""}`);
      lastLen = final ? 0 : l.length;
    } else if (final || !/ · [\d.]+s\//.test(line)) process.stderr.write(line + "\n");
  };
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  // Node writes one profile per thread into the directory; the main thread's is kept (below).
  const cpuProfDir = values["cpu-prof"] ? join(os.tmpdir(), `bench-cpu-prof-${stamp}`) : undefined;
  if (cpuProfDir !== undefined) mkdirSync(cpuProfDir, { recursive: true });
  const o: RunOptions = {
    warmupS: Number(values.warmup),
    durationS: Number(values.duration),
    repeats: Math.max(1, Number(values.repeats)),
    quick,
    ...(quick ? { quickSeen: new Set<string>() } : {}),
    ...(cpuProfDir !== undefined ? { cpuProfDir } : {}),
    ...(values.servers !== undefined ? { servers: values.servers.split(",") as ServerId[] } : {}),
    ...(values.generators !== undefined ? { generators: values.generators.split(",") as GeneratorId[] } : {}),
    progress,
  };
  const ofRecord = !quick && cpuProfDir === undefined && o.servers === undefined && o.generators === undefined;
  const mach = machine();
  if (!mach.pinned) progress("warning: taskset or a second core is missing: server and load generator are not pinned", true);
  const command = `npm run ${defaults.name} -- ${argv.join(" ")}`.trim().replace(/ --$/, "");
  mkdirSync(RUNS_DIR, { recursive: true });
  const all: CaseResult[] = [];
  for (const s of scenarios) {
    const startedAt = new Date().toISOString();
    const loadAvg = os.loadavg();
    const cases = await runScenario(s, o);
    all.push(...cases);
    const file: ResultsFile = {
      version: 1,
      command,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: { ...mach, loadAvgAtStart: loadAvg },
      options: { warmupS: o.warmupS, durationS: o.durationS, repeats: o.repeats, quick },
      scenarios: [s.id],
      cases,
    };
    const json = JSON.stringify(file, null, 1);
    // Quick (smoke) results are not measurements: they go to the temp directory, not bench/results.
    writeFileSync(join(quick ? os.tmpdir() : RUNS_DIR, `${quick ? "bench-quick" : stamp}-${s.id}.json`), json);
    // Only complete, unprofiled runs become the figures of record (docs/BENCHMARKS.md).
    if (ofRecord) writeFileSync(join(RESULTS_DIR, `latest-${s.id}.json`), json);
    process.stdout.write(terminalTable(cases) + "\n");
  }
  if (ofRecord) {
    writeCharts(latestResults().flatMap((f) => f.cases));
    if (!values["no-doc"]) writeDoc(latestResults());
    process.stdout.write(`\nresults: bench/results/runs/${stamp}-*.json; charts: bench/charts/; ${values["no-doc"] ? "" : "docs/BENCHMARKS.md regenerated"}\n`);
  } else if (!quick) {
    process.stdout.write(`\nresults: bench/results/runs/${stamp}-*.json (a filtered or profiled run: docs/BENCHMARKS.md and charts left as they were)\n`);
  }
  if (cpuProfDir !== undefined) {
    process.stdout.write(`\nCPU profiles of the node servers (open in Chrome DevTools or speedscope; summary: npx tsx bench/profile.ts FILE):\n`);
    for (const dir of readdirSync(cpuProfDir)) {
      // The main thread's profile is the largest one (the others are tsx's loader worker).
      const files = readdirSync(join(cpuProfDir, dir))
        .filter((x) => x.endsWith(".cpuprofile"))
        .map((x) => join(cpuProfDir, dir, x))
        .sort((a, b) => statSync(b).size - statSync(a).size);
      if (files.length === 0) continue;
      const kept = join(RUNS_DIR, `${stamp}-${dir}.cpuprofile`); // gitignored
      copyFileSync(files[0], kept);
      process.stdout.write(formatHotspots(kept, 20) + "\n");
    }
    rmSync(cpuProfDir, { recursive: true, force: true });
  }
  // Quick mode is a smoke test: every contender must have answered correctly (no timing is asserted).
  const bad = all.flatMap((c) => c.results.filter((r) => r.status === "errors" || (r.status === "missing" && process.env.CI === "true")).map((r) => `${c.scenario} ${c.title} ${r.label} ← ${r.generator}: ${r.status}: ${r.note ?? ""}`));
  const missing = all.flatMap((c) => c.results.filter((r) => r.status === "missing").map((r) => `${r.label}: ${r.note ?? ""}`));
  if (missing.length > 0) process.stderr.write(`\nnot run: ${[...new Set(missing)].join("; ")}\n`);
  if (bad.length > 0) {
    process.stderr.write(`\n${bad.length} contender(s) failed:\n  ${bad.join("\n  ")}\n`);
    return 1;
  }
  return 0;
}
