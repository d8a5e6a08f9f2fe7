// The scale-out proof (docs/SCALING.md): three replicas of the service (child processes of
// src/service/main.ts) on one PostgreSQL, one round_robin client with health checking (gRFC A17) and
// the cluster's service config. Calls spread over all three; a user created through one replica is
// read through another; SIGTERM to a replica under load fails no call; a fourth replica added later
// gets calls once the others' connections reach their max age and the client re-resolves.
//
// Who served a call is counted from each replica's call log (one JSON line per call, with the
// x-request-id we send), so nothing is added to the responses for the test.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, CLUSTER_SERVICE_CONFIG, type Cluster, type Replica } from "../../scripts/cluster.js";
import type { Address } from "../../src/client/target.js";
import { UserServiceClient } from "../../src/service/user-client.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Metadata } from "../../src/wire/metadata.js";
import { statusName } from "../../src/wire/status.js";
import { until } from "./support.js";

/** Short, so the last part of the test does not wait long; the replicas' connections are recycled
 *  throughout the test, which is part of what it proves (no call fails across a recycle). */
const MAX_AGE_MS = 3_000;
const MAX_AGE_GRACE_MS = 10_000;

let cluster: Cluster;
/** The addresses the client's resolver answers with: what DNS would say about the service's name. */
let published: Replica[] = [];
let client: UserServiceClient;

const addressOf = (r: Replica): Address => ({ kind: "tcp", host: "127.0.0.1", port: r.port });

beforeAll(async () => {
  cluster = await startCluster({
    replicas: 3,
    env: {
      LOG_LEVEL: "info",
      SHUTDOWN_GRACE_MS: "20000",
      MAX_CONNECTION_AGE_MS: String(MAX_AGE_MS),
      MAX_CONNECTION_AGE_GRACE_MS: String(MAX_AGE_GRACE_MS),
    },
  });
  published = [...cluster.replicas];
  client = new UserServiceClient({
    target: cluster.target(),
    token: cluster.token,
    serviceConfig: CLUSTER_SERVICE_CONFIG,
    channelOptions: { resolve: () => published.map(addressOf), minResolutionIntervalMs: 200 },
  });
}, 120_000);

afterAll(async () => {
  client?.channel.destroy();
  await cluster?.stop();
}, 60_000);

/** How many UserService calls whose request id starts with `prefix` each replica logged. */
function served(prefix: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of cluster.replicas) {
    let n = 0;
    for (const l of r.logs) {
      if (l.msg === "call" && typeof l.request_id === "string" && l.request_id.startsWith(prefix)) n++;
    }
    out.set(r.id, n);
  }
  return out;
}

const tag = (id: string): { metadata: Metadata } => ({ metadata: new Metadata().set("x-request-id", id) });

interface LoadResult {
  ok: number;
  failures: string[];
}

/** `total` calls, `concurrency` at a time; `call(n)` makes call number n. Never throws. */
async function load(total: number, concurrency: number, call: (n: number) => Promise<unknown>, onProgress?: (done: number) => void): Promise<LoadResult> {
  let next = 0;
  let done = 0;
  const result: LoadResult = { ok: 0, failures: [] };
  const worker = async (): Promise<void> => {
    while (next < total) {
      const n = next++;
      try {
        await call(n);
        result.ok++;
      } catch (e) {
        result.failures.push(e instanceof GrpcError ? `${statusName(e.code)}: ${e.message}` : String(e));
      }
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

describe("three replicas on one PostgreSQL behind a round_robin client", () => {
  it("spreads 3,000 calls over all three replicas (each 20%-47%)", async () => {
    const u = await client.createUser({ username: "spread", email: "spread@example.com" });
    const r = await load(3_000, 12, (n) => client.getUser(u.id, tag(`spread-${n}`)));
    expect(r.failures).toEqual([]);
    await until(() => [...served("spread-").values()].reduce((a, b) => a + b, 0) === 3_000);
    const counts = served("spread-");
    console.log(`3,000 GetUser calls per replica: ${[...counts].map(([id, n]) => `#${id} ${n}`).join(", ")}`);
    for (const [, n] of counts) {
      expect(n).toBeGreaterThanOrEqual(600);
      expect(n).toBeLessThanOrEqual(1_410);
    }
  }, 120_000);

  it("reads through one replica a user created through another", async () => {
    const [a, b, c] = cluster.replicas;
    const viaA = new UserServiceClient({ target: a.address, token: cluster.token });
    const viaB = new UserServiceClient({ target: b.address, token: cluster.token });
    const viaC = new UserServiceClient({ target: c.address, token: cluster.token });
    try {
      const u = await viaA.createUser({ username: "made_on_a", email: "made_on_a@example.com" });
      expect(await viaB.getUser(u.id)).toEqual(u);
      await viaC.deleteUser(u.id);
      expect((await viaB.getUser(u.id).catch((e: unknown) => e)) instanceof GrpcError).toBe(true);
      // A clash across replicas is the database's: ALREADY_EXISTS whichever replica answers.
      await viaB.createUser({ username: "Shared_Name", email: "s1@example.com" });
      const clash = await viaC.createUser({ username: "shared_name", email: "s2@example.com" }).catch((e: unknown) => e);
      expect(clash instanceof GrpcError && statusName(clash.code)).toBe("ALREADY_EXISTS");
    } finally {
      for (const c of [viaA, viaB, viaC]) c.channel.destroy();
    }
  }, 60_000);

  it("drains a replica on SIGTERM under load: no call fails, the others take over", async () => {
    const victim = cluster.replicas[2];
    const u = await client.createUser({ username: "drain_reader", email: "drain_reader@example.com" });
    let killedAt = -1;
    // Mixed load: reads (retried on UNAVAILABLE by the service config) and creates (never retried
    // by policy; only transparently, when the server refused them unprocessed).
    const r = await load(
      2_000,
      12,
      (n) => (n % 4 === 0 ? client.createUser({ username: `drain_${n}`, email: `drain_${n}@example.com` }, tag(`drain-${n}`)) : client.getUser(u.id, tag(`drain-${n}`))),
      (done) => {
        if (done === 400) {
          killedAt = done;
          published = published.filter((p) => p !== victim); // as a DNS record would be withdrawn
          victim.child.kill("SIGTERM");
        }
      },
    );
    expect(killedAt).toBe(400);
    expect(r.failures).toEqual([]);
    expect(await victim.exited).toBe(0);
    const counts = served("drain-");
    console.log(`2,000 calls with replica #${victim.id} stopped after 400: ${[...counts].map(([id, n]) => `#${id} ${n}`).join(", ")}`);
    expect(counts.get(victim.id)).toBeGreaterThan(0); // it served until it was told to stop
    expect(counts.get(victim.id)).toBeLessThan(1_000);
    // Every create the client saw succeed is in the database.
    const names = new Set<string>();
    for await (const user of client.listUsers()) names.add(user.username);
    const missing = Array.from({ length: 500 }, (_, i) => `drain_${i * 4}`).filter((name) => !names.has(name));
    expect(missing).toEqual([]);
  }, 180_000);

  it("sends calls to a fourth replica once the others' connections reach their max age", async () => {
    const fourth = await cluster.addReplica();
    published = [...published, fourth];
    // Calls until the fourth replica has served some: the client only learns of it when a
    // connection ends (max age) and it re-resolves. Bounded by time, not by rounds: on a quiet
    // machine 40 rounds of 200 calls can finish before any connection is MAX_AGE_MS old.
    const u = await client.createUser({ username: "late_reader", email: "late_reader@example.com" });
    let round = 0;
    const failures: string[] = [];
    const until = Date.now() + 20 * MAX_AGE_MS;
    while (Date.now() < until && (served("late-").get(fourth.id) ?? 0) < 50) {
      const r = await load(200, 8, (n) => client.getUser(u.id, tag(`late-${round}-${n}`)));
      failures.push(...r.failures);
      round++;
    }
    expect(failures).toEqual([]);
    const counts = served("late-");
    console.log(`after adding replica #${fourth.id}: ${round} rounds of 200 calls: ${[...counts].map(([id, n]) => `#${id} ${n}`).join(", ")}`);
    expect(counts.get(fourth.id)).toBeGreaterThanOrEqual(50);
  }, 180_000);
});
