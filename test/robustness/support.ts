// Test support for the attack suite: the user service in a child process (server-child.ts) with
// heap-after-GC readings, a normal client that must keep being served, and the bounds every attack
// test asserts.

import { fork, type ChildProcess } from "node:child_process";
import { expect } from "vitest";
import { fileURLToPath } from "node:url";
import type { ServerOptions } from "../../src/server/options.js";
import { UserServiceClient } from "../../src/service/user-client.js";
import { HealthCheckRequestCodec } from "../../src/schema/health.js";
import { HealthServiceDescriptor } from "../../src/service/health.js";
import { clientMethods } from "../../src/client/types.js";
import { Client } from "../../src/client/client.js";
import { Role } from "../../src/schema/user.js";
import { FrameType, RawConnection, grpcRequestBlock, ping } from "../support/h2-frames.js";

const CHILD = fileURLToPath(new URL("./server-child.ts", import.meta.url));
export const ADMIN_TOKEN = "t-admin-0123456789";

/** Heap in use after a full GC may grow by at most this much over an attack (MiB). */
export const HEAP_GROWTH_BOUND_MIB = 64;
/** RSS may grow by at most this much over an attack (MiB): V8 and nghttp2 keep freed memory, so it is loose. */
export const RSS_GROWTH_BOUND_MIB = 384;
/** A normal client's call, during or after an attack, must complete within this deadline (ms). */
export const SERVED_WITHIN_MS = 15_000;

export interface MemoryReading {
  rss: number;
  heapUsed: number;
  external: number;
  handles: number;
}

export interface ChildServer {
  readonly port: number;
  readonly target: string;
  readonly child: ChildProcess;
  /** Everything the child wrote on stderr. */
  readonly stderr: string[];
  /** Set once the child exits. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  mem(): Promise<MemoryReading>;
  stats(): Promise<{ started: Record<string, number>; serverErrors: number }>;
  stop(): Promise<void>;
}

/** Starts the user service in a child (node --expose-gc) with these server options. */
export function startChildServer(options: ServerOptions | Record<string, unknown> = {}): Promise<ChildServer> {
  const child = fork(CHILD, [JSON.stringify(options)], {
    // CHILD_NODE_FLAGS adds node flags to the child, e.g. "--gc-interval=2000" to hunt GC-timing bugs.
    execArgv: ["--expose-gc", ...(process.env.CHILD_NODE_FLAGS?.split(" ").filter((f) => f !== "") ?? []), "--import", "tsx"],
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (s: string) => stderr.push(s));
  let next = 1;
  const pending = new Map<number, (m: Record<string, unknown>) => void>();
  const request = <T>(cmd: string): Promise<T> =>
    new Promise((resolve, reject) => {
      if (server.exit !== undefined) return reject(new Error(`server child exited: ${JSON.stringify(server.exit)} ${stderr.join("")}`));
      const id = next++;
      pending.set(id, (m) => resolve(m as T));
      child.send({ id, cmd });
    });
  const server: ChildServer = {
    port: 0,
    target: "",
    child,
    stderr,
    exit: undefined,
    mem: () => request<MemoryReading>("mem"),
    stats: () => request("stats"),
    async stop() {
      if (server.exit !== undefined) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.send({ id: 0, cmd: "exit" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    child.on("exit", (code, signal) => {
      server.exit = { code, signal };
      for (const r of pending.values()) r({ exited: true });
      reject(new Error(`server child exited before it was ready: ${code} ${signal} ${stderr.join("")}`));
    });
    child.on("message", (m: Record<string, unknown>) => {
      if (m.ready === true) {
        (server as { port: number }).port = m.port as number;
        (server as { target: string }).target = `127.0.0.1:${m.port as number}`;
        resolve(server);
        return;
      }
      const r = pending.get(m.id as number);
      pending.delete(m.id as number);
      r?.(m);
    });
  });
}

let clientsMade = 0;

/** How many handlers of `path` the child server has started (the attack tests' "did it reach the handler?"). */
export async function handlersStarted(server: ChildServer, path: string): Promise<number> {
  return (await server.stats()).started[path] ?? 0;
}

/** A client of the attacked server that should not notice the attack. */
export class NormalClient {
  readonly users: UserServiceClient;
  private readonly raw: Client;
  private n = 0;
  private readonly id = clientsMade++;
  constructor(target: string) {
    this.users = new UserServiceClient({ target, token: ADMIN_TOKEN });
    this.raw = new Client(this.users.channel);
  }

  /** A health check, a CreateUser and a GetUser of it, each within SERVED_WITHIN_MS. Throws otherwise. */
  async served(): Promise<true> {
    const opts = { timeoutMs: SERVED_WITHIN_MS };
    const h = await this.raw.unary(HEALTH_CHECK, HealthCheckRequestCodec.create({ service: "" }), opts);
    if (h.status !== 1) throw new Error(`health status ${h.status}`);
    const i = `${process.pid}_${this.id}_${this.n++}`;
    const u = await this.users.createUser(
      { username: `normal_${i}`, email: `n${i}@example.com`, fullName: "Normal Client", role: Role.ROLE_USER },
      opts,
    );
    const got = await this.users.getUser(u.id, opts);
    if (got.id !== u.id) throw new Error("GetUser returned another user");
    return true;
  }

  close(): void {
    this.users.channel.destroy();
  }
}

const HEALTH_CHECK = clientMethods(HealthServiceDescriptor).Check;

export const MiB = 1024 * 1024;

/** Growth from `before` to `after`, in MiB. */
export function growth(before: MemoryReading, after: MemoryReading): { heapMiB: number; rssMiB: number } {
  return { heapMiB: (after.heapUsed - before.heapUsed) / MiB, rssMiB: (after.rss - before.rss) / MiB };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `attack` while a normal client keeps calling (one round of served() at once, then more until
 * the attack ends), then once more after it; all must succeed within SERVED_WITHIN_MS each. Memory is
 * read (after a full GC) before and after; the growth is returned for the test to bound.
 */
export async function underAttack<T>(
  server: ChildServer,
  attack: () => Promise<T>,
): Promise<{ result: T; servedDuring: number; heapMiB: number; rssMiB: number }> {
  const before = await server.mem();
  const normal = new NormalClient(server.target);
  try {
    await normal.served(); // connected before the attack starts
    let done = false;
    let servedDuring = 0;
    const during = (async () => {
      do {
        await normal.served();
        servedDuring++;
      } while (!done);
    })();
    during.catch(() => {}); // awaited below; no unhandled rejection if the attack throws first
    let result: T;
    try {
      result = await attack();
    } finally {
      done = true;
    }
    await during;
    await normal.served();
    const after = await server.mem();
    const g = growth(before, after);
    report(expect.getState().currentTestName ?? "attack", { result, servedDuring, ...g });
    return { result, servedDuring, ...g };
  } finally {
    normal.close();
  }
}

/** The server's state after an attack connection: what it sent, and whether it closed. */
export interface Outcome {
  goaway: { lastStreamId: number; code: number; debug: string } | undefined;
  closed: boolean;
  /** RST_STREAM codes received: code -> count. */
  resets: Map<number, number>;
  /** The server neither answered the PING nor closed within the bound (we closed the socket then). */
  unanswered: boolean;
}

/**
 * Sends a PING and waits for its ACK, a GOAWAY or the close (whichever first), at most `maxMs`;
 * then reports. A server that has processed everything sent before answers the PING.
 */
export async function outcome(conn: RawConnection, maxMs = 10_000, waitForClose = true): Promise<Outcome> {
  const pings = conn.count(FrameType.PING);
  void conn.write(ping(Buffer.from("outcome!")));
  let unanswered = false;
  const timer = setTimeout(() => {
    unanswered = true;
    conn.destroy();
  }, maxMs);
  await conn.until(() => conn.count(FrameType.PING) > pings || conn.goaway() !== undefined);
  clearTimeout(timer);
  // A GOAWAY is followed by the close: give it a moment.
  if (waitForClose && conn.goaway() !== undefined && !conn.closed) await Promise.race([conn.closedPromise, sleep(1_000)]);
  const resets = new Map<number, number>();
  for (const code of conn.resets().values()) resets.set(code, (resets.get(code) ?? 0) + 1);
  return { goaway: conn.goaway(), closed: conn.closed && !unanswered, resets, unanswered };
}

/** A gRPC request header block for the user service, authenticated as admin. */
export function userRequest(method: string, extra: ReadonlyArray<readonly [string, string]> = []): Buffer {
  return grpcRequestBlock(`/user.UserService/${method}`, [["authorization", `Bearer ${ADMIN_TOKEN}`], ...extra]);
}

/** With ROBUSTNESS_VERBOSE=1, prints what an attack got (the figures docs/RELIABILITY.md quotes). */
export function report(name: string, figures: Record<string, unknown>): void {
  if (process.env.ROBUSTNESS_VERBOSE !== "1") return;
  const plain = JSON.stringify(figures, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : typeof v === "number" && !Number.isInteger(v) ? Number(v.toFixed(1)) : v));
  console.log(`[attack] ${name}: ${plain}`);
}
