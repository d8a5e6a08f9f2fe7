// The closed-loop driver shared by the node load generators: C connections × M workers, each
// calling back-to-back; a warm-up whose calls are discarded; "MEASURING"/"STOPPED" markers on
// stdout (the harness samples the server's CPU there); one JSON result line at the end.
import { newHistogram, percentilesOf } from "../lib/histogram.js";
import type { Percentiles } from "../lib/histogram.js";

export interface LoadgenResult {
  calls: number;
  errors: number;
  firstError?: string;
  elapsedS: number;
  /** Messages received (streaming: every streamed message; unary: one per call). */
  messages: number;
  /** Payload bytes moved in the measured period. */
  bytes: number;
  cpuS: number;
  latencyUs: Percentiles;
}

/** One call; resolves with the number of messages it moved, throws if the answer is wrong. */
export type OneCall = () => Promise<number>;

export interface LoopOptions {
  connections: number;
  streams: number;
  warmupMs: number;
  durationMs: number;
  /** Quick mode: stop after this many calls (0: run for the duration). */
  maxCalls: number;
  /** Payload bytes one call moves (for MB/s). */
  bytesPerCall: number;
  /** Makes the call function of one worker on connection `conn`. */
  worker(conn: number): OneCall;
}

/** The flags every node load generator takes for its loop (bench/lib/generators.ts runNodeGenerator
 *  passes them); spread into its parseArgs options. */
export const LOOP_FLAGS = {
  connections: { type: "string", default: "1" },
  streams: { type: "string", default: "1" },
  warmup: { type: "string", default: "1" },
  duration: { type: "string", default: "5" },
  "max-calls": { type: "string", default: "0" },
} as const;

/** The loop's settings from the parsed {@link LOOP_FLAGS}. */
export function loopSettings(v: { connections: string; streams: string; warmup: string; duration: string; "max-calls": string }): Pick<LoopOptions, "connections" | "streams" | "warmupMs" | "durationMs" | "maxCalls"> {
  return {
    connections: Number(v.connections),
    streams: Number(v.streams),
    warmupMs: Number(v.warmup) * 1000,
    durationMs: Number(v.duration) * 1000,
    maxCalls: Number(v["max-calls"]),
  };
}

export async function runLoop(o: LoopOptions): Promise<LoadgenResult> {
  const hist = newHistogram();
  let measuring = o.warmupMs === 0;
  let stopped = false;
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  let messages = 0;
  let started = 0;
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  let elapsedS = 0;
  let cpu = process.cpuUsage();

  function startMeasuring(): void {
    measuring = true;
    hist.reset();
    calls = 0;
    messages = 0;
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    process.stdout.write("MEASURING\n");
  }
  function stop(): void {
    stopped = true;
    elapsedS = (performance.now() - t0) / 1000;
    cpu = process.cpuUsage(cpu0);
    process.stdout.write("STOPPED\n");
  }

  async function worker(conn: number): Promise<void> {
    const one = o.worker(conn);
    while (!stopped) {
      if (o.maxCalls > 0 && started >= o.maxCalls) return;
      started++;
      const t = process.hrtime.bigint();
      try {
        const n = await one();
        if (measuring && !stopped) {
          hist.recordValue(Math.max(1, Number((process.hrtime.bigint() - t) / 1000n)));
          calls++;
          messages += n;
        }
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
        if (o.maxCalls > 0) return;
      }
    }
  }

  if (o.warmupMs > 0) setTimeout(startMeasuring, o.warmupMs).unref();
  else process.stdout.write("MEASURING\n");
  const timer = o.maxCalls === 0 ? setTimeout(stop, o.warmupMs + o.durationMs) : undefined;
  // Holds the event loop open while calls are in flight: a client that unrefs its socket (ours
  // does, so an idle channel never keeps a process alive) must not let the process exit mid-run.
  const hold = setInterval(() => {}, 1000);
  const workers: Promise<void>[] = [];
  for (let c = 0; c < o.connections; c++) for (let s = 0; s < o.streams; s++) workers.push(worker(c));
  await Promise.all(workers);
  if (!stopped) stop();
  if (timer !== undefined) clearTimeout(timer);
  clearInterval(hold);
  return {
    calls,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    elapsedS,
    messages,
    bytes: calls * o.bytesPerCall,
    cpuS: (cpu.user + cpu.system) / 1e6,
    latencyUs: percentilesOf(hist),
  };
}
