// A focused, interleaved A/B of one user-service call (ListUsers by default) between checkouts: the
// service of each tree started as `npm start` starts it (call log on, to a file), seeded alike,
// driven by h2load in alternating rounds; prints msg/s and server CPU per call per tree, with ratios.
//   npx tsx bench/list-ab.ts [--call ListUsers|GetUser|CreateUser] [--rounds 6] [--duration 2] [--connections 1] [--streams 1]
//                            [--pre GetUser:4x16,CreateUser:4x16] [--node-flags=--max-semi-space-size=16]
//                            [--cpu-prof DIR] [--perf FILE] [ROOT_B …]     (ROOT_A is this tree)
// --perf records the first tree's server with linux perf during the first round (node gets
// --perf-basic-prof, so JIT frames have names): `perf report -i FILE --no-children --sort symbol`.
// Written to explain the ListUsers regression (docs/BENCHMARKS.md): a V8 inline cache gone
// megamorphic shows up as Builtins_LoadIC_Megamorphic, which --cpu-prof cannot show.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, type GeneratorId, type Load } from "./lib/generators.js";
import { npmStartArgs, BENCH_TOKEN } from "./lib/servers.js";
import { startServer, type ServerProcess } from "./lib/procs.js";
import { prepareUserServer, runUserLoad, type UserFixture } from "./lib/service-load.js";
import type { UserCall } from "./lib/scenarios.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    call: { type: "string", default: "ListUsers" },
    rounds: { type: "string", default: "6" },
    duration: { type: "string", default: "2" },
    warmup: { type: "string", default: "0.5" },
    connections: { type: "string", default: "1" },
    streams: { type: "string", default: "1" },
    users: { type: "string", default: "10000" },
    "cpu-prof": { type: "string" },
    perf: { type: "string" },
    // Loads run on each server before the rounds, as the service scenario does: "GetUser:4x16,CreateUser:4x16".
    pre: { type: "string" },
    // Extra node flags for every server (e.g. "--max-semi-space-size=16"), space-separated.
    "node-flags": { type: "string", default: "" },
    // Extra environment for the first tree only (this one), e.g. "MAX_CONCURRENT_STREAMS=1000".
    "env-a": { type: "string", multiple: true, default: [] },
    "pre-duration": { type: "string", default: "3" },
  },
});
const call = values.call as UserCall;
const roots = [ROOT, ...positionals];
const tmp = mkdtempSync(join(tmpdir(), "list-ab-"));

interface Contender {
  root: string;
  srv: ServerProcess;
  fixture: UserFixture;
  rates: number[];
  cpuPerCall: number[];
}
/** CreateUser needs a new user per call: the raw HTTP/2 generator (h2load sends one fixed body). */
function generatorFor(c: string): GeneratorId {
  return c === "CreateUser" ? "h2raw" : "h2load";
}
const contenders: Contender[] = [];
try {
  for (const [i, root] of roots.entries()) {
    const prof = values["cpu-prof"] !== undefined ? ["--cpu-prof", "--cpu-prof-dir", join(values["cpu-prof"], `tree${i}`)] : [];
    const env: Record<string, string> = { AUTH_TOKENS: `${BENCH_TOKEN}=admin`, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "" };
    if (i === 0) for (const kv of values["env-a"]) env[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
    const srv = await startServer(root, process.execPath, [...prof, ...(values.perf !== undefined && i === 0 ? ["--perf-basic-prof"] : []), ...values["node-flags"].split(" ").filter((f) => f !== ""), ...npmStartArgs(root)], env, /listening on .*:(\d+)/, undefined, join(tmp, `log${i}`));
    const fixture = await prepareUserServer(srv.port, Number(values.users));
    contenders.push({ root, srv, fixture, rates: [], cpuPerCall: [] });
  }
  const load: Load = {
    call: call === "ListUsers" ? "server-stream" : "unary",
    connections: Number(values.connections),
    streams: Number(values.streams),
    payload: 0,
    count: 1,
    warmupS: Number(values.warmup),
    durationS: Number(values.duration),
  };
  for (const spec of values.pre?.split(",") ?? []) {
    const [what, shape] = spec.split(":");
    const [cn, st] = shape.split("x").map(Number);
    for (const c of contenders) {
      const gen = generatorFor(what);
      const pre: Load = { call: "unary", connections: cn, streams: st, payload: 0, count: 1, warmupS: 0, durationS: Number(values["pre-duration"]) };
      const res = await runUserLoad(gen, c.srv.port, c.srv.pid, what as UserCall, c.fixture, pre);
      process.stderr.write(`pre ${spec} on ${c.root}: ${res.calls} calls, ${res.errors} errors\n`);
    }
  }
  for (let r = 0; r < Number(values.rounds); r++) {
    let perfDone: Promise<unknown> | undefined;
    if (r === 0 && values.perf !== undefined) {
      const secs = String(Math.max(1, Number(values.duration)));
      const p = spawn("perf", ["record", "-g", "-F", "999", "-p", String(contenders[0].srv.pid), "-o", values.perf, "--", "sleep", secs], { stdio: "ignore" });
      perfDone = new Promise((resolve) => p.once("exit", resolve));
    }
    const order = r % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      const res = await runUserLoad(generatorFor(call), c.srv.port, c.srv.pid, call, c.fixture, load);
      if (res.errors > 0) throw new Error(`${c.root}: ${res.firstError ?? "errors"}`);
      const perCall = call === "ListUsers" ? c.fixture.listSize : 1;
      c.rates.push((res.calls * perCall) / res.elapsedS);
      c.cpuPerCall.push((res.serverCpuS / res.calls) * 1e6);
    }
    await perfDone;
  }
} finally {
  for (const c of contenders) await c.srv.stop();
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const a = contenders[0];
for (const c of contenders) {
  const rate = median(c.rates);
  const cpu = median(c.cpuPerCall);
  const unit = call === "ListUsers" ? "msg/s" : "calls/s";
  process.stdout.write(
    `${c.root}\n  ${unit} median ${rate.toFixed(0)} [${c.rates.map((x) => x.toFixed(0)).join(" ")}]  ` +
      `CPU/call median ${cpu.toFixed(1)} µs [${c.cpuPerCall.map((x) => x.toFixed(0)).join(" ")}]` +
      (c === a ? "" : `  A/B: rate ${(median(a.rates) / rate).toFixed(3)}×, CPU ${(median(a.cpuPerCall) / cpu).toFixed(3)}×`) +
      "\n",
  );
}
