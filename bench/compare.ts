// `npm run bench:compare A.json B.json`: the change from run A to run B, case by case and
// contender by contender (rate, p50, p99, server CPU per call), matched by scenario, case and
// server × generator.
import { readFileSync } from "node:fs";
import type { ResultsFile } from "./lib/report.js";
import type { CaseResult, SubjectResult } from "./lib/runner.js";
import { GENERATOR_LABEL } from "./lib/runner.js";
import { fmtNum } from "./lib/svg.js";

//
// `npm run bench:compare FILE.json` (one file): the A/B inside one interleaved run made with
// BENCH_BASELINE=<checkout>: our baseline checkout (ours-user-base, as A) against the working tree
// (ours-user, as B), same cases, same generator, same run.
const args = process.argv.slice(2);
const [a, b0] = args;
if (a === undefined) {
  process.stderr.write("usage: npm run bench:compare A.json B.json   (files from bench/results/runs/)\n       npm run bench:compare RUN.json   (BENCH_BASELINE run: ours-user-base vs ours-user)\n");
  process.exit(2);
}
const inOneRun = b0 === undefined;
const b = b0 ?? a;
const A = JSON.parse(readFileSync(a, "utf8")) as ResultsFile;
const B = JSON.parse(readFileSync(b, "utf8")) as ResultsFile;

function key(c: CaseResult, r: SubjectResult, asBaseline = false): string {
  const server = asBaseline && r.server === "ours-user-base" ? "ours-user" : r.server;
  return `${c.scenario}|${c.id}|${server}|${r.generator}`;
}
const before = new Map<string, { c: CaseResult; r: SubjectResult }>();
for (const c of A.cases) {
  for (const r of c.results) {
    if (inOneRun && r.server !== "ours-user-base") continue;
    before.set(key(c, r, inOneRun), { c, r });
  }
}

function change(x: number | undefined, y: number | undefined): string {
  if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y) || x === 0) return "–";
  const d = (y / x - 1) * 100;
  return `${d >= 0 ? "+" : ""}${d.toFixed(1)}%`;
}
function us(v: number | undefined): string {
  return v === undefined ? "–" : v >= 1000 ? `${(v / 1000).toFixed(2)}ms` : `${v}µs`;
}

const rows: string[][] = [["case", "contender", "rate A", "rate B", "Δ rate", "p50 Δ", "p99 A", "p99 B", "Δ p99", "CPU/call Δ", "noise (spread A/B)"]];
let matched = 0;
for (const c of B.cases) {
  for (const r of c.results) {
    const o = before.get(key(c, r));
    if (o === undefined || o.r.median === undefined || r.median === undefined) continue;
    matched++;
    const metric = (s: SubjectResult): number => (c.metric === "messages" ? s.median!.messagesPerS : s.median!.callsPerS);
    const x = metric(o.r);
    const y = metric(r);
    const noise = Math.max(o.r.spread ?? 0, r.spread ?? 0);
    const d = x > 0 ? Math.abs(y / x - 1) : 0;
    rows.push([
      `${c.scenario} ${c.title}`,
      `${r.label}${c.compare === "servers" ? ` ← ${GENERATOR_LABEL[r.generator]}` : ""}`,
      fmtNum(x),
      fmtNum(y),
      change(x, y) + (d > noise ? "" : " (within noise)"),
      change(o.r.median.latencyUs.p50, r.median.latencyUs.p50),
      us(o.r.median.latencyUs.p99),
      us(r.median.latencyUs.p99),
      change(o.r.median.latencyUs.p99, r.median.latencyUs.p99),
      change(o.r.median.serverCpuUsPerCall, r.median.serverCpuUsPerCall),
      `${((o.r.spread ?? 0) * 100).toFixed(0)}% / ${((r.spread ?? 0) * 100).toFixed(0)}%`,
    ]);
  }
}
process.stdout.write(`A: ${a} (${A.startedAt}, ${A.command})\nB: ${b} (${B.startedAt}, ${B.command})\n\n`);
if (matched === 0) {
  process.stdout.write("no case and contender in common\n");
  process.exit(1);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) process.stdout.write(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ") + "\n");
