// Node load generator for the benchmark: drives bench.Echo with our client or the grpc-js client
// over C connections × M calls in flight for a warm-up and a measured period, checks every
// response (status OK and the decoded payload) before counting it, records latency in an HDR
// histogram, and prints one JSON line (see LoadgenResult) on stdout.
//   node --import tsx bench/loadgen/node-loadgen.ts --impl ours|grpcjs --target 127.0.0.1:PORT
//     --call unary|server-stream|client-stream|bidi --connections 1 --streams 1 --payload 0
//     --count 100 --warmup 1 --duration 5 [--max-calls N]
import { parseArgs } from "node:util";
import { FILL } from "../lib/wire-bytes.js";
import { newHistogram, percentilesOf } from "../lib/histogram.js";
import type { Percentiles } from "../lib/histogram.js";
import type { EchoDriver } from "./driver.js";

export interface LoadgenResult {
  calls: number;
  errors: number;
  firstError?: string;
  elapsedS: number;
  /** Messages received (streaming: every streamed message; unary: one per call). */
  messages: number;
  /** Payload bytes moved in the measured period (request + response bodies). */
  bytes: number;
  cpuS: number;
  latencyUs: Percentiles;
}

const { values } = parseArgs({
  options: {
    impl: { type: "string", default: "grpcjs" },
    target: { type: "string" },
    call: { type: "string", default: "unary" },
    connections: { type: "string", default: "1" },
    streams: { type: "string", default: "1" },
    payload: { type: "string", default: "0" },
    count: { type: "string", default: "100" },
    warmup: { type: "string", default: "1" },
    duration: { type: "string", default: "5" },
    "max-calls": { type: "string", default: "0" },
  },
});
if (values.target === undefined) throw new Error("--target host:port is required");
const connections = Number(values.connections);
const streams = Number(values.streams);
const payload = Number(values.payload);
const count = Number(values.count);
const maxCalls = Number(values["max-calls"]);
const warmupMs = Number(values.warmup) * 1000;
const durationMs = Number(values.duration) * 1000;

const mod = (await import(values.impl === "ours" ? "./driver-ours.js" : "./driver-grpcjs.js")) as {
  createDriver(target: string, connections: number): EchoDriver;
};
const driver = mod.createDriver(values.target, connections);
const body = Buffer.alloc(payload, FILL);

function checkBody(b: Uint8Array, size: number): void {
  if (b.byteLength !== size || (size > 0 && (b[0] !== FILL || b[size - 1] !== FILL))) {
    throw new Error(`bad payload: ${b.byteLength} bytes, expected ${size}`);
  }
}

const hist = newHistogram();
let measuring = warmupMs === 0;
let stopped = false;
let calls = 0;
let errors = 0;
let firstError: string | undefined;
let messages = 0;
let bytes = 0;
let started = 0;
/** Bytes the last completed call moved (set by the shape; read right after it resolves). */
let moved = 0;

/** One call of the selected shape; returns [messages, bytes] it moved. Throws if the answer is wrong. */
type Shape = (conn: number) => Promise<number>;
const shapes: Record<string, (conn: number) => Shape> = {
  unary: () => async (conn) => {
    checkBody(await driver.unary(conn, body), payload);
    moved = 2 * payload;
    return 1;
  },
  "server-stream": () => async (conn) => {
    const r = await driver.serverStream(conn, count, payload);
    if (r.messages !== count || r.bytes !== count * payload) throw new Error(`server stream: ${r.messages} messages, ${r.bytes} bytes`);
    moved = r.bytes;
    return r.messages;
  },
  "client-stream": () => async (conn) => {
    const r = await driver.clientStream(conn, count, body);
    if (r.count !== count || r.bytes !== count * payload) throw new Error(`client stream summary: ${r.count} messages, ${r.bytes} bytes`);
    moved = count * payload;
    return count;
  },
  bidi: (conn) => {
    const session = driver.bidi(conn);
    return async () => {
      checkBody(await session.roundTrip(body), payload);
      moved = 2 * payload;
      return 1;
    };
  },
};
const makeShape = shapes[values.call];
if (makeShape === undefined) throw new Error(`unknown --call ${values.call}`);

async function worker(conn: number): Promise<void> {
  const one = makeShape(conn);
  while (!stopped) {
    if (maxCalls > 0 && started >= maxCalls) return;
    started++;
    const t0 = process.hrtime.bigint();
    try {
      const n = await one(conn);
      if (measuring && !stopped) {
        bytes += moved;
        hist.recordValue(Math.max(1, Number((process.hrtime.bigint() - t0) / 1000n)));
        calls++;
        messages += n;
      }
    } catch (err) {
      errors++;
      firstError ??= err instanceof Error ? `${err.message}` : String(err);
      if (maxCalls > 0) return;
    }
  }
}

let cpu0 = process.cpuUsage();
let t0 = performance.now();
function startMeasuring(): void {
  measuring = true;
  hist.reset();
  calls = 0;
  messages = 0;
  bytes = 0;
  cpu0 = process.cpuUsage();
  t0 = performance.now();
  process.stdout.write("MEASURING\n");
}
if (warmupMs > 0) setTimeout(startMeasuring, warmupMs).unref();
else process.stdout.write("MEASURING\n");
let timer: NodeJS.Timeout | undefined;
let elapsedS = 0;
let cpu = process.cpuUsage();
function stop(): void {
  stopped = true;
  elapsedS = (performance.now() - t0) / 1000;
  cpu = process.cpuUsage(cpu0);
  process.stdout.write("STOPPED\n");
}
if (maxCalls === 0) timer = setTimeout(stop, warmupMs + durationMs);

// Holds the event loop open while calls are in flight: a client that unrefs its socket (ours does,
// so an idle channel never keeps a process alive) must not let the process exit mid-run.
const hold = setInterval(() => {}, 1000);
const workers: Promise<void>[] = [];
for (let c = 0; c < connections; c++) for (let s = 0; s < streams; s++) workers.push(worker(c));
await Promise.all(workers);
if (!stopped) stop();
clearInterval(hold);
if (timer !== undefined) clearTimeout(timer);
const result: LoadgenResult = {
  calls,
  errors,
  ...(firstError !== undefined ? { firstError } : {}),
  elapsedS,
  messages,
  bytes,
  cpuS: (cpu.user + cpu.system) / 1e6,
  latencyUs: percentilesOf(hist),
};
process.stdout.write(JSON.stringify(result) + "\n");
driver.close();
process.exit(0);
