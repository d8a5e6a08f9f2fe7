// The harness: starts the servers a scenario needs (pinned to one core), runs every subject of
// every case, repeated and interleaved (A B C A B C …), with the load generator on the other core;
// records throughput, HDR latency percentiles, server CPU and peak RSS, generator CPU, and whether
// the generator (not the server) was the bottleneck; then medians, spreads and ratios.
import { cpuSeconds, peakRssMiB, resetPeakRss } from "./procs.js";
import type { ServerProcess } from "./procs.js";
import { runLoad, supports } from "./generators.js";
import type { GenResult, GeneratorId, Load } from "./generators.js";
import { SERVERS, serverSelected } from "./servers.js";
import type { ServerId } from "./servers.js";
import type { Case, Scenario, Subject } from "./scenarios.js";
import { median, spread } from "./stats.js";
import type { Percentiles } from "./histogram.js";
import { prepareUserServer, runUserLoad } from "./service-load.js";
import type { UserFixture } from "./service-load.js";

export interface RunOptions {
  warmupS: number;
  durationS: number;
  repeats: number;
  quick: boolean;
  cpuProfDir?: string;
  servers?: ServerId[];
  generators?: GeneratorId[];
  progress: (line: string, final?: boolean) => void;
  /** Quick mode: subjects already checked (server, generator, call shape, payload), across scenarios. */
  quickSeen?: Set<string>;
}

export interface RunRecord {
  rep: number;
  calls: number;
  errors: number;
  firstError?: string;
  elapsedS: number;
  callsPerS: number;
  messagesPerS: number;
  mbPerS: number;
  latencyUs: Percentiles;
  serverCpuS: number;
  serverCpuPct: number;
  serverPeakRssMiB?: number;
  generatorCpuPct?: number;
  /** The load generator used ≥ 90 % of its core: it, not the server, may be the limit. */
  generatorBound: boolean;
  /** CPU other processes (not the server, not the generator) used during the run, % of one core. */
  othersCpuPct?: number;
}

export interface SubjectResult extends Subject {
  label: string;
  status: "ok" | "errors" | "missing";
  note?: string;
  runs: RunRecord[];
  median?: {
    callsPerS: number;
    messagesPerS: number;
    mbPerS: number;
    latencyUs: Percentiles;
    serverCpuPct: number;
    serverPeakRssMiB?: number;
    generatorCpuPct?: number;
    /** CPU used by other processes during the runs, % of one core (median). */
    othersCpuPct?: number;
    /** Server CPU per call, microseconds. */
    serverCpuUsPerCall: number;
  };
  /** Spread of the ranking metric across runs: (max − min) / median. */
  spread?: number;
  generatorBound?: boolean;
  /** Ranking metric relative to the grpc-js subject (same generator, or same server for clients). */
  vsGrpcjs?: number;
  /** Ranking metric relative to the floor (same generator). */
  vsFloor?: number;
  /** p99 latency relative to the grpc-js subject (lower is better). */
  p99VsGrpcjs?: number;
  /** Ours ÷ our baseline checkout (BENCH_BASELINE), same generator, same run. */
  vsBaseline?: number;
}

export interface CaseResult extends Omit<Case, "subjects"> {
  scenario: string;
  results: SubjectResult[];
}

/** Other processes using this much of a core during a run make it "contended" (figures unreliable). */
export const CONTENDED_PCT = 25;

export const GENERATOR_LABEL: Record<GeneratorId, string> = {
  h2load: "h2load",
  ghz: "ghz",
  "grpcjs-client": "grpc-js client",
  "ours-client": "our client",
  h2raw: "raw HTTP/2 generator",
};

export function subjectLabel(s: Subject, c: Case): string {
  return c.compare === "clients" ? GENERATOR_LABEL[s.generator] : `${SERVERS[s.server].label}`;
}

/**
 * The load of one run. h2load and ghz warm the server up in a discarded run of their own, so only a
 * subject's first repetition needs it (the server process, and its JIT state, lives across repetitions);
 * the node generators are new processes every run and warm themselves up, so they always get one.
 */
function loadOf(c: Case, o: RunOptions, rep: number, generator: GeneratorId): Load {
  const warm = rep === 0 || generator === "grpcjs-client" || generator === "ours-client" || generator === "h2raw";
  return {
    call: c.load.call,
    connections: c.load.connections,
    streams: c.load.streams,
    payload: c.load.payload,
    count: c.load.count,
    warmupS: o.quick || !warm ? 0 : o.warmupS,
    durationS: o.durationS,
    ...(o.quick ? { maxCalls: c.load.call === "unary" || c.load.call === "bidi" ? 50 : 5 } : {}),
  };
}

/** In quick mode each (server, generator, call shape, payload) is checked once, whatever the scenario. */
function firstInQuick(o: RunOptions, s: Subject, c: Case): boolean {
  if (!o.quick || o.quickSeen === undefined) return true;
  const k = `${s.server}|${s.generator}|${c.load.user ?? c.load.call}|${c.load.payload}|${c.load.streams > 1 ? "many" : "one"}`;
  if (o.quickSeen.has(k)) return false;
  o.quickSeen.add(k);
  return true;
}

/** Runs one scenario and returns its case results. */
export async function runScenario(scenario: Scenario, o: RunOptions): Promise<CaseResult[]> {
  const cases = scenario.cases.map((c) => ({
    ...c,
    subjects: c.subjects.filter(
      (s) =>
        (o.servers === undefined || serverSelected(s.server, o.servers)) &&
        (o.generators === undefined || o.generators.includes(s.generator)) &&
        supports(s.generator, c.load.call) &&
        firstInQuick(o, s, c),
    ),
  })).filter((c) => c.subjects.length > 0);
  const results = new Map<Case, SubjectResult[]>();
  const needed = [...new Set(cases.flatMap((c) => c.subjects.map((s) => s.server)))];
  const procs = new Map<ServerId, ServerProcess>();
  const missing = new Map<ServerId, string>();
  const fixtures = new Map<ServerId, UserFixture>();
  /** Starts server `id` (pinned, profiled with --cpu-prof) and, for user-service cases, seeds it. */
  const start = async (id: ServerId, seed: boolean): Promise<ServerProcess> => {
    o.progress(`${scenario.id}: starting ${SERVERS[id].label}`);
    const p = await SERVERS[id].start({ ...(o.cpuProfDir !== undefined ? { cpuProf: o.cpuProfDir } : {}) });
    procs.set(id, p);
    if (seed) {
      o.progress(`${scenario.id}: preparing ${SERVERS[id].label} (seeding users)`);
      fixtures.set(id, await prepareUserServer(p.port, o.quick ? 100 : 10_000, SERVERS[id].canned === true));
    }
    return p;
  };
  try {
    for (const id of needed) {
      const why = SERVERS[id].missing();
      if (why !== undefined) {
        missing.set(id, why);
        continue;
      }
      try {
        await start(id, cases.some((c) => c.load.user !== undefined && c.subjects.some((s) => s.server === id)));
      } catch (err) {
        missing.set(id, `failed to start: ${err instanceof Error ? err.message.split("\n").slice(0, 3).join(" ") : String(err)}`);
      }
    }
    const total = cases.reduce((n, c) => n + c.subjects.length, 0) * (o.quick ? 1 : o.repeats);
    let done = 0;
    for (const c of cases) {
      const rs: SubjectResult[] = c.subjects.map((s) => ({
        ...s,
        label: subjectLabel(s, c),
        status: missing.has(s.server) ? "missing" : "ok",
        ...(missing.has(s.server) ? { note: missing.get(s.server) } : {}),
        runs: [],
      }));
      results.set(c, rs);
      if (c.freshServers === true) {
        for (const id of new Set(rs.filter((r) => r.status !== "missing").map((r) => r.server))) {
          await procs.get(id)?.stop();
          try {
            await start(id, fixtures.has(id));
          } catch (err) {
            missing.set(id, `restart failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
            for (const r of rs) if (r.server === id) Object.assign(r, { status: "missing", note: missing.get(id) });
          }
        }
      }
      const reps = o.quick ? 1 : o.repeats;
      for (let rep = 0; rep < reps; rep++) {
        // Interleaved: every subject once per repetition, so drift hits all of them alike.
        for (const r of rs) {
          if (r.status === "missing") continue;
          done++;
          let proc = procs.get(r.server)!;
          const head = `[${done}/${total}] ${scenario.id} ${c.title} · ${r.label}${c.compare === "servers" ? ` ← ${GENERATOR_LABEL[r.generator]}` : ` → ${SERVERS[r.server].label}`} · run ${rep + 1}/${reps}`;
          if (proc.exitReason() !== undefined || cpuSeconds(proc.pid) === undefined) {
            // A dead server fails this subject (and says how it died), then is restarted for the others.
            const why = `${SERVERS[r.server].label} died (${proc.exitReason() ?? "gone"}) before this run: ${proc.stderrTail().trim().split("\n").slice(-3).join(" | ")}`;
            o.progress(`${head} · ${why}`, true);
            for (const other of rs) if (other.server === r.server && other.status !== "missing") {
              other.status = "errors";
              other.note ??= why;
            }
            try {
              proc = await start(r.server, fixtures.has(r.server));
            } catch (err) {
              missing.set(r.server, `restart failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
              continue;
            }
          }
          const t0 = performance.now();
          const load = loadOf(c, o, rep, r.generator);
          const budget = load.warmupS + load.durationS;
          const tick = (): void => o.progress(`${head} · ${((performance.now() - t0) / 1000).toFixed(1)}s/${o.quick ? "?" : budget.toFixed(1)}s`);
          tick();
          resetPeakRss(proc.pid);
          const g: GenResult =
            c.load.user !== undefined
              ? await runUserLoad(r.generator, proc.port, proc.pid, c.load.user, fixtures.get(r.server)!, load, tick)
              : await runLoad(r.generator, proc.port, proc.pid, load, tick);
          const rec = record(rep, g, peakRssMiB(proc.pid));
          r.runs.push(rec);
          if (g.errors > 0 || g.calls === 0) {
            r.status = "errors";
            r.note ??= g.firstError ?? "no call completed";
          }
          o.progress(
            `${head} · ${rec.callsPerS.toFixed(0)} calls/s${c.metric === "messages" ? `, ${rec.messagesPerS.toFixed(0)} msg/s` : ""}, p99 ${fmtUs(rec.latencyUs.p99)}` +
              `${rec.errors > 0 ? ` · ${rec.errors} ERRORS: ${rec.firstError}` : ""}${rec.generatorBound ? " · generator-bound" : ""}` +
              `${(rec.othersCpuPct ?? 0) >= CONTENDED_PCT ? ` · others used ${rec.othersCpuPct!.toFixed(0)}% CPU` : ""}`,
            true,
          );
        }
      }
    }
  } finally {
    for (const p of procs.values()) await p.stop();
  }
  return cases.map((c) => {
    const { subjects: _subjects, ...rest } = c;
    return { ...rest, scenario: scenario.id, results: summarize(c, results.get(c) ?? []) };
  });
}

function fmtUs(us: number | undefined): string {
  if (us === undefined) return "–";
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us} µs`;
}

function record(rep: number, g: GenResult, rss: number | undefined): RunRecord {
  const e = g.elapsedS > 0 ? g.elapsedS : NaN;
  const genPct = g.generatorCpuS !== undefined ? (100 * g.generatorCpuS) / e : undefined;
  return {
    rep,
    calls: g.calls,
    errors: g.errors,
    ...(g.firstError !== undefined ? { firstError: g.firstError } : {}),
    elapsedS: g.elapsedS,
    callsPerS: g.calls / e || 0,
    messagesPerS: g.messages / e || 0,
    mbPerS: g.bytes / e / 1e6 || 0,
    latencyUs: g.latencyUs,
    serverCpuS: g.serverCpuS,
    serverCpuPct: (100 * g.serverCpuS) / e || 0,
    ...(rss !== undefined ? { serverPeakRssMiB: rss } : {}),
    ...(genPct !== undefined ? { generatorCpuPct: genPct } : {}),
    generatorBound: genPct !== undefined && genPct >= 90,
    ...(g.machineBusyS !== undefined && Number.isFinite(g.machineBusyS) && g.generatorCpuS !== undefined
      ? { othersCpuPct: Math.max(0, (100 * (g.machineBusyS - g.serverCpuS - g.generatorCpuS)) / e) }
      : {}),
  };
}

function summarize(c: Case, rs: SubjectResult[]): SubjectResult[] {
  const metricOf = (m: { callsPerS: number; messagesPerS: number }): number => (c.metric === "messages" ? m.messagesPerS : m.callsPerS);
  for (const r of rs) {
    const runs = r.runs.filter((x) => x.calls > 0);
    if (runs.length === 0) continue;
    const pick = (f: (x: RunRecord) => number | undefined): number | undefined => {
      const xs = runs.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
      return xs.length > 0 ? median(xs) : undefined;
    };
    const latencyUs: Percentiles = {};
    for (const k of Object.keys(runs[0].latencyUs)) latencyUs[k] = pick((x) => x.latencyUs[k])!;
    const callsPerS = pick((x) => x.callsPerS)!;
    const serverCpuPct = pick((x) => x.serverCpuPct) ?? 0;
    const rss = pick((x) => x.serverPeakRssMiB);
    const gen = pick((x) => x.generatorCpuPct);
    const others = pick((x) => x.othersCpuPct);
    r.median = {
      callsPerS,
      messagesPerS: pick((x) => x.messagesPerS)!,
      mbPerS: pick((x) => x.mbPerS)!,
      latencyUs,
      serverCpuPct,
      ...(rss !== undefined ? { serverPeakRssMiB: rss } : {}),
      ...(gen !== undefined ? { generatorCpuPct: gen } : {}),
      ...(others !== undefined ? { othersCpuPct: others } : {}),
      serverCpuUsPerCall: callsPerS > 0 ? (serverCpuPct / 100 / callsPerS) * 1e6 : 0,
    };
    r.spread = spread(runs.map((x) => metricOf(x)));
    r.generatorBound = runs.filter((x) => x.generatorBound).length * 2 > runs.length;
  }
  for (const r of rs) {
    if (r.median === undefined) continue;
    const same = (o: SubjectResult): boolean => (c.compare === "clients" ? o.server === r.server : o.generator === r.generator);
    const base = rs.find((o) => same(o) && (c.compare === "clients" ? o.generator === "grpcjs-client" : o.server === "grpcjs" || o.server === "grpcjs-user"));
    // A/B runs: ours against our own baseline checkout (BENCH_BASELINE), in the same interleaved run.
    const ab = rs.find((o) => same(o) && o.server === "ours-user-base");
    if (ab?.median !== undefined && metricOf(ab.median) > 0 && r.server === "ours-user") r.vsBaseline = metricOf(r.median) / metricOf(ab.median);
    const floor = c.compare === "servers" ? rs.find((o) => same(o) && o.server === "floor") : undefined;
    if (base?.median !== undefined && metricOf(base.median) > 0) {
      r.vsGrpcjs = metricOf(r.median) / metricOf(base.median);
      const a = r.median.latencyUs.p99;
      const b = base.median.latencyUs.p99;
      if (a !== undefined && b !== undefined && b > 0) r.p99VsGrpcjs = a / b;
    }
    if (floor?.median !== undefined && metricOf(floor.median) > 0) r.vsFloor = metricOf(r.median) / metricOf(floor.median);
  }
  return rs;
}
