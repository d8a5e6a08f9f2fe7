// `npm run bench:scaling` (docs/SCALING.md): throughput of the user service with 1, 2 and 3 replicas
// on one throwaway PostgreSQL behind one round_robin client, and the cost of a call through
// PostgreSQL vs the in-memory store. Interleaved rounds (../shared/MEASURING.md), medians; every
// answer is checked (a failed call counts as a failure, not as throughput).
//
// Options: --seconds S per run (default 3), --rounds R (default 3), --concurrency C (default 32).

import { writeFileSync, mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { startReplica, type Replica } from "../scripts/cluster.js";
import { startThrowawayPostgres } from "../scripts/throwaway-postgres.js";
import { generateToken } from "../src/service/auth.js";
import { UserServiceClient } from "../src/service/user-client.js";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "3" }, rounds: { type: "string", default: "3" }, concurrency: { type: "string", default: "32" } } });
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);

type Op = "GetUser" | "CreateUser";
interface Run {
  calls: number;
  failures: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

let unique = 0;
async function drive(client: UserServiceClient, op: Op, ids: readonly string[], concurrency: number, seconds: number): Promise<Run> {
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        if (op === "GetUser") {
          const id = ids[(Math.random() * ids.length) | 0];
          const u = await client.getUser(id);
          if (u.id !== id) throw new Error("wrong user");
        } else {
          const n = unique++;
          const u = await client.createUser({ username: `bench_${process.pid}_${n}`, email: `bench_${process.pid}_${n}@example.com` });
          if (u.username !== `bench_${process.pid}_${n}`) throw new Error("wrong user");
        }
        latencies.push(performance.now() - t0);
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { calls: latencies.length, failures, seconds: elapsed, p50Ms: q(0.5), p99Ms: q(0.99) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function seedUsers(client: UserServiceClient, n: number): Promise<string[]> {
  const b = client.batchCreateUsers();
  for (let i = 0; i < n; i++) await b.send({ username: `seed_${i}`, email: `seed_${i}@example.com` });
  return (await b.closeAndRecv()).userIds;
}

const pg = await startThrowawayPostgres();
const token = generateToken();
const env = { LOG_LEVEL: "error" };
const replicas: Replica[] = [];
try {
  const url = await pg.createDatabase("bench");
  for (let i = 1; i <= 3; i++) replicas.push(await startReplica(i, url, token, env));
  const memory = await startReplica(9, undefined, token, env);
  replicas.push(memory);

  const rrConfig = { loadBalancingConfig: [{ round_robin: {} }], healthCheckConfig: { serviceName: "user.UserService" } };
  const clusterClient = (n: number): UserServiceClient =>
    new UserServiceClient({ target: `ipv4:${replicas.slice(0, n).map((r) => r.address).join(",")}`, token, serviceConfig: rrConfig });
  const single = (r: Replica): UserServiceClient => new UserServiceClient({ target: r.address, token });

  const pgIds = await seedUsers(single(replicas[0]), 1_000);
  const memIds = await seedUsers(single(memory), 1_000);

  // 1. Replicas: 1, 2, 3 on PostgreSQL, interleaved.
  const scaling: Record<string, Run[]> = {};
  const clients = [1, 2, 3].map(clusterClient);
  for (const c of clients) await c.getUser(pgIds[0]); // connect
  for (let round = 0; round < ROUNDS; round++) {
    for (const op of ["GetUser", "CreateUser"] as const) {
      for (let n = 1; n <= 3; n++) {
        const r = await drive(clients[n - 1], op, pgIds, CONCURRENCY, SECONDS);
        (scaling[`${op} x${n}`] ??= []).push(r);
        process.stderr.write(`round ${round + 1} ${op} replicas=${n}: ${(r.calls / r.seconds).toFixed(0)} calls/s, ${r.failures} failed\n`);
      }
    }
  }

  // 2. One replica: PostgreSQL vs memory, at concurrency 1 (latency) and CONCURRENCY (throughput).
  const store: Record<string, Run[]> = {};
  const pgOne = single(replicas[0]);
  const memOne = single(memory);
  for (let round = 0; round < ROUNDS; round++) {
    for (const op of ["GetUser", "CreateUser"] as const) {
      for (const conc of [1, CONCURRENCY]) {
        for (const [name, c, ids] of [["postgres", pgOne, pgIds], ["memory", memOne, memIds]] as const) {
          const r = await drive(c, op, ids, conc, SECONDS);
          (store[`${op} c${conc} ${name}`] ??= []).push(r);
          process.stderr.write(`round ${round + 1} ${op} c=${conc} ${name}: ${(r.calls / r.seconds).toFixed(0)} calls/s p50 ${r.p50Ms.toFixed(2)} ms\n`);
        }
      }
    }
  }
  for (const c of [...clients, pgOne, memOne]) c.channel.destroy();

  const summary = (runs: Run[]) => ({
    callsPerSecond: Math.round(median(runs.map((r) => r.calls / r.seconds))),
    p50Ms: Number(median(runs.map((r) => r.p50Ms)).toFixed(3)),
    p99Ms: Number(median(runs.map((r) => r.p99Ms)).toFixed(3)),
    failures: runs.reduce((a, r) => a + r.failures, 0),
  });
  const result = {
    date: new Date().toISOString(),
    machine: "2 cores shared by the load generator, PostgreSQL, every replica and other work on the machine",
    seconds: SECONDS,
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    scaling: Object.fromEntries(Object.entries(scaling).map(([k, v]) => [k, summary(v)])),
    store: Object.fromEntries(Object.entries(store).map(([k, v]) => [k, summary(v)])),
  };
  // Per-run files go to the gitignored runs/ folder; latest-scaling.json is the one kept in git.
  mkdirSync("bench/results/runs", { recursive: true });
  const file = `bench/results/runs/${result.date.replace(/[:.]/g, "-")}-scaling.json`;
  const json = JSON.stringify(result, null, 2) + "\n";
  writeFileSync(file, json);
  writeFileSync("bench/results/latest-scaling.json", json);
  console.log(json);
  console.log(`written to ${file} and bench/results/latest-scaling.json`);
} finally {
  await Promise.all(
    replicas.map((r) => {
      r.child.kill("SIGTERM");
      return r.exited;
    }),
  );
  pg.destroy();
}
