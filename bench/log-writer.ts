// `npx tsx bench/log-writer.ts [--lines N] [--batch K]`: the call log's cost per line, writing the
// same call line (the logging interceptor's fields) to a file, K lines per event-loop turn as a busy
// server does. Contenders, interleaved, 3 rounds, median CPU per line (process.cpuUsage: every
// thread, libuv's pool included):
//   sync      JSON.stringify + process.stderr-style synchronous write per line (the old logger)
//   pino      pino 10 with pino.destination({ sync: false }) (sonic-boom, writes on libuv's pool)
//   pino16k   the same with minLength 16 000 (sonic-boom buffers before it writes; its maximum is below 16 KiB)
//   ours      src/service/call-log.ts formatCallLine + BatchedLineWriter (one write(2) per 64 KiB or 10 ms)
// Every line is counted in the file afterwards. Run it pinned like the server: taskset -c 0 npx tsx …
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { formatCallLine } from "../src/service/call-log.js";
import { createLogger } from "../src/service/logger.js";
import { BatchedLineWriter } from "../src/service/log-writer.js";

const { values } = parseArgs({ options: { lines: { type: "string", default: "200000" }, batch: { type: "string", default: "16" }, rounds: { type: "string", default: "3" } } });
const N = Number(values.lines);
const K = Number(values.batch);

interface Contender {
  name: string;
  /** Returns log(i) and a finish() that resolves once every line is in the file. */
  open(file: string): { log(i: number): void; finish(): Promise<void> };
}

const ids = Array.from({ length: 1024 }, () => randomUUID());
const fields = (i: number) => ({
  method: "/user.UserService/GetUser",
  code: "OK",
  status: 0,
  duration_ms: 0.123 + (i % 7) / 1000,
  request_id: ids[i & 1023],
  peer: "127.0.0.1:54321",
  role: "admin",
});

/** pino with its asynchronous destination (sonic-boom), buffering `minLength` bytes before a write. */
function pinoContender(minLength: number): Contender {
  return {
    name: `pino 10 + destination({ sync: false${minLength > 0 ? `, minLength: ${minLength}` : ""} })`,
    open(file) {
      const dest = pino.destination({ dest: file, sync: false, minLength });
      const log = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime, messageKey: "msg", formatters: { level: (l) => ({ level: l }) } }, dest);
      return {
        log: (i) => log.info(fields(i), "call"),
        finish: () => new Promise<void>((resolve) => {
          dest.on("close", () => resolve());
          dest.end();
        }),
      };
    },
  };
}

const contenders: Contender[] = [
  {
    name: "sync (JSON.stringify, write per line)",
    open(file) {
      const fd = openSync(file, "w");
      return {
        log: (i) => void writeSync(fd, JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "call", ...fields(i) }) + "\n"),
        finish: async () => closeSync(fd),
      };
    },
  },
  pinoContender(0),
  pinoContender(16000),
  {
    name: "ours (formatCallLine + BatchedLineWriter)",
    open(file) {
      const fd = openSync(file, "w");
      const w = new BatchedLineWriter(fd);
      const log = createLogger("info", w);
      return {
        log: (i) => {
          const f = fields(i);
          log.writeLine("info", formatCallLine("info", { method: f.method, code: f.code, status: f.status, durationMs: f.duration_ms, requestId: f.request_id, peer: f.peer, role: f.role, error: undefined, cause: undefined }));
        },
        finish: async () => {
          log.flush();
          closeSync(fd);
        },
      };
    },
  },
];

async function runOne(c: Contender): Promise<number> {
  const file = join(tmpdir(), `log-writer-bench-${process.pid}.log`);
  const sink = c.open(file);
  const t0 = process.cpuUsage();
  let i = 0;
  await new Promise<void>((resolve) => {
    const turn = (): void => {
      for (let k = 0; k < K && i < N; k++) sink.log(i++);
      if (i < N) setImmediate(turn);
      else resolve();
    };
    turn();
  });
  await sink.finish();
  const d = process.cpuUsage(t0);
  const lines = readFileSync(file, "utf8").split("\n").length - 1;
  rmSync(file);
  if (lines !== N) throw new Error(`${c.name}: ${lines} lines in the file, expected ${N}`);
  return (d.user + d.system) / N;
}

const results = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
for (const c of contenders) await runOne(c); // warm-up
for (let r = 0; r < Number(values.rounds); r++) for (const c of contenders) results.get(c.name)!.push(await runOne(c));
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write(`${N} lines, ${K} per event-loop turn, every line found in the file; CPU per line (median of ${values.rounds}):\n`);
for (const [name, xs] of results) process.stdout.write(`  ${name.padEnd(42)} ${med(xs).toFixed(2)} µs  (${xs.map((x) => x.toFixed(2)).join(", ")})\n`);
