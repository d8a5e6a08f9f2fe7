// What the harness writes: the terminal table, the JSON results file, the SVG charts and
// docs/BENCHMARKS.md (regenerated from the latest results of every scenario).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./generators.js";
import type { CaseResult, SubjectResult } from "./runner.js";
import { CONTENDED_PCT, GENERATOR_LABEL } from "./runner.js";
import { SERVERS } from "./servers.js";
import { ALL_SCENARIOS } from "./scenarios.js";
import { barsSvg, fmtNum, latencySvg } from "./svg.js";
import { PERCENTILES } from "./histogram.js";

export interface Machine {
  cpus: number;
  cpuModel: string;
  kernel: string;
  node: string;
  go?: string;
  h2load?: string;
  ghz?: string;
  loadAvgAtStart: number[];
  pinned: boolean;
}

export interface ResultsFile {
  version: 1;
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  options: { warmupS: number; durationS: number; repeats: number; quick: boolean };
  scenarios: string[];
  cases: CaseResult[];
}

export const RESULTS_DIR = join(ROOT, "bench/results");
/** Per-run results files and CPU profiles (gitignored): only latest-*.json and the docs are kept in git. */
export const RUNS_DIR = join(RESULTS_DIR, "runs");
export const CHARTS_DIR = join(ROOT, "bench/charts");
export const DOC = join(ROOT, "docs/BENCHMARKS.md");

function us(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} ms` : v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${Math.round(v)} µs`;
}
function ratio(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "–" : `${v.toFixed(2)}×`;
}
function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "–" : `${v.toFixed(0)} %`;
}

function rowOf(c: CaseResult, r: SubjectResult): string[] {
  const m = r.median;
  const who = c.compare === "servers" ? `${r.label} ← ${GENERATOR_LABEL[r.generator]}` : `${r.label} → ${SERVERS[r.server].label}`;
  if (m === undefined || r.status !== "ok") {
    return [who, r.status === "missing" ? "not run" : "FAILED", "", "", "", "", "", "", "", "", "", "", (r.note ?? "").slice(0, 90)];
  }
  const main = c.metric === "messages" ? `${fmtNum(m.messagesPerS)} msg/s` : `${fmtNum(m.callsPerS)}/s`;
  const flags = [
    r.generatorBound === true ? "generator-bound" : "",
    m.serverCpuPct >= 90 ? "server-bound" : "",
    (m.othersCpuPct ?? 0) >= CONTENDED_PCT ? "contended" : "",
  ]
    .filter((x) => x !== "")
    .join(", ");
  return [
    who,
    `${main} ±${((r.spread ?? 0) * 50).toFixed(0)}%`,
    m.mbPerS >= 0.01 ? `${m.mbPerS.toFixed(1)}` : "–",
    us(m.latencyUs.p50),
    us(m.latencyUs.p99),
    us(m.latencyUs["p99.9"]),
    `${pct(m.serverCpuPct)} · ${m.serverCpuUsPerCall.toFixed(0)} µs`,
    m.serverPeakRssMiB !== undefined ? `${m.serverPeakRssMiB.toFixed(0)}` : "–",
    pct(m.generatorCpuPct),
    pct(m.othersCpuPct),
    ratio(r.vsGrpcjs),
    c.compare === "servers" ? ratio(r.vsFloor) : "",
    flags,
  ];
}

const HEAD = ["contender", "rate (± half spread)", "MB/s", "p50", "p99", "p99.9", "server CPU · per call", "RSS MiB", "gen CPU", "others CPU", "vs grpc-js", "vs floor", "notes"];

/** The terminal table of one run. */
export function terminalTable(cases: CaseResult[]): string {
  const out: string[] = [];
  for (const c of cases) {
    out.push("", `== ${c.scenario} · ${c.title} (${c.compare === "servers" ? "servers compared" : "clients compared"}) ==`);
    const rows = [HEAD, ...c.results.map((r) => rowOf(c, r))];
    const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    for (const r of rows) out.push(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
  }
  return out.join("\n");
}

function mdTable(c: CaseResult): string {
  const rows = c.results.map((r) => rowOf(c, r));
  const keep = HEAD.map((_, i) => i === 0 || rows.some((r) => (r[i] ?? "") !== "" && r[i] !== "–"));
  const pick = (r: string[]): string[] => r.filter((_, i) => keep[i]);
  return [
    `| ${pick(HEAD).join(" | ")} |`,
    `|${pick(HEAD).map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${pick(r).map((x) => x.replace(/\|/g, "\\|")).join(" | ")} |`),
  ].join("\n");
}

function chartName(c: CaseResult, kind: string): string {
  return `${c.scenario}-${c.id}-${kind}.svg`.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** Writes the two charts of every case into bench/charts/. */
export function writeCharts(cases: CaseResult[]): void {
  mkdirSync(CHARTS_DIR, { recursive: true });
  for (const c of cases) {
    const ok = c.results.filter((r) => r.median !== undefined && r.status === "ok");
    if (ok.length === 0) continue;
    const label = (r: SubjectResult): string => (c.compare === "servers" ? `${r.label} ← ${GENERATOR_LABEL[r.generator]}` : r.label);
    const key = (r: SubjectResult): string => (c.compare === "servers" ? r.server : r.generator);
    const metric = (x: { callsPerS: number; messagesPerS: number }): number => (c.metric === "messages" ? x.messagesPerS : x.callsPerS);
    writeFileSync(
      join(CHARTS_DIR, chartName(c, "throughput")),
      barsSvg(
        `${c.title}: ${c.metric === "messages" ? "messages/s" : "calls/s"}`,
        c.metric === "messages" ? "messages per second" : "calls per second",
        ok.map((r) => {
          const xs = r.runs.filter((x) => x.calls > 0).map(metric);
          return { label: label(r), key: key(r), value: metric(r.median!), min: Math.min(...xs), max: Math.max(...xs), ...(r.generatorBound === true ? { note: "(gen-bound)" } : {}) };
        }),
      ),
    );
    writeFileSync(
      join(CHARTS_DIR, chartName(c, "latency")),
      latencySvg(
        `${c.title}: latency by percentile`,
        ok.map((r) => ({
          label: label(r),
          key: key(r),
          ...(c.compare === "servers" && r.generator !== "h2load" ? { dash: r.generator === "ours-client" ? "2,3" : "7,4" } : {}),
          points: PERCENTILES.filter((p) => r.median!.latencyUs[`p${p}`] !== undefined).map((p): [number, number] => [p, r.median!.latencyUs[`p${p}`]]),
        })),
      ),
    );
  }
}

/** The latest results file of each scenario (bench/results/latest-<scenario>.json). */
export function latestResults(): ResultsFile[] {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .filter((f) => f.startsWith("latest-") && f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), "utf8")) as Partial<ResultsFile>)
    // latest-scaling.json (bench/scaling.ts) has a format of its own: not a scenario's results.
    .filter((r): r is ResultsFile => r.options !== undefined && Array.isArray(r.cases) && !r.options.quick);
}

interface TargetCheck {
  target: string;
  where: string;
  value: string;
  met: boolean | undefined;
}

function targets(cases: CaseResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const ours = (c: CaseResult, gen = "h2load"): SubjectResult | undefined => c.results.find((r) => r.server === "ours" && r.generator === gen && r.median !== undefined);
  for (const c of cases.filter((x) => x.scenario === "unary-throughput" || x.scenario === "unary-latency")) {
    const r = ours(c);
    if (r === undefined) continue;
    // CPU per call is what decides throughput on a saturated, quiet core, and other load disturbs it least.
    const base = c.results.find((x) => x.server === "grpcjs" && x.generator === "h2load" && x.median !== undefined);
    const cpu = base !== undefined && base.median!.serverCpuUsPerCall > 0 ? r.median!.serverCpuUsPerCall / base.median!.serverCpuUsPerCall : undefined;
    const cpuNote = cpu !== undefined ? ` (CPU per call ${ratio(cpu)} grpc-js's)` : "";
    out.push({ target: "unary calls/s ≥ 1.5× grpc-js", where: `${c.scenario} ${c.title}`, value: ratio(r.vsGrpcjs) + cpuNote, met: r.vsGrpcjs === undefined ? undefined : r.vsGrpcjs >= 1.5 });
    out.push({ target: "unary calls/s ≥ 0.9× floor", where: `${c.scenario} ${c.title}`, value: ratio(r.vsFloor), met: r.vsFloor === undefined ? undefined : r.vsFloor >= 0.9 });
    out.push({ target: "unary p99 ≤ grpc-js", where: `${c.scenario} ${c.title}`, value: ratio(r.p99VsGrpcjs), met: r.p99VsGrpcjs === undefined ? undefined : r.p99VsGrpcjs <= 1 });
  }
  for (const c of cases.filter((x) => x.scenario === "streaming" && x.metric === "messages")) {
    const r = ours(c);
    if (r === undefined) continue;
    out.push({ target: "streaming msg/s ≥ 2× grpc-js", where: c.title, value: ratio(r.vsGrpcjs), met: r.vsGrpcjs === undefined ? undefined : r.vsGrpcjs >= 2 });
  }
  // Issue 3's own targets for `npm run bench:unary`: server ≥ 1.3× grpc-js and ≥ 0.85× floor; client ≥ 1.3× grpc-js client.
  for (const c of cases.filter((x) => x.scenario === "unary")) {
    for (const gen of ["h2load", "grpcjs-client", "ours-client"]) {
      const r = ours(c, gen);
      if (r === undefined) continue;
      const where = `${c.title} ← ${GENERATOR_LABEL[r.generator]}`;
      out.push({ target: "bench:unary server ≥ 1.3× grpc-js", where, value: ratio(r.vsGrpcjs), met: r.vsGrpcjs === undefined ? undefined : r.vsGrpcjs >= 1.3 });
      out.push({ target: "bench:unary server ≥ 0.85× floor", where, value: ratio(r.vsFloor), met: r.vsFloor === undefined ? undefined : r.vsFloor >= 0.85 });
    }
    for (const server of ["floor", "grpcgo", "grpcjs", "ours"]) {
      const mine = c.results.find((x) => x.server === server && x.generator === "ours-client" && x.median !== undefined);
      const theirs = c.results.find((x) => x.server === server && x.generator === "grpcjs-client" && x.median !== undefined);
      if (mine === undefined || theirs === undefined || theirs.median!.callsPerS === 0) continue;
      const v = mine.median!.callsPerS / theirs.median!.callsPerS;
      out.push({ target: "bench:unary client ≥ 1.3× grpc-js client", where: `${c.title} → ${SERVERS[mine.server].label}`, value: ratio(v), met: v >= 1.3 });
    }
  }
  // Issue 12: the user service as fast as the transport (ours-user vs its grpc-js twin, the floor, and
  // our echo server at the same load: the service layer's CPU per call above the transport).
  for (const c of cases.filter((x) => x.scenario === "service" && x.load.user !== undefined)) {
    const r = c.results.find((x) => x.server === "ours-user" && x.median !== undefined);
    if (r === undefined) continue;
    if (c.load.user === "ListUsers") {
      out.push({ target: "ListUsers msg/s ≥ 4× grpc-js", where: c.title, value: ratio(r.vsGrpcjs), met: r.vsGrpcjs === undefined ? undefined : r.vsGrpcjs >= 4 });
      continue;
    }
    const where = `${c.title} ← ${GENERATOR_LABEL[r.generator]}`;
    out.push({ target: "service calls/s ≥ 1.6× grpc-js twin", where, value: ratio(r.vsGrpcjs), met: r.vsGrpcjs === undefined ? undefined : r.vsGrpcjs >= 1.6 });
    out.push({ target: "service calls/s ≥ 0.8× floor", where, value: ratio(r.vsFloor), met: r.vsFloor === undefined ? undefined : r.vsFloor >= 0.8 });
    const echo = cases.find((x) => x.scenario === "service" && x.id === `echo-${c.load.connections}x${c.load.streams}`)?.results.find((x) => x.server === "ours" && x.median !== undefined);
    if (echo !== undefined && c.load.user === "GetUser") {
      const d = r.median!.serverCpuUsPerCall - echo.median!.serverCpuUsPerCall;
      out.push({
        target: "service layer ≤ 15 µs CPU per call above echo",
        where: `${c.title} vs echo ${c.load.connections}×${c.load.streams}, h2load`,
        value: `${d.toFixed(1)} µs (${r.median!.serverCpuUsPerCall.toFixed(1)} − ${echo.median!.serverCpuUsPerCall.toFixed(1)})`,
        met: d <= 15,
      });
    }
  }
  for (const c of cases.filter((x) => x.scenario === "streaming" && x.id === "ss-small")) {
    const r = ours(c);
    if (r === undefined) continue;
    out.push({ target: "server-streaming small msg/s ≥ 0.5× floor", where: c.title, value: ratio(r.vsFloor), met: r.vsFloor === undefined ? undefined : r.vsFloor >= 0.5 });
  }
  for (const c of cases.filter((x) => x.scenario === "clients")) {
    const r = c.results.find((x) => x.generator === "ours-client" && x.median !== undefined);
    if (r === undefined) continue;
    out.push({ target: "our client ≥ 1.5× grpc-js client", where: c.title, value: ratio(r.vsGrpcjs), met: r.vsGrpcjs === undefined ? undefined : r.vsGrpcjs >= 1.5 });
  }
  return out;
}

/** Regenerates docs/BENCHMARKS.md from the latest results of every scenario. */
export function writeDoc(files: ResultsFile[]): void {
  const order = ALL_SCENARIOS.map((s) => s.id);
  files.sort((a, b) => order.indexOf(a.scenarios[0]) - order.indexOf(b.scenarios[0]));
  const all = files.flatMap((f) => f.cases);
  const m = files[0]?.machine;
  const lines: string[] = [
    "# Benchmarks",
    "",
    "<!-- Generated by `npm run bench` (bench/lib/report.ts) from bench/results/latest-*.json. Do not edit by hand. -->",
    "",
    "Our gRPC server and client against `@grpc/grpc-js`, grpc-go, and the **floor**: a raw `node:http2` server",
    "that answers every call with a canned, pre-encoded gRPC response and trailers, doing no gRPC work. No",
    "`node:http2` server can beat the floor; it is the physical limit we measure against.",
    "",
    "## How to run",
    "",
    "```sh",
    "npm ci",
    "bash scripts/install-bench-tools.sh        # h2load (apt nghttp2-client), ghz (go install), grpc-go peer (go build) into .peers/",
    "npm run bench                              # every scenario, default durations (about 5 minutes)",
    "npm run bench -- --scenario unary-throughput,streaming --duration 5 --repeats 3",
    "npm run bench -- --quick                   # smoke test: every contender answers correctly (no timing asserted)",
    "npm run bench -- --scenario unary-throughput --servers ours --cpu-prof   # CPU profile of our server",
    "npm run bench:unary                        # issue 3: echo servers × (h2load, grpc-js client, our client)",
    "npm run bench:service                      # issues 4, 12: the user service vs its grpc-js twin and the floor",
    "npm run bench -- --scenario service --servers ours --cpu-prof          # CPU profiles of our service and echo server",
    "BENCH_BASELINE=/path/to/checkout npm run bench:service -- --no-doc      # + a baseline commit, interleaved (A/B)",
    "npm run bench:compare bench/results/runs/RUN.json                      # that run's A/B: baseline vs working tree",
    "npm run bench:compare bench/results/runs/A.json bench/results/runs/B.json   # per-run files (gitignored)",
    "```",
    "",
    "Scenarios: " + ALL_SCENARIOS.map((s) => `\`${s.id}\``).join(", ") + ". Options: `--warmup S`, `--duration S`, `--repeats N`,",
    "`--servers a,b`, `--generators a,b`, `--cpu-prof`, `--no-doc`, `--doc-only` (regenerate this page and the charts from `bench/results/latest-*.json`).",
    "",
    "## Method",
    "",
    "- **Pinning.** Each server runs on core 0 and the load generator on core 1 (`taskset`), so they do not share a core.",
    "- **Same load for every server.** Within a table, every server is driven by the same generator with the same settings",
    "  (h2load unless noted: C, neutral, pre-framed request bodies), so a difference is the server's. In the `clients`",
    "  scenario every client drives the same server (the floor, then grpc-go), so a difference is the client's.",
    "- **Interleaved repetitions.** Every contender of a case runs once per repetition, in turn (A B C D A B C D …), so drift",
    "  (thermal, other tenants) hits all of them alike. A discarded warm-up precedes each contender's first run (the",
    "  server keeps its JIT state across repetitions), and every run of the node generators (new processes each run,",
    "  they warm up their own code). Tables show the median of the runs and ± half the spread ((max − min) / median / 2).",
    "- **Checked responses.** A call counts only if it succeeded: the node load generators check grpc-status 0 and the",
    "  decoded payload of every response; for h2load, which sees only HTTP status, the harness checks that the DATA",
    "  bytes received equal succeeded calls × the exact expected response size (a gRPC error is a 200 without that",
    "  body); ghz counts only status OK (payloads not checked; the same responses are checked by the other generators).",
    "- **Latency** is recorded per call in an HDR histogram (`hdr-histogram-js`, µs, 3 significant digits); h2load's",
    "  per-request log feeds the same histogram. ghz reports its own percentiles (up to p99).",
    "- **Resources.** Server CPU time (user + system, from `/proc/<pid>/stat`) over the measured period, as % of one core",
    "  and per call; server peak RSS per run (`VmHWM`, reset through `/proc/<pid>/clear_refs` before each run).",
    "- **Saturation.** The generator's own CPU time (bash `times` for h2load and ghz; `process.cpuUsage` for the node",
    "  generators) is reported; at ≥ 90 % of its core a result is flagged *generator-bound*: the generator, not the",
    "  server, may be the limit, and the ratio understates the faster server. *server-bound* means the server used ≥ 90 %.",
    "- **Contention.** The CPU the whole machine used (`/proc/stat`) minus the server's and the generator's is what *other*",
    "  processes took during the run (*others CPU*); at ≥ 25 % of a core the run is flagged *contended*: its absolute",
    "  figures are not to be trusted, and neither are ratios between contended and quiet runs.",
    "",
    "### Reading the tables",
    "",
    "- *rate*: calls/s (streaming cases: messages/s) over the measured period, median of the runs, ± half the spread.",
    "- *p50 … p99.9*: call latency (streaming: whole stream; bidi: one round trip) as the generator saw it.",
    "- *server CPU · per call*: % of one core the server used, and its CPU time per call (the cost that decides",
    "  throughput once a server is saturated). *RSS MiB*: the server's peak resident memory during the run.",
    "- *gen CPU*, *others CPU*: the load generator's CPU, and everything else's, in % of one core.",
    "- *vs grpc-js*: rate ÷ the grpc-js contender's rate under the same generator (clients: the grpc-js client against",
    "  the same server); *vs floor*: rate ÷ the floor's under the same generator.",
    "",
    "### Limits of this harness",
    "",
    "- Two cores: one for the server, one for the generator. The node generators (our client, the grpc-js client) are",
    "  single-threaded and saturate long before grpc-go or the floor do: read their *generator-bound* rows as a floor on",
    "  the server's speed, not a measure of it. h2load is the generator that reaches the servers' limits.",
    "- grpc-go is pinned to one core like the others, so its scheduler threads share that core.",
    "- h2load checks sizes, not contents (the contents of the same responses are checked by the node generators and by",
    "  the preflight call before each h2load run); ghz checks status only and cancels the calls in flight when its",
    "  time is up (those are not counted as errors).",
    "- CPU times come from `/proc` in 10 ms ticks: per-call figures of very short runs are coarse.",
    "- The user-service baseline (`bench/servers/grpcjs-user.ts`) does the same work per call as ours (bearer auth with a",
    "  constant-time compare, role check, validation, unique indexes, `x-request-id`, and one JSON log line per call with",
    "  the same fields, written by pino 10 through `pino.destination({ sync: false })`), but is a compact re-implementation,",
    "  not a port. Ours is started exactly as `npm start` starts it (the harness reads package.json's start script), with",
    "  the call log on at the default level (info). Both services' stderr (their log) goes to a file in the temp directory.",
    "- **Why the floor is close to grpc-js at 1×1.** With one call in flight, a call costs the server mostly event-loop",
    "  turns and system calls, the same for every node:http2 server: `strace -c` of ours under `h2load -c1 -m1` shows, per",
    "  call, one `read`, two `epoll_pwait`, and two socket writes, because node sends trailers from a `setImmediate`",
    "  (`Http2Stream.sendTrailers`), never in the write that carries HEADERS and DATA. That is the floor's cost too, so",
    "  at 1×1 no node:http2 server can be much faster than grpc-js; the ratios that show a server's own work are the",
    "  saturated ones (10×1 and up) and *server CPU per call*.",
    "",
  ];
  if (m !== undefined) {
    lines.push(
      "## Machine",
      "",
      `- ${m.cpus} × ${m.cpuModel}; Linux ${m.kernel}; Node ${m.node}${m.go !== undefined ? `; ${m.go}` : ""}`,
      `- h2load: ${m.h2load ?? "not installed"}; ghz: ${m.ghz ?? "not installed"}; pinned: ${m.pinned ? "yes (taskset)" : "no"}`,
      `- Load average when the runs started: ${files.map((f) => `${f.scenarios.join(",")} ${f.machine.loadAvgAtStart.map((x) => x.toFixed(2)).join("/")}`).join("; ")}`,
      "- This machine is shared: other processes ran during some runs, so absolute figures are noisy; ratios from the",
      "  same interleaved run are the figures to read.",
      "",
    );
  }
  const t = targets(all);
  if (t.length > 0) {
    const ran = all.flatMap((c) => c.results).filter((r) => r.median !== undefined);
    const contended = ran.filter((r) => (r.median!.othersCpuPct ?? 0) >= CONTENDED_PCT).length;
    lines.push("## Targets", "");
    if (contended > 0) {
      lines.push(
        `**${contended} of ${ran.length} measured rows ran *contended*** (other processes took ≥ ${CONTENDED_PCT} % of a core during the run):`,
        "these verdicts are provisional until the benchmark is rerun on a quiet machine. *Server CPU per call*, which other",
        "load disturbs least, is the steadier figure meanwhile.",
        "",
      );
    }
    lines.push("| target | where | measured | met |", "|---|---|---:|:---:|");
    for (const x of t) lines.push(`| ${x.target} | ${x.where} | ${x.value} | ${x.met === undefined ? "–" : x.met ? "yes" : "**no**"} |`);
    lines.push("");
  }
  // Hand-written analysis of the user service (issue 12): bench/notes/user-service.md, kept beside the
  // generated tables so the prose and the figures it explains are read together.
  const notes = join(ROOT, "bench/notes/user-service.md");
  if (existsSync(notes)) lines.push(readFileSync(notes, "utf8").trimEnd(), "");
  for (const f of files) {
    for (const sid of f.scenarios) {
      const s = ALL_SCENARIOS.find((x) => x.id === sid);
      const cs = f.cases.filter((c) => c.scenario === sid);
      if (s === undefined || cs.length === 0) continue;
      lines.push(`## ${s.title}`, "", s.about, "", `Command: \`${f.command}\` (${f.startedAt}; warm-up ${f.options.warmupS} s, ${f.options.durationS} s × ${f.options.repeats} runs each).`, "");
      for (const c of cs) {
        lines.push(`### ${c.title}`, "", mdTable(c), "");
        if (c.results.some((r) => r.median !== undefined && r.status === "ok")) {
          lines.push(`![${c.title} throughput](../bench/charts/${chartName(c, "throughput")})`, `![${c.title} latency](../bench/charts/${chartName(c, "latency")})`, "");
        }
      }
    }
  }
  writeFileSync(DOC, lines.join("\n"));
}
