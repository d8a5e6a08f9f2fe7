// Signals and `npm start` (src/service/signals.ts, package.json "start"): SIGTERM to the npm pid, to
// the whole process group or to node, under load, each ends in a graceful shutdown and exit 0; a copy
// of the first signal is not a second one; a genuine second signal exits at once and says so.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { readFileSync, readdirSync } from "node:fs";
import { createServer, connect, type AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { beforeAll, describe, expect, it } from "vitest";
import { Client } from "../../src/client/client.js";
import { clientMethods } from "../../src/client/types.js";
import { ServingStatus } from "../../src/schema/health.js";
import { HealthServiceDescriptor } from "../../src/service/health.js";
import { createLogger } from "../../src/service/logger.js";
import { forcedExitCode, shutdownOnSignals, type SignalTarget } from "../../src/service/signals.js";
import type { UserUpdateResponse } from "../../src/schema/user.js";
import { UserServiceClient, type UserUpdateStream } from "../../src/service/user-client.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Status } from "../../src/wire/status.js";
import { TOKENS, until } from "./support.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const HEALTH = clientMethods(HealthServiceDescriptor);

function fakeProcess(): SignalTarget & { emit(signal: NodeJS.Signals): void } {
  const e = new EventEmitter();
  return { on: (s, l) => e.on(s, l), off: (s, l) => e.off(s, l), emit: (s) => void e.emit(s, s) };
}

function recorder() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: createLogger("debug", (l) => lines.push(JSON.parse(l) as Record<string, unknown>)) };
}

describe("shutdownOnSignals", () => {
  it("ignores a copy of the first signal delivered while the loop was blocked past the window; a later one forces exit", async () => {
    // A socket byte stands in for libuv's signal pipe: written now, read in the first poll phase after
    // the loop unblocks, which is after the window's timer has fired.
    const relay = createServer();
    await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
    const target = fakeProcess();
    const { lines, logger } = recorder();
    const exits: number[] = [];
    let forced = 0;
    let shutdowns = 0;
    const remove = shutdownOnSignals({ shutdown: () => (shutdowns++, new Promise<void>(() => {})), force: () => forced++, logger, duplicateWindowMs: 50, exit: (c) => exits.push(c), target });
    const copyRead = new Promise<void>((resolve) =>
      relay.once("connection", (s) => {
        s.once("data", () => {
          target.emit("SIGTERM"); // the copy, handled in the poll phase
          resolve();
        });
      }),
    );
    const sender = connect((relay.address() as AddressInfo).port, "127.0.0.1");
    await new Promise<void>((r) => sender.once("connect", () => r()));
    await new Promise((r) => setImmediate(r)); // the server side has accepted

    target.emit("SIGTERM");
    sender.write("x");
    const blockedUntil = Date.now() + 200; // the event loop busy for 4 windows
    while (Date.now() < blockedUntil) {
      /* busy */
    }
    await copyRead;
    expect(shutdowns).toBe(1);
    expect(exits).toEqual([]);
    expect(lines.some((l) => String(l.msg).startsWith("signal ignored"))).toBe(true);

    await until(() => lines.some((l) => l.level === "debug" && String(l.msg).includes("second signal now")));
    target.emit("SIGTERM");
    expect(forced).toBe(1);
    expect(exits).toEqual([forcedExitCode("SIGTERM")]);
    expect(forcedExitCode("SIGTERM")).toBe(143);
    expect(lines.at(-1)).toMatchObject({ level: "warn", signal: "SIGTERM" });
    remove();
    sender.destroy();
    relay.close();
  });

  it("a different signal is never a copy: SIGINT after SIGTERM forces exit at once", () => {
    const target = fakeProcess();
    const exits: number[] = [];
    shutdownOnSignals({ shutdown: () => new Promise<void>(() => {}), force: () => {}, logger: recorder().logger, exit: (c) => exits.push(c), target });
    target.emit("SIGTERM");
    target.emit("SIGTERM");
    expect(exits).toEqual([]);
    target.emit("SIGINT");
    expect(exits).toEqual([130]);
  });

  it("exits 0 when the graceful shutdown resolves, 1 when it fails", async () => {
    for (const [outcome, code] of [[() => Promise.resolve(), 0], [() => Promise.reject(new Error("x")), 1]] as const) {
      const target = fakeProcess();
      const exits: number[] = [];
      shutdownOnSignals({ shutdown: outcome, force: () => {}, logger: recorder().logger, exit: (c) => exits.push(c), target });
      target.emit("SIGINT");
      await until(() => exits.length > 0);
      expect(exits).toEqual([code]);
    }
  });
});

// ---- `npm start` as a real process group ----

/** The pids of every live process in process group `pgid` (Linux /proc). */
function groupMembers(pgid: number): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // state ppid pgrp …
      if (Number(fields[2]) !== pgid || fields[0] === "Z") continue;
      out.push({ pid: Number(name), cmd: readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ") });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

interface NpmStart {
  readonly child: ChildProcess;
  readonly port: number;
  readonly nodePid: number;
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
}

async function npmStart(env: Record<string, string> = {}): Promise<NpmStart> {
  const child = spawn("npm", ["start"], {
    cwd: ROOT,
    detached: true, // its own process group, as a shell or systemd gives it
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", AUTH_TOKENS: `${TOKENS.admin}=admin`, LOG_LEVEL: "info", SHUTDOWN_GRACE_MS: "60000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  child.stderr!.setEncoding("utf8").on("data", (d: string) => stderr.push(d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const m = /^user service listening on 127\.0\.0\.1:(\d+) \(h2c\)/.exec(line);
      if (m !== null) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}) before listening: ${stderr.join("")}`)));
  });
  const node = groupMembers(child.pid!).find((p) => p.cmd.includes("dist/service/main.js"));
  expect(node, JSON.stringify(groupMembers(child.pid!))).toBeDefined();
  return { child, port, nodePid: node!.pid, stderr, exited };
}

async function portIsFree(port: number): Promise<boolean> {
  const s = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => resolve(true));
  });
  await new Promise<void>((r) => s.close(() => r()));
  return ok;
}

/** The service left no process in its group and freed its port. */
async function expectNothingLeft(s: NpmStart): Promise<void> {
  expect(groupMembers(s.child.pid!)).toEqual([]);
  expect(await portIsFree(s.port)).toBe(true);
}

/** Cleanup after a test: SIGKILL whatever is left of the process group (nothing, when the test passed). */
function killGroup(s: NpmStart): void {
  try {
    process.kill(-s.child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Calls proven to be in flight at the server, plus a flood of unary calls keeping its loop busy. */
async function loadUp(client: UserServiceClient) {
  const seed = client.batchCreateUsers();
  for (let i = 0; i < 3000; i++) await seed.send({ username: `seed_${i}`, email: `seed_${i}@example.com` });
  expect((await seed.closeAndRecv()).createdCount).toBe(3000);
  const target = await client.createUser({ username: "target", email: "target@example.com" });

  // Four update streams, each answered once: open at the server.
  const updates: Array<{ s: UserUpdateStream; it: AsyncIterator<UserUpdateResponse> }> = [];
  for (let i = 0; i < 4; i++) {
    const s = client.streamUserUpdates();
    const it = s[Symbol.asyncIterator]();
    await s.send({ userId: target.id, field: "full_name", value: `first ${i}` });
    expect((await it.next()).value).toMatchObject({ success: true });
    updates.push({ s, it });
  }
  // A batch half sent.
  const batch = client.batchCreateUsers();
  for (let i = 0; i < 500; i++) await batch.send({ username: `late_${i}`, email: `late_${i}@example.com` });
  // A health watcher: it must hear NOT_SERVING while the calls above are still in flight.
  const health: number[] = [];
  const watch = new Client(client.channel).serverStreaming(HEALTH.Watch, { service: "" });
  const watching = (async () => {
    for await (const r of watch) health.push(r.status);
  })();
  await until(() => health.length === 1);
  // A list read one user so far (the rest wait under flow control).
  const list = client.listUsers({ limit: 0 })[Symbol.asyncIterator]();
  expect((await list.next()).done).toBe(false);

  // The flood: 16 loops of CreateUser until the first failure.
  let ok = 0;
  const failures: GrpcError[] = [];
  let n = 0;
  const flood = Array.from({ length: 16 }, async () => {
    for (;;) {
      const i = n++;
      try {
        await client.createUser({ username: `flood_${i}`, email: `flood_${i}@example.com` });
        ok++;
      } catch (e) {
        if (!(e instanceof GrpcError)) throw e;
        failures.push(e);
        return;
      }
    }
  });
  await until(() => ok >= 200);

  // A big batch, half-closed just before the signal: the server validates and commits 20,000 users
  // in one synchronous step, so the signal (and, for a group signal, its copy) arrives while the
  // event loop is busy.
  const big = client.batchCreateUsers();
  for (let i = 0; i < 20_000; i++) await big.send({ username: `big_${i}`, email: `big_${i}@example.com` });

  return {
    floodOk: () => ok,
    /** Half-closes the big batch: call right before sending the signal. */
    commitBigBatch: () => big.closeAndRecv(),
    /** After the signal: the calls in flight all finish normally. */
    async finish() {
      await until(() => health.includes(ServingStatus.NOT_SERVING));
      expect(health).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
      for (const [i, { s, it }] of updates.entries()) {
        await s.send({ userId: target.id, field: "full_name", value: `second ${i}` });
        expect((await it.next()).value).toMatchObject({ success: true });
        s.end();
        expect((await it.next()).done).toBe(true);
      }
      expect((await batch.closeAndRecv()).createdCount).toBe(500);
      let listed = 1;
      for (let r = await list.next(); r.done !== true; r = await list.next()) listed++;
      expect(listed).toBeGreaterThanOrEqual(3001);
      await Promise.all(flood);
      await watching;
      // A flood call either completed or was refused because the server is going away.
      for (const f of failures) expect(f.code, f.message).toBe(Status.UNAVAILABLE);
    },
  };
}

describe("npm start under load", () => {
  beforeAll(() => {
    // Build once here, so the spawns below only check that dist/ is fresh.
    const r = spawnSync(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: ROOT, stdio: "inherit" });
    expect(r.status).toBe(0);
  }, 120_000);

  const ways = [
    ["to the npm pid (docker stop of an npm PID 1)", (s: NpmStart) => process.kill(s.child.pid!, "SIGTERM")],
    ["to the whole process group (Ctrl-C, systemd's group kill): node gets it twice", (s: NpmStart) => process.kill(-s.child.pid!, "SIGTERM")],
    ["to the node pid (systemd KillMode=mixed, docker stop of node as PID 1)", (s: NpmStart) => process.kill(s.nodePid, "SIGTERM")],
  ] as const;

  for (const [name, send] of ways) {
    it(`SIGTERM ${name}: calls in flight finish, exit 0, port released, no process left`, async () => {
      const s = await npmStart();
      const client = new UserServiceClient({ target: `127.0.0.1:${s.port}`, token: TOKENS.admin });
      try {
        const load = await loadUp(client);
        const committed = load.commitBigBatch();
        send(s);
        await until(() => s.stderr.join("").includes('"msg":"shutting down"'));
        await load.finish();
        expect((await committed).createdCount).toBe(20_000);
        expect(await s.exited).toBe(0);
        expect(s.stderr.join("")).not.toContain("second signal");
        expect(s.stderr.join("")).toContain('"msg":"stopped"');
        await expectNothingLeft(s);
      } finally {
        client.channel.destroy();
        killGroup(s);
      }
    }, 120_000);
  }

  it("stopped as systemd stops deploy/user-service.service: SIGTERM to the main pid, then SIGKILL finds nothing left", async () => {
    const unit = readFileSync(new URL("../../deploy/user-service.service", import.meta.url), "utf8");
    const value = (key: string): string => {
      const m = new RegExp(`^${key}=(.*)$`, "m").exec(unit);
      expect(m, key).not.toBeNull();
      return m![1].trim();
    };
    expect(value("KillMode")).toBe("mixed");
    expect(value("KillSignal")).toBe("SIGTERM");
    const env = Object.fromEntries([...value("Environment").matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    expect(Number(value("TimeoutStopSec")) * 1000).toBeGreaterThan(Number(env.SHUTDOWN_GRACE_MS));
    const [program, ...args] = value("ExecStart").split(/\s+/);
    expect(program).toMatch(/\/node$/);

    const child = spawn(process.execPath, args, {
      cwd: ROOT, // WorkingDirectory
      detached: true, // the unit's cgroup: a process group of its own
      env: { ...process.env, ...env, PORT: "0", HOST: "127.0.0.1", AUTH_TOKENS: `${TOKENS.admin}=admin`, SHUTDOWN_GRACE_MS: "60000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stderr: string[] = [];
    child.stderr!.setEncoding("utf8").on("data", (d: string) => stderr.push(d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const port = await new Promise<number>((resolve) =>
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(line);
        if (m !== null) resolve(Number(m[1]));
      }),
    );
    const client = new UserServiceClient({ target: `127.0.0.1:${port}`, token: TOKENS.admin });
    try {
      const load = await loadUp(client);
      const committed = load.commitBigBatch();
      process.kill(child.pid!, "SIGTERM"); // KillMode=mixed: the main process only
      await until(() => stderr.join("").includes('"msg":"shutting down"'));
      await load.finish();
      expect((await committed).createdCount).toBe(20_000);
      expect(await exited).toBe(0);
      expect(groupMembers(child.pid!)).toEqual([]); // what the final SIGKILL would have hit
      expect(await portIsFree(port)).toBe(true);
    } finally {
      client.channel.destroy();
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }, 120_000);

  it("a second Ctrl-C (SIGINT to the group twice) exits at once, logged, with 130", async () => {
    const s = await npmStart({ LOG_LEVEL: "debug" });
    const client = new UserServiceClient({ target: `127.0.0.1:${s.port}`, token: TOKENS.admin });
    try {
      const u = await client.createUser({ username: "held", email: "held@example.com" });
      const held = client.streamUserUpdates();
      const answers = held[Symbol.asyncIterator]();
      await held.send({ userId: u.id, field: "full_name", value: "x" });
      await answers.next();
      process.kill(-s.child.pid!, "SIGINT");
      await until(() => s.stderr.join("").includes("a second signal now stops the process at once"));
      process.kill(-s.child.pid!, "SIGINT");
      expect(await s.exited).toBe(130);
      expect(s.stderr.join("")).toMatch(/"level":"warn","msg":"second signal: exiting now, calls in flight are cut","signal":"SIGINT"/);
      const end = await answers.next().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(end).toBeInstanceOf(GrpcError);
      await expectNothingLeft(s);
    } finally {
      client.channel.destroy();
      killGroup(s);
    }
  }, 120_000);
});
