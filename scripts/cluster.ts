// `npm run cluster -- --replicas 3`: a throwaway PostgreSQL (scripts/throwaway-postgres.ts) and N
// replicas of the user service on it (child processes of src/service/main.ts on 127.0.0.1), sharing
// one admin token; prints the target and service config for userctl. Ctrl-C stops everything.
// The proof test (test/service/cluster.test.ts) drives the same startCluster().

import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateToken } from "../src/service/auth.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./throwaway-postgres.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

export interface Replica {
  /** 1, 2, 3… in start order. */
  readonly id: number;
  readonly port: number;
  readonly address: string;
  readonly child: ChildProcess;
  /** Every JSON log line the replica wrote on stderr, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
}

export interface ClusterOptions {
  readonly replicas: number;
  /** Extra environment for every replica (LOG_LEVEL, SHUTDOWN_GRACE_MS, MAX_CONNECTION_AGE_MS…). */
  readonly env?: Record<string, string>;
  /** An existing database to use instead of a throwaway one. */
  readonly databaseUrl?: string;
}

export interface Cluster {
  readonly databaseUrl: string;
  readonly token: string;
  readonly replicas: Replica[];
  /** `ipv4:127.0.0.1:p1,127.0.0.1:p2,…` over the replicas still running. */
  target(): string;
  /** Starts one more replica on the same database. */
  addReplica(): Promise<Replica>;
  /** SIGTERM to every replica (graceful), then the database is removed. */
  stop(): Promise<void>;
}

/** The service config a client of the cluster should use: round_robin over every replica, each
 *  watched with grpc.health.v1 (gRFC A17), idempotent reads retried on UNAVAILABLE (gRFC A6). */
export const CLUSTER_SERVICE_CONFIG = {
  loadBalancingConfig: [{ round_robin: {} }],
  healthCheckConfig: { serviceName: "user.UserService" },
  methodConfig: [
    {
      name: [{ service: "user.UserService", method: "GetUser" }, { service: "user.UserService", method: "ListUsers" }],
      retryPolicy: { maxAttempts: 4, initialBackoff: "0.05s", maxBackoff: "1s", backoffMultiplier: 2, retryableStatusCodes: ["UNAVAILABLE"] },
    },
  ],
} as const;

/** One service process on 127.0.0.1, port 0; `databaseUrl` undefined = the in-memory store. */
export async function startReplica(id: number, databaseUrl: string | undefined, token: string, env: Record<string, string>): Promise<Replica> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "info", ...env, AUTH_TOKENS: `${token}=admin` };
  if (databaseUrl === undefined) delete childEnv.DATABASE_URL;
  else childEnv.DATABASE_URL = databaseUrl;
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/service/main.ts"), "--port", "0", "--host", "127.0.0.1"], {
    cwd: ROOT,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderrText = "";
  createInterface({ input: child.stderr! }).on("line", (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      stderrText += line + "\n";
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const first = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve)),
    exited.then((code) => `exited ${code}`),
  ]);
  const m = /listening on 127\.0\.0\.1:(\d+)/.exec(first);
  if (m === null) {
    child.kill("SIGKILL");
    throw new Error(`replica ${id} did not start: ${first}\n${stderrText}`);
  }
  const port = Number(m[1]);
  return { id, port, address: `127.0.0.1:${port}`, child, logs, exited };
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  let db: ThrowawayPostgres | undefined;
  let databaseUrl = options.databaseUrl;
  if (databaseUrl === undefined) {
    db = await startThrowawayPostgres();
    databaseUrl = await db.createDatabase("users");
  }
  const token = generateToken();
  const env = options.env ?? {};
  const replicas: Replica[] = [];
  const running = new Set<Replica>();
  const add = async (): Promise<Replica> => {
    const r = await startReplica(replicas.length + 1, databaseUrl, token, env);
    replicas.push(r);
    running.add(r);
    void r.exited.then(() => running.delete(r));
    return r;
  };
  try {
    // One at a time: the first migrates the new database; the others would wait on its lock anyway.
    for (let i = 0; i < options.replicas; i++) await add();
  } catch (err) {
    for (const r of replicas) r.child.kill("SIGKILL");
    db?.destroy();
    throw err;
  }
  return {
    databaseUrl,
    token,
    replicas,
    target: () => `ipv4:${[...running].map((r) => r.address).join(",")}`,
    addReplica: add,
    async stop() {
      await Promise.all(
        [...running].map((r) => {
          r.child.kill("SIGTERM");
          return r.exited;
        }),
      );
      db?.destroy();
    },
  };
}

// --- as a program ---
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { replicas: { type: "string", default: "3" }, help: { type: "boolean" } } });
  const n = Number(values.replicas);
  if (values.help === true || !Number.isInteger(n) || n < 1 || n > 16) {
    process.stdout.write("usage: npm run cluster -- --replicas N   (1-16; DATABASE_URL set = use that database instead of a throwaway one)\n");
    process.exit(values.help === true ? 0 : 64);
  }
  const cluster = await startCluster({ replicas: n, ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}) });
  const configFile = join(tmpdir(), `user-cluster-${process.pid}.json`);
  writeFileSync(configFile, JSON.stringify(CLUSTER_SERVICE_CONFIG, null, 2));
  const out = [
    `${n} replica(s) of the user service on one PostgreSQL:`,
    `  DATABASE_URL=${cluster.databaseUrl}`,
    ...cluster.replicas.map((r) => `  replica ${r.id}: ${r.address} (pid ${r.child.pid})`),
    "",
    "target (every replica):",
    `  ${cluster.target()}`,
    "service config (round_robin, health checking, retries):",
    `  ${configFile}`,
    "try:",
    `  USERCTL_TOKEN=${cluster.token} npm run userctl -- --target ${cluster.target()} --service-config ${configFile} create --username alice --email alice@example.com`,
    `  USERCTL_TOKEN=${cluster.token} npm run userctl -- --target ${cluster.target()} --service-config ${configFile} list`,
    "(a name with one A record per replica works too: --target dns:///users.internal:PORT)",
    "Ctrl-C stops the replicas (gracefully) and removes the database.",
  ];
  process.stdout.write(out.join("\n") + "\n");
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void cluster.stop().then(() => {
      rmSync(configFile, { force: true });
      process.exit(0);
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
