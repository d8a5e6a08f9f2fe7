// `npm run soak -- --minutes N`: the user service as `npm start` runs it (a child node process, here
// with the inspector on a free port), driven for N minutes by our client with all six RPCs mixed,
// connection churn, cancellations and deadlines. Every few seconds: RSS, heap in use after a full
// GC (inspector HeapProfiler.collectGarbage + Runtime.getHeapUsage, as ../shared/MEASURING.md
// says) and open handles. At the end every acknowledged write is checked.
//
// Fails (exit 1) on:
//   - a growth trend: least-squares slope of heap-after-GC over the second half of the run above
//     SLOPE_BOUND_MIB_PER_MIN, when the second half also grew by more than GROWTH_FLOOR_MIB;
//   - any error other than the provoked ones (DEADLINE_EXCEEDED on a tiny deadline, CANCELLED on a
//     cancelled call or a client closed mid-call);
//   - an acknowledged write missing: every acknowledged CreateUser/BatchCreateUsers user readable
//     with its last acknowledged full_name, every acknowledged DeleteUser gone (NOT_FOUND).
//   - a user stored that was never acknowledged: a phantom, or a user of a BatchCreateUsers call
//     the client cancelled before half-closing (found by listing every user: `sweep`);
//   - the server exiting or logging at level "error".
// Writes bench/results/soak-<N>min.json and .svg (RSS, heap after GC, open handles over time).

import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Role } from "../src/schema/user.js";
import { UserServiceClient } from "../src/service/user-client.js";
import { GrpcError } from "../src/wire/grpc-error.js";
import { Status, statusName } from "../src/wire/status.js";
import { seriesSvg } from "./lib/svg.js";

const TOKEN = "soak-admin-token-0123456789";
const SLOPE_BOUND_MIB_PER_MIN = 2;
const GROWTH_FLOOR_MIB = 4;
/** Live users each worker keeps at most: the store stays bounded, so memory should too. */
const LIVE_PER_WORKER = 300;
const WORKERS = 8;
const MiB = 1024 * 1024;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq !== undefined ? eq.slice(name.length + 3) : fallback;
}

// ---- the server child and its inspector ------------------------------------------------------------

interface Sample {
  t: number; // seconds since start
  rssMiB: number;
  heapMiB: number; // in use after a full GC
  handles: number;
  calls: number;
}

class Inspector {
  private next = 1;
  private readonly pending = new Map<number, (r: { result?: unknown; error?: unknown }) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener("message", (ev: MessageEvent) => {
      const m = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: unknown };
      if (m.id !== undefined) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
      }
    });
  }
  static open(url: string): Promise<Inspector> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.addEventListener("open", () => resolve(new Inspector(ws)));
      ws.addEventListener("error", () => reject(new Error(`cannot open the inspector at ${url}`)));
    });
  }
  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error !== undefined ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result as T)));
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
  close(): void {
    this.ws.close();
  }
  /** Object counts and bytes by constructor name, from a full heap snapshot (for --heap-diff). */
  async census(): Promise<Map<string, { count: number; bytes: number }>> {
    const chunks: string[] = [];
    const onChunk = (ev: MessageEvent): void => {
      const m = JSON.parse(String(ev.data)) as { method?: string; params?: { chunk: string } };
      if (m.method === "HeapProfiler.addHeapSnapshotChunk" && m.params !== undefined) chunks.push(m.params.chunk);
    };
    this.ws.addEventListener("message", onChunk);
    await this.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    this.ws.removeEventListener("message", onChunk);
    const snap = JSON.parse(chunks.join("")) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
    const f = snap.snapshot.meta.node_fields;
    const width = f.length;
    const iType = f.indexOf("type");
    const iName = f.indexOf("name");
    const iSize = f.indexOf("self_size");
    const types = snap.snapshot.meta.node_types[0];
    const out = new Map<string, { count: number; bytes: number }>();
    for (let i = 0; i < snap.nodes.length; i += width) {
      const type = types[snap.nodes[i + iType]];
      if (type !== "object" && type !== "closure" && type !== "array" && type !== "string") continue;
      const key = `${type}:${type === "string" ? "" : snap.strings[snap.nodes[i + iName]]}`;
      const e = out.get(key) ?? { count: 0, bytes: 0 };
      e.count++;
      e.bytes += snap.nodes[i + iSize];
      out.set(key, e);
    }
    return out;
  }
}

async function startService(): Promise<{ port: number; inspector: Inspector; stderr: string[]; exited: () => boolean; stop(): Promise<number | null> }> {
  // As `npm start` (src/service/main.ts), with node directly so the inspector can be opened.
  const child = spawn(process.execPath, ["--inspect=127.0.0.1:0", "--import", "tsx", "src/service/main.ts", "--port", "0", "--host", "127.0.0.1"], {
    env: { ...process.env, AUTH_TOKENS: `${TOKEN}=admin`, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((r) =>
    child.on("exit", (code) => {
      exitCode = code;
      r(code);
    }),
  );
  let wsUrl: string | undefined;
  let port: number | undefined;
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (wsUrl !== undefined && port !== undefined) resolve();
    };
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (s: string) => {
      stderr.push(s);
      const m = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(s);
      if (m !== null && wsUrl === undefined) wsUrl = m[0];
      check();
    });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (s: string) => {
      const m = /listening on [^\s]*:(\d+)/.exec(s);
      if (m !== null) port = Number(m[1]);
      check();
    });
    void exit.then((c) => reject(new Error(`the service exited at start (${c}): ${stderr.join("")}`)));
  });
  const inspector = await Inspector.open(wsUrl as string);
  await inspector.call("Runtime.enable");
  return {
    port: port as number,
    inspector,
    stderr,
    exited: () => exitCode !== undefined,
    async stop() {
      inspector.close();
      child.kill("SIGTERM");
      return exit;
    },
  };
}

async function sample(inspector: Inspector, t0: number, calls: number): Promise<Sample> {
  await inspector.call("HeapProfiler.collectGarbage");
  await inspector.call("HeapProfiler.collectGarbage");
  const heap = await inspector.call<{ usedSize: number }>("Runtime.getHeapUsage");
  const ev = await inspector.call<{ result: { value: string } }>("Runtime.evaluate", {
    expression: "JSON.stringify({ rss: process.memoryUsage().rss, handles: process._getActiveHandles().length })",
    returnByValue: true,
  });
  const v = JSON.parse(ev.result.value) as { rss: number; handles: number };
  return { t: (Date.now() - t0) / 1000, rssMiB: v.rss / MiB, heapMiB: heap.usedSize / MiB, handles: v.handles, calls };
}

// ---- the workload ----------------------------------------------------------------------------------

interface Tracked {
  username: string;
  email: string;
  /** The last acknowledged full_name; undefined once an update's outcome is unknown. */
  fullName: string | undefined;
}

interface Counters {
  calls: number;
  ops: Record<string, number>;
  provoked: Record<string, number>;
  unexpected: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];

class Worker {
  readonly live = new Map<string, Tracked>();
  readonly deleted = new Set<string>();
  /** Usernames of creates whose outcome is unknown (DEADLINE_EXCEEDED). */
  readonly uncertain = new Set<string>();
  /** Users found stored that were never acknowledged (reported once each). */
  private readonly phantoms = new Set<string>();
  /** Usernames sent in BatchCreateUsers calls this worker cancelled (before half-closing). */
  private readonly cancelledBatchNames = new Set<string>();
  /** Users of cancelled batches found stored: a cancel must create nothing. */
  cancelledBatchStored = 0;
  /** Uncertain creates that turned out stored. */
  landed = 0;
  private client: UserServiceClient;
  private n = 0;
  constructor(
    private readonly id: number,
    private readonly target: string,
    private readonly counters: Counters,
  ) {
    this.client = this.newClient();
  }

  private newClient(): UserServiceClient {
    return new UserServiceClient({ target: this.target, token: TOKEN });
  }

  /** A fresh user; `op` (c: CreateUser, b: batch, d: deadline) is part of the name, so a phantom says where it came from. */
  private name(op: "c" | "b" | "d"): { username: string; email: string; fullName: string } {
    const k = `${this.id}_${this.n++}_${op}`;
    return { username: `soak_${k}`, email: `soak_${k}@example.com`, fullName: `Soak ${k}` };
  }

  private randomLive(): [string, Tracked] | undefined {
    if (this.live.size === 0) return undefined;
    // Maps iterate in insertion order: a random index among the first few hundred is cheap enough.
    const i = Math.floor(Math.random() * Math.min(this.live.size, LIVE_PER_WORKER));
    let j = 0;
    for (const e of this.live) if (j++ === i) return e;
    return undefined;
  }

  /** An error that was provoked (the call's tiny deadline, our cancel) is counted; any other is unexpected. */
  private fail(op: string, err: unknown, provokable: readonly number[]): void {
    if (err instanceof GrpcError && provokable.includes(err.code)) {
      const key = `${op}:${statusName(err.code)}`;
      this.counters.provoked[key] = (this.counters.provoked[key] ?? 0) + 1;
      return;
    }
    const text = err instanceof GrpcError ? `${statusName(err.code)}: ${err.message}` : String(err);
    this.counters.unexpected.push(`${op}: ${text}`);
  }

  private count(op: string): void {
    this.counters.calls++;
    this.counters.ops[op] = (this.counters.ops[op] ?? 0) + 1;
  }

  async run(until: number): Promise<void> {
    while (Date.now() < until) {
      const r = Math.random();
      try {
        if (r < 0.22) await this.create();
        else if (r < 0.44 || this.live.size === 0) await this.get();
        else if (r < 0.54) await this.list();
        else if (r < 0.64) await this.batch();
        else if (r < 0.76) await this.updates();
        else if (r < 0.86) await this.remove();
        else if (r < 0.93) await this.deadline();
        else if (r < 0.97) await this.churn();
        else await this.rudeChurn();
      } catch (err) {
        this.counters.unexpected.push(`worker ${this.id}: ${String(err)}`);
      }
      // Bounded store: delete down to the cap.
      while (this.live.size > LIVE_PER_WORKER) await this.remove();
    }
    await this.sweep(); // settle the uncertain creates (and look for phantoms)
    await this.client.close();
  }

  private async create(): Promise<void> {
    this.count("CreateUser");
    const u = this.name("c");
    try {
      const got = await this.client.createUser({ ...u, role: Role.ROLE_USER });
      this.live.set(got.id, { username: u.username, email: u.email, fullName: u.fullName });
    } catch (err) {
      this.fail("CreateUser", err, []);
    }
  }

  private async get(): Promise<void> {
    const e = this.randomLive();
    if (e === undefined) return this.create();
    this.count("GetUser");
    try {
      const got = await this.client.getUser(e[0]);
      if (got.username !== e[1].username) this.counters.unexpected.push(`GetUser ${e[0]}: username ${got.username} != ${e[1].username}`);
    } catch (err) {
      this.fail("GetUser", err, []);
    }
  }

  private async list(): Promise<void> {
    this.count("ListUsers");
    const cancel = Math.random() < 0.3;
    const ac = new AbortController();
    let seen = 0;
    try {
      for await (const _u of this.client.listUsers({ limit: 50 }, { signal: ac.signal })) {
        if (cancel && ++seen === 5) ac.abort();
      }
    } catch (err) {
      this.fail("ListUsers", err, cancel ? [Status.CANCELLED] : []);
    }
  }

  private async batch(): Promise<void> {
    this.count("BatchCreateUsers");
    const users = Array.from({ length: 1 + Math.floor(Math.random() * 5) }, () => this.name("b"));
    const cancel = Math.random() < 0.15;
    const b = this.client.batchCreateUsers();
    try {
      for (const u of users) await b.send({ ...u, role: Role.ROLE_USER });
      if (cancel) {
        for (const u of users) this.cancelledBatchNames.add(u.username);
        b.cancel();
        await b.response; // nothing is created
        return;
      }
      const res = await b.closeAndRecv();
      res.userIds.forEach((id, i) => this.live.set(id, { username: users[i].username, email: users[i].email, fullName: users[i].fullName }));
    } catch (err) {
      this.fail("BatchCreateUsers", err, cancel ? [Status.CANCELLED] : []);
    }
  }

  private async updates(): Promise<void> {
    const targets = [this.randomLive(), this.randomLive()].filter((x): x is [string, Tracked] => x !== undefined);
    if (targets.length === 0) return this.create();
    this.count("StreamUserUpdates");
    const cancel = Math.random() < 0.2;
    const s = this.client.streamUserUpdates();
    const sent: Array<[string, string]> = [];
    try {
      for (const [id] of targets) {
        const value = `Updated ${this.n++}`;
        sent.push([id, value]);
        const t = this.live.get(id);
        if (t !== undefined) t.fullName = undefined; // unknown until acknowledged
        await s.send({ userId: id, field: "full_name", value });
      }
      if (cancel) {
        s.cancel();
        for await (const _r of s) {
          // drain
        }
        return;
      }
      s.end();
      let i = 0;
      for await (const r of s) {
        const [id, value] = sent[i++];
        if (!r.success || r.userId !== id) this.counters.unexpected.push(`StreamUserUpdates ${id}: ${r.success} ${r.message}`);
        else {
          const t = this.live.get(id);
          if (t !== undefined) t.fullName = value;
        }
      }
      if (i !== sent.length) this.counters.unexpected.push(`StreamUserUpdates: ${i} answers to ${sent.length} updates`);
    } catch (err) {
      this.fail("StreamUserUpdates", err, cancel ? [Status.CANCELLED] : []);
    }
  }

  private async remove(): Promise<void> {
    const e = this.randomLive();
    if (e === undefined) return;
    this.count("DeleteUser");
    this.live.delete(e[0]);
    try {
      await this.client.deleteUser(e[0]);
      this.deleted.add(e[0]);
    } catch (err) {
      this.fail("DeleteUser", err, []);
    }
  }

  /**
   * A call with a 1 ms deadline: DEADLINE_EXCEEDED or success. A CreateUser that got
   * DEADLINE_EXCEEDED may still have been stored (the server can commit before it sees the
   * deadline): its username goes to `uncertain`, and `sweep` later deletes the ones that landed.
   */
  private async deadline(): Promise<void> {
    this.count("deadline");
    const u = this.name("d");
    const create = Math.random() < 0.3;
    try {
      if (create) {
        const got = await this.client.createUser({ ...u, role: Role.ROLE_USER }, { timeoutMs: 1 });
        this.live.set(got.id, { username: u.username, email: u.email, fullName: u.fullName });
      } else
        for await (const _u of this.client.listUsers({}, { timeoutMs: 1 })) {
          // read until the deadline
        }
    } catch (err) {
      if (create) this.uncertain.add(u.username);
      this.fail("deadline", err, [Status.DEADLINE_EXCEEDED]);
    }
    if (this.uncertain.size >= 50) await this.sweep();
  }

  /** Lists every user: this worker's uncertain creates that landed are deleted (and tracked as
   *  deleted); any other user with this worker's prefix that it does not track is a phantom write. */
  private async sweep(): Promise<void> {
    this.count("sweep");
    const prefix = `soak_${this.id}_`;
    const known = new Set<string>();
    for (const t of this.live.values()) known.add(t.username);
    try {
      for await (const u of this.client.listUsers({})) {
        if (!u.username.startsWith(prefix) || known.has(u.username)) continue;
        if (this.uncertain.has(u.username)) {
          this.landed++;
          this.live.set(u.id, { username: u.username, email: u.email, fullName: u.fullName });
        } else if (!this.deleted.has(u.id) && !this.phantoms.has(u.id)) {
          // Stored, never acknowledged. Deleted at once, so it is reported once and the store stays bounded.
          this.phantoms.add(u.id);
          if (this.cancelledBatchNames.has(u.username)) this.cancelledBatchStored++;
          else this.counters.unexpected.push(`phantom user ${u.username} (${u.id}): stored, never acknowledged`);
          await this.client.deleteUser(u.id).catch(() => {});
        }
      }
      this.uncertain.clear();
    } catch (err) {
      this.fail("sweep", err, []);
    }
  }

  /** Connection churn: close this worker's connection gracefully and open a new one. */
  private async churn(): Promise<void> {
    this.count("churn");
    const old = this.client;
    this.client = this.newClient();
    await old.close();
  }

  /** A client destroyed while a ListUsers call is open: that call fails (CANCELLED or UNAVAILABLE), the server must not mind. */
  private async rudeChurn(): Promise<void> {
    this.count("rudeChurn");
    const old = this.client;
    this.client = this.newClient();
    const it = old.listUsers({});
    try {
      let n = 0;
      for await (const _u of it) if (++n === 2) old.channel.destroy();
      old.channel.destroy();
    } catch (err) {
      this.fail("rudeChurn", err, [Status.CANCELLED, Status.UNAVAILABLE]);
    }
  }

  /** Every acknowledged write, read back on a fresh connection. */
  async verify(): Promise<{ checked: number; missing: string[] }> {
    const c = this.newClient();
    const missing: string[] = [];
    let checked = 0;
    for (const [id, t] of this.live) {
      checked++;
      try {
        const u = await c.getUser(id);
        if (u.username !== t.username || u.email !== t.email) missing.push(`${id}: stored ${u.username}/${u.email}, acknowledged ${t.username}/${t.email}`);
        if (t.fullName !== undefined && u.fullName !== t.fullName) missing.push(`${id}: full_name ${u.fullName}, acknowledged ${t.fullName}`);
      } catch (err) {
        missing.push(`${id}: acknowledged create not readable: ${String(err)}`);
      }
    }
    for (const id of this.deleted) {
      checked++;
      try {
        await c.getUser(id);
        missing.push(`${id}: acknowledged delete still readable`);
      } catch (err) {
        if (!(err instanceof GrpcError && err.code === Status.NOT_FOUND)) missing.push(`${id}: ${String(err)}`);
      }
    }
    await c.close();
    return { checked, missing };
  }
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<number> {
  const minutes = Number(arg("minutes", "1"));
  if (!(minutes > 0)) throw new Error("--minutes must be a positive number");
  const outDir = arg("out-dir", "bench/results");
  const durationMs = minutes * 60_000;
  const intervalMs = Math.max(5_000, durationMs / 60);

  const svc = await startService();
  const target = `127.0.0.1:${svc.port}`;
  const counters: Counters = { calls: 0, ops: {}, provoked: {}, unexpected: [] };
  const t0 = Date.now();
  const samples: Sample[] = [await sample(svc.inspector, t0, 0)];
  console.log(`soak: ${minutes} min against ${target}, ${WORKERS} workers, a sample every ${(intervalMs / 1000).toFixed(0)} s`);

  const workers = Array.from({ length: WORKERS }, (_, i) => new Worker(i, target, counters));
  // --heap-diff: heap census at a quarter and at the end of the run; prints the biggest growers.
  const heapDiff = process.argv.includes("--heap-diff");
  let census1: Map<string, { count: number; bytes: number }> | undefined;
  if (heapDiff) setTimeout(() => void svc.inspector.census().then((c) => (census1 = c)), durationMs / 4);
  const until = t0 + durationMs;
  const running = Promise.all(workers.map((w) => w.run(until)));
  let done = false;
  void running.finally(() => (done = true));
  while (!done) {
    await Promise.race([running, sleep(intervalMs)]);
    if (done) break;
    const s = await sample(svc.inspector, t0, counters.calls);
    samples.push(s);
    console.log(`  t=${s.t.toFixed(0)}s calls=${s.calls} rss=${s.rssMiB.toFixed(1)} MiB heap-after-gc=${s.heapMiB.toFixed(1)} MiB handles=${s.handles}`);
  }
  await running;
  // Once the clients are gone: the server should be back to its listener and inspector handles.
  await sleep(500);
  const last = await sample(svc.inspector, t0, counters.calls);
  samples.push(last);

  if (heapDiff && census1 !== undefined) {
    const c2 = await svc.inspector.census();
    const rows = [...c2].map(([k, v]) => ({ k, dc: v.count - (census1?.get(k)?.count ?? 0), db: v.bytes - (census1?.get(k)?.bytes ?? 0), count: v.count }));
    rows.sort((a, b) => b.db - a.db);
    console.log("heap growth from a quarter of the run to its end, by constructor (count, bytes):");
    for (const r of rows.slice(0, 25)) console.log(`  ${r.k.padEnd(50)} +${r.dc} (now ${r.count})  +${(r.db / 1024).toFixed(0)} KiB`);
  }
  const results = await Promise.all(workers.map((w) => w.verify()));
  const checked = results.reduce((a, r) => a + r.checked, 0);
  const missing = results.flatMap((r) => r.missing);
  const errorLogs = svc.stderr.join("").split("\n").filter((l) => l.includes('"level":"error"'));
  const serverExited = svc.exited();
  const exitCode = await svc.stop();

  const second = samples.filter((s) => s.t >= (last.t as number) / 2);
  const slopePerMin = slope(second.map((s) => s.t / 60), second.map((s) => s.heapMiB));
  const secondGrowth = second.length > 0 ? second[second.length - 1].heapMiB - second[0].heapMiB : 0;
  const trend = second.length >= 4 && slopePerMin > SLOPE_BOUND_MIB_PER_MIN && secondGrowth > GROWTH_FLOOR_MIB;
  const liveUsers = workers.reduce((a, w) => a + w.live.size, 0);

  const cancelledBatchStored = workers.reduce((a, w) => a + w.cancelledBatchStored, 0);
  const failures: string[] = [];
  if (cancelledBatchStored > 0)
    failures.push(`${cancelledBatchStored} users of cancelled BatchCreateUsers calls were stored (a cancel must create nothing; docs/RELIABILITY.md "Soak")`);
  if (trend) failures.push(`heap after GC grows ${slopePerMin.toFixed(2)} MiB/min over the second half (+${secondGrowth.toFixed(1)} MiB)`);
  if (counters.unexpected.length > 0) failures.push(`${counters.unexpected.length} unexpected errors, e.g. ${counters.unexpected.slice(0, 5).join(" | ")}`);
  if (missing.length > 0) failures.push(`${missing.length} acknowledged writes missing, e.g. ${missing.slice(0, 5).join(" | ")}`);
  if (errorLogs.length > 0) failures.push(`${errorLogs.length} error log lines, e.g. ${errorLogs[0]}`);
  if (serverExited) failures.push("the server exited during the soak");
  if (exitCode !== 0) failures.push(`the server's exit code after SIGTERM was ${exitCode}`);

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    minutes,
    workers: WORKERS,
    note: "run on a shared 2-core machine with other jobs; figures are for trend, not speed",
    calls: counters.calls,
    callsPerSecond: Math.round(counters.calls / (last.t || 1)),
    ops: counters.ops,
    provokedErrors: counters.provoked,
    unexpectedErrors: counters.unexpected.slice(0, 50),
    acknowledgedWritesChecked: checked,
    cancelledBatchUsersStored: cancelledBatchStored,
    deadlineExceededCreatesStored: workers.reduce((a, w) => a + w.landed, 0),
    liveUsersAtEnd: liveUsers,
    missing: missing.slice(0, 50),
    heapAfterGcMiB: { first: samples[0].heapMiB, max: Math.max(...samples.map((s) => s.heapMiB)), last: last.heapMiB },
    rssMiB: { first: samples[0].rssMiB, max: Math.max(...samples.map((s) => s.rssMiB)), last: last.rssMiB },
    handles: { first: samples[0].handles, max: Math.max(...samples.map((s) => s.handles)), last: last.handles },
    secondHalf: { slopeMiBPerMin: slopePerMin, growthMiB: secondGrowth, bound: `slope <= ${SLOPE_BOUND_MIB_PER_MIN} MiB/min or growth <= ${GROWTH_FLOOR_MIB} MiB` },
    serverExitCode: exitCode,
    pass: failures.length === 0,
    failures,
    samples,
  };
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `soak-${minutes}min`);
  writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
  writeFileSync(
    `${base}.svg`,
    seriesSvg(`Soak: user service, ${minutes} min, ${counters.calls} calls (${result.callsPerSecond}/s), ${liveUsers} live users at the end`, "seconds", [
      { label: "RSS (MiB)", key: "rss", points: samples.map((s) => [s.t, s.rssMiB]) },
      { label: "heap in use after full GC (MiB)", key: "heap", points: samples.map((s) => [s.t, s.heapMiB]) },
      { label: "open handles", key: "handles", points: samples.map((s) => [s.t, s.handles]) },
    ]),
  );
  console.log(
    `soak: ${counters.calls} calls (${result.callsPerSecond}/s); provoked errors ${JSON.stringify(counters.provoked)}; ` +
      `${checked} acknowledged writes checked; heap after GC ${samples[0].heapMiB.toFixed(1)} -> ${last.heapMiB.toFixed(1)} MiB ` +
      `(second half ${slopePerMin.toFixed(2)} MiB/min); RSS max ${result.rssMiB.max.toFixed(0)} MiB; handles ${samples[0].handles} -> ${last.handles}`,
  );
  console.log(`written to ${base}.json and ${base}.svg`);
  for (const f of failures) console.error(`FAIL: ${f}`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
