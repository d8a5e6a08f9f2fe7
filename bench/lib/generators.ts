// The load generators, behind one function each: h2load (nghttp2, C, with pre-framed bodies),
// ghz (Go), and the node load generator with our client or the grpc-js client. Each returns a
// GenResult whose calls were checked (grpc-status 0 and the payload) before being counted.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { runGenerator } from "./procs.js";
import { newHistogram, percentilesOf } from "./histogram.js";
import type { Percentiles } from "./histogram.js";
import { frame, frames, payloadMessage, streamRequestMessage, streamSummaryMessage } from "./wire-bytes.js";
import { fieldSummary, rawCall, splitFrames } from "./raw-call.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const ECHO_PROTO = join(ROOT, "bench/proto/echo.proto");

/** h2raw: bench/loadgen/h2raw-loadgen.ts, HTTP/2 frames written by hand, for the user service's CreateUser only. */
export type GeneratorId = "h2load" | "ghz" | "grpcjs-client" | "ours-client" | "h2raw";
export type CallShape = "unary" | "server-stream" | "client-stream" | "bidi";

export interface Load {
  call: CallShape;
  connections: number;
  streams: number;
  /** Payload body size in bytes (each message). */
  payload: number;
  /** Messages per stream (server-stream, client-stream). */
  count: number;
  warmupS: number;
  durationS: number;
  /** Quick mode: stop after this many calls instead of a duration. */
  maxCalls?: number;
}

export interface GenResult {
  calls: number;
  errors: number;
  firstError?: string;
  /** Measured wall time. */
  elapsedS: number;
  messages: number;
  bytes: number;
  latencyUs: Percentiles;
  generatorCpuS?: number;
  serverCpuS: number;
  /** CPU seconds the whole machine used over the measured period (server + generator + others). */
  machineBusyS?: number;
}

const METHOD: Record<CallShape, string> = {
  unary: "Unary",
  "server-stream": "ServerStream",
  "client-stream": "ClientStream",
  bidi: "Bidi",
};

export function toolPath(name: string): string | undefined {
  const local = join(ROOT, ".peers/bin", name);
  if (existsSync(local)) return local;
  try {
    return execFileSync("bash", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Which generators can drive which call shapes. */
export function supports(gen: GeneratorId, call: CallShape): boolean {
  if (gen === "h2load") return call !== "bidi"; // h2load sends a whole body, then reads: no ping-pong
  if (gen === "ghz") return call === "unary";
  if (gen === "h2raw") return call === "unary"; // the user service's CreateUser only (bench/lib/service-load.ts)
  return true;
}

export function runLoad(gen: GeneratorId, port: number, serverPid: number, load: Load, onTick?: () => void): Promise<GenResult> {
  switch (gen) {
    case "h2load":
      return runH2load(port, serverPid, load, onTick);
    case "ghz":
      return runGhz(port, serverPid, load, onTick);
    case "grpcjs-client":
      return runNode("grpcjs", port, serverPid, load, onTick);
    case "ours-client":
      return runNode("ours", port, serverPid, load, onTick);
    case "h2raw":
      return Promise.resolve(failed("h2raw drives only the user service's CreateUser"));
  }
}

async function runNode(impl: string, port: number, serverPid: number, load: Load, onTick?: () => void): Promise<GenResult> {
  const args = [
    ...["--impl", impl, "--target", `127.0.0.1:${port}`, "--call", load.call],
    ...["--payload", String(load.payload), "--count", String(load.count)],
  ];
  return runNodeGenerator(`${impl} client`, "bench/loadgen/node-loadgen.ts", args, load, serverPid, onTick);
}

/** Runs one of the node load generators, `script` (under bench/loadgen, driven by loop.ts: the load's
 *  connections, streams, warm-up, duration and call cap as flags; MEASURING / STOPPED markers, then
 *  one JSON result line) with its own `args`, and reads its result. */
export async function runNodeGenerator(what: string, script: string, args: string[], load: Load, serverPid: number, onTick?: () => void): Promise<GenResult> {
  const argv = [
    ...["--import", "tsx", join(ROOT, script), ...args],
    ...["--connections", String(load.connections), "--streams", String(load.streams)],
    ...["--warmup", String(load.warmupS), "--duration", String(load.durationS)],
    ...(load.maxCalls !== undefined ? ["--max-calls", String(load.maxCalls)] : []),
  ];
  const out = await runGenerator(process.execPath, argv, serverPid, { startMarker: /MEASURING/, endMarker: /STOPPED/, onTick });
  const line = out.stdout.trim().split("\n").pop() ?? "";
  if (out.code !== 0 || !line.startsWith("{")) {
    return failed(`${what} exited ${out.code}: ${out.stderr.trim().split("\n").slice(-6).join(" | ")}`, out.serverCpuS);
  }
  const r = JSON.parse(line) as Omit<GenResult, "serverCpuS"> & { cpuS: number };
  return { ...r, generatorCpuS: r.cpuS, serverCpuS: out.serverCpuS, machineBusyS: out.machineBusyS };
}

export function failed(message: string, serverCpuS = 0): GenResult {
  return { calls: 0, errors: 1, firstError: message, elapsedS: 0, messages: 0, bytes: 0, latencyUs: {}, serverCpuS };
}

/** The framed request body and the exact response DATA length per call, for h2load. */
function h2loadBodies(load: Load): Omit<H2loadCall, "path"> {
  switch (load.call) {
    case "unary": {
      const f = frame(payloadMessage(load.payload));
      return { body: f, responseData: f.length, messagesPerCall: 1, bytesPerCall: 2 * load.payload };
    }
    case "server-stream":
      return {
        body: frame(streamRequestMessage(load.count, load.payload)),
        responseData: load.count * frame(payloadMessage(load.payload)).length,
        messagesPerCall: load.count,
        bytesPerCall: load.count * load.payload,
      };
    case "client-stream":
      return {
        body: frames(payloadMessage(load.payload), load.count),
        responseData: frame(streamSummaryMessage(load.count, load.count * load.payload)).length,
        messagesPerCall: load.count,
        bytesPerCall: load.count * load.payload,
      };
    case "bidi":
      throw new Error("h2load cannot play bidi ping-pong");
  }
}

/** One h2load target: a path, a pre-framed body, extra headers, and the exact response DATA per call. */
export interface H2loadCall {
  path: string;
  body: Buffer;
  headers?: string[];
  responseData: number;
  messagesPerCall: number;
  bytesPerCall: number;
}

/**
 * Preflight for h2load: one call with the same body over a bare HTTP/2 session, checked (status 0,
 * the decoded messages), whose exact response size every h2load call must then reproduce. Servers
 * may encode the same message differently (protobufjs writes an empty bytes field that we omit),
 * so the size is measured per server rather than assumed.
 */
async function echoPreflight(port: number, path: string, body: Buffer, load: Load): Promise<number | string> {
  let r;
  try {
    r = await rawCall(port, path, body);
  } catch (err) {
    return `preflight call failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (r.status !== "0") return `preflight: grpc-status ${r.status} ${r.message ?? ""}`;
  try {
    const msgs = splitFrames(r.data).map(fieldSummary);
    const bodyLen = (m: Map<number, number>): number => m.get(1) ?? 0;
    const want = load.call === "server-stream" ? load.count : 1;
    if (msgs.length !== want) return `preflight: ${msgs.length} response messages, expected ${want}`;
    if (load.call === "client-stream") {
      const m = msgs[0];
      if ((m.get(1) ?? 0) !== load.count || (m.get(2) ?? 0) !== load.count * load.payload) return `preflight: summary ${JSON.stringify([...m])}`;
    } else if (msgs.some((m) => bodyLen(m) !== load.payload)) return `preflight: payload of ${bodyLen(msgs[0])} bytes, expected ${load.payload}`;
  } catch (err) {
    return `preflight: undecodable response: ${err instanceof Error ? err.message : String(err)}`;
  }
  return r.data.length;
}

async function runH2load(port: number, serverPid: number, load: Load, onTick?: () => void): Promise<GenResult> {
  if (load.call === "bidi") return failed("h2load cannot play bidi ping-pong");
  const path = `/bench.Echo/${METHOD[load.call]}`;
  const bodies = h2loadBodies(load);
  const expected = await echoPreflight(port, path, bodies.body, load);
  if (typeof expected === "string") return failed(expected);
  return runH2loadCall(port, serverPid, { path, ...bodies, responseData: expected }, load, onTick);
}

export async function runH2loadCall(port: number, serverPid: number, call: H2loadCall, load: Load, onTick?: () => void): Promise<GenResult> {
  const h2load = toolPath("h2load");
  if (h2load === undefined) return failed("h2load not installed (scripts/install-bench-tools.sh)");
  const dir = mkdtempSync(join(tmpdir(), "bench-h2load-"));
  try {
    writeFileSync(join(dir, "body"), call.body);
    const args = [
      ...["-c", String(load.connections), "-m", String(load.streams), "-t", "1"],
      ...["-d", join(dir, "body"), "-H", "content-type: application/grpc", "-H", "te: trailers"],
      ...(call.headers ?? []).flatMap((h) => ["-H", h]),
      // Large windows, as gRPC stacks advertise, so 1 MiB payloads are not throttled by h2load.
      ...["-w", "26", "-W", "26"],
    ];
    const url = `http://127.0.0.1:${port}${call.path}`;
    // h2load's traffic counters include its --warm-up-time, so the warm-up is a run of its own.
    if (load.maxCalls === undefined && load.warmupS > 0) {
      await runGenerator(h2load, [...args, "-D", String(load.warmupS), url], serverPid, { onTick });
    }
    const measured = load.maxCalls !== undefined ? ["-n", String(Math.max(load.maxCalls, load.connections))] : ["-D", String(load.durationS)];
    // The per-request log of the measured run only (h2load appends to an existing log file).
    const out = await runGenerator(h2load, [...args, "--log-file", join(dir, "log"), ...measured, url], serverPid, { times: true, onTick });
    const s = out.stdout;
    const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(s);
    const status = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(s);
    const traffic = /traffic: .*?, .*? \((\d+)\) headers .*?, .*? \((\d+)\) data/.exec(s);
    // h2load picks the unit: "1.50s", "803.55ms", and "950.20us" for a run under a millisecond (quick mode).
    const finished = /finished in ([\d.]+)(us|ms|s)\b/.exec(s);
    if (req === null || status === null || traffic === null || finished === null) {
      return failed(`h2load: unexpected output (exit ${out.code}): ${(s + out.stderr).trim().slice(-400)}`, out.serverCpuS);
    }
    const succeeded = Number(req[4]);
    const notOk = Number(req[5]) + Number(req[6]) + Number(req[7]) + Number(status[2]) + Number(status[3]) + Number(status[4]);
    const data = Number(traffic[2]);
    const inFlight = load.connections * load.streams;
    // h2load only sees the HTTP status; a gRPC error is a 200 whose body is missing (Trailers-Only)
    // or different. Every successful call must have carried exactly the expected response bytes.
    let errors = notOk;
    let firstError: string | undefined;
    if (data < succeeded * call.responseData || data > (succeeded + inFlight) * call.responseData) {
      errors += Math.max(1, Math.round(Math.abs(succeeded * call.responseData - data) / Math.max(1, call.responseData)));
      firstError = `response data ${data} bytes for ${succeeded} calls, expected ${call.responseData} each (gRPC errors?)`;
    } else if (notOk > 0) firstError = `h2load: ${req[0]}; ${status[0]}`;
    if (succeeded === 0 && errors === 0) {
      errors = 1;
      firstError = `h2load: no call succeeded: ${req[0]}`;
    }
    const hist = newHistogram();
    let logged = 0;
    for (const line of readFileSync(join(dir, "log"), "utf8").split("\n")) {
      const cols = line.split("\t");
      if (cols.length >= 3 && cols[1] === "200") {
        hist.recordValue(Math.max(1, Number(cols[2])));
        logged++;
      }
    }
    const elapsedS = Number(finished[1]) / (finished[2] === "us" ? 1e6 : finished[2] === "ms" ? 1000 : 1);
    return {
      calls: succeeded,
      errors,
      ...(firstError !== undefined ? { firstError } : {}),
      elapsedS,
      messages: succeeded * call.messagesPerCall,
      bytes: succeeded * call.bytesPerCall,
      latencyUs: logged > 0 ? percentilesOf(hist) : {},
      ...(out.generatorCpuS !== undefined ? { generatorCpuS: out.generatorCpuS } : {}),
      serverCpuS: out.serverCpuS,
      machineBusyS: out.machineBusyS,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface GhzReport {
  count: number;
  total: number;
  rps: number;
  latencyDistribution: Array<{ percentage: number; latency: number }> | null;
  statusCodeDistribution?: Record<string, number>;
  errorDistribution?: Record<string, number>;
}

async function runGhz(port: number, serverPid: number, load: Load, onTick?: () => void): Promise<GenResult> {
  const ghz = toolPath("ghz");
  if (ghz === undefined) return failed("ghz not installed (scripts/install-bench-tools.sh)");
  const dir = mkdtempSync(join(tmpdir(), "bench-ghz-"));
  try {
    writeFileSync(join(dir, "body"), payloadMessage(load.payload));
    // ghz refuses an empty binary file: the empty message goes as JSON instead.
    const data = load.payload === 0 ? ["-d", "{}"] : ["--binary-file", join(dir, "body")];
    const base = [
      "--insecure",
      ...["--proto", ECHO_PROTO, "--call", "bench.Echo.Unary", ...data],
      ...["--connections", String(load.connections), "-c", String(load.connections * load.streams)],
      ...["--max-recv-message-size", "64MB", "--max-send-message-size", "64MB"],
      "--skipFirst", "0",
      "-O", "json",
    ];
    const target = `127.0.0.1:${port}`;
    if (load.maxCalls === undefined && load.warmupS > 0) {
      await runGenerator(ghz, [...base, "-z", `${load.warmupS}s`, target], serverPid, { onTick }); // warm-up, discarded
    }
    const measured = load.maxCalls !== undefined ? ["-n", String(Math.max(load.maxCalls, load.connections * load.streams))] : ["-z", `${load.durationS}s`];
    const out = await runGenerator(ghz, [...base, ...measured, target], serverPid, { times: true, onTick });
    let r: GhzReport;
    try {
      r = JSON.parse(out.stdout) as GhzReport;
    } catch {
      return failed(`ghz exited ${out.code}: ${(out.stdout + out.stderr).trim().slice(-400)}`, out.serverCpuS);
    }
    const ok = r.statusCodeDistribution?.OK ?? 0;
    // ghz -z cancels the calls still in flight when the time is up; those are not server errors.
    let cut = 0;
    for (const [msg, n] of Object.entries(r.errorDistribution ?? {})) {
      if (/closed network connection|Canceled|transport is closing|context deadline exceeded/i.test(msg)) cut += n;
    }
    if (load.maxCalls !== undefined || cut > load.connections * load.streams) cut = 0;
    const errors = r.count - ok - cut;
    const pct: Record<string, number> = {};
    for (const d of r.latencyDistribution ?? []) pct[`p${d.percentage}`] = Math.round(d.latency / 1000);
    const elapsedS = r.total / 1e9;
    return {
      calls: ok,
      errors,
      ...(errors > 0 ? { firstError: `ghz: ${JSON.stringify(r.errorDistribution ?? r.statusCodeDistribution)}`.slice(0, 300) } : {}),
      elapsedS,
      messages: ok,
      bytes: ok * 2 * load.payload,
      latencyUs: pct,
      ...(out.generatorCpuS !== undefined ? { generatorCpuS: out.generatorCpuS } : {}),
      serverCpuS: out.serverCpuS,
      machineBusyS: out.machineBusyS,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
