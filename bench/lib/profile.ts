// Summarizes a V8 .cpuprofile (node --cpu-prof) into self time per function (file:line function),
// so a missed target comes with where the server's time went.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { ROOT } from "./generators.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface Hotspot {
  where: string;
  selfMs: number;
  share: number;
}

function place(url: string, line: number): string {
  if (url === "") return "(native)";
  const path = url.startsWith("file://") ? relative(ROOT, new URL(url).pathname) : url;
  // Code run through tsx reports line 0 for every function: the name is the useful part then.
  return line === 0 ? path : `${path}:${line + 1}`;
}

export function hotspots(file: string, top = 25): { totalMs: number; idleMs: number; spots: Hotspot[] } {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  if (p.samples !== undefined && p.timeDeltas !== undefined) {
    for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  const agg = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || "(anonymous)";
    if (name === "(idle)") {
      idle += ms;
      continue;
    }
    total += ms;
    const k = `${place(n.callFrame.url, n.callFrame.lineNumber)} ${name}`;
    agg.set(k, (agg.get(k) ?? 0) + ms);
  }
  const spots = [...agg.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, ms]) => ({ where, selfMs: ms, share: total > 0 ? ms / total : 0 }));
  return { totalMs: total, idleMs: idle, spots };
}

/** Where self time goes, by area: the parts node:http2 and V8 spend on every call (the floor's too)
 *  and ours by job. First match wins; `where` is `hotspots`' "path:line function". */
const AREAS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\(native\) \(garbage collector\)/, "V8 garbage collector"],
  [/^\(native\) \(program\)/, "native, unattributed (nghttp2, libuv, system calls)"],
  [/^\(native\)/, "native, named (writes, microtask runs, …)"],
  [/^node:internal\/http2\//, "node:http2's JavaScript"],
  [/^node:(internal\/streams\/|events|internal\/stream_base)/, "node's streams and events"],
  [/^node:/, "node, other (ticks, timers, buffers, crypto, …)"],
  [/^(src|dist)\/store\//, "ours: store"],
  [/^(src|dist)\/service\/(call-log|logger|log-writer)\./, "ours: call log"],
  [/^(src|dist)\/service\/(auth|authorization)\./, "ours: auth"],
  [/^(src|dist)\/service\//, "ours: service (interceptors, request id, validation, handlers)"],
  [/^(src|dist)\/(codec|schema)\//, "ours: protobuf codec"],
  [/^(src|dist)\/(server|wire)\//, "ours: gRPC transport (server, wire)"],
];

/** Self time summed by area (see AREAS), largest first, with shares of busy time. */
export function areas(file: string): { totalMs: number; rows: Array<{ area: string; ms: number; share: number }> } {
  const h = hotspots(file, 1_000_000);
  const sum = new Map<string, number>();
  for (const s of h.spots) {
    const area = AREAS.find(([re]) => re.test(s.where))?.[1] ?? "other";
    sum.set(area, (sum.get(area) ?? 0) + s.selfMs);
  }
  const rows = [...sum.entries()].sort((a, b) => b[1] - a[1]).map(([area, ms]) => ({ area, ms, share: h.totalMs > 0 ? ms / h.totalMs : 0 }));
  return { totalMs: h.totalMs, rows };
}

export function formatHotspots(file: string, top = 25): string {
  const h = hotspots(file, 100_000);
  const lines = [`${relative(ROOT, file)}: ${h.totalMs.toFixed(0)} ms busy, ${h.idleMs.toFixed(0)} ms idle; self time:`];
  const show = (s: Hotspot): void => {
    lines.push(`  ${(s.share * 100).toFixed(1).padStart(5)}%  ${s.selfMs.toFixed(0).padStart(6)} ms  ${s.where}`);
  };
  h.spots.slice(0, top).forEach(show);
  // Our own code, apart: what src/ (and bench/) costs beyond node:http2 itself.
  const own = h.spots.filter((s) => s.where.startsWith("src/") || s.where.startsWith("bench/"));
  if (own.length > 0) {
    const sum = own.reduce((a, s) => a + s.selfMs, 0);
    lines.push(`  -- src/ and bench/ functions: ${sum.toFixed(0)} ms, ${((100 * sum) / Math.max(1, h.totalMs)).toFixed(1)}% of busy time; top:`);
    own.slice(0, top).forEach(show);
  }
  lines.push("  -- by area:");
  for (const r of areas(file).rows) lines.push(`  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.area}`);
  return lines.join("\n");
}
