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
  return `${path}:${line + 1}`;
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

export function formatHotspots(file: string, top = 25): string {
  const h = hotspots(file, top);
  const lines = [`${relative(ROOT, file)}: ${h.totalMs.toFixed(0)} ms busy, ${h.idleMs.toFixed(0)} ms idle; self time:`];
  for (const s of h.spots) lines.push(`  ${(s.share * 100).toFixed(1).padStart(5)}%  ${s.selfMs.toFixed(0).padStart(6)} ms  ${s.where}`);
  return lines.join("\n");
}
