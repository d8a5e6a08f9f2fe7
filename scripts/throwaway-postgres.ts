// A throwaway PostgreSQL server for tests, CI and demos: Debian's binaries (installed by
// scripts/install-postgres.sh when missing), a data folder copied from a cached `initdb` template,
// run as the `postgres` user when we are root, on a free loopback port, removed on stop or exit.
//
// As a program (scripts/pg-throwaway.sh wraps it):
//   tsx scripts/throwaway-postgres.ts                 prints DATABASE_URL=… and runs until SIGINT/SIGTERM
//   tsx scripts/throwaway-postgres.ts -- cmd args…    runs cmd with DATABASE_URL set, then cleans up

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export interface ThrowawayOptions {
  /** fsync WAL and data to disk (default false: a throwaway survives a crash of PostgreSQL, which is
   *  what the tests do, but not a crash of the machine). */
  readonly fsync?: boolean;
}

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** A new empty database on this server; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server, keeping its data: `fast` is a clean shutdown, `immediate` a crash (recovery
   *  from the WAL at the next start). */
  stop(mode?: "fast" | "immediate"): void;
  /** Starts it again on the same port and data. */
  start(): void;
  /** Stops it and removes its data. */
  destroy(): void;
}

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const isRoot = process.getuid?.() === 0;

/** The newest installed /usr/lib/postgresql/N/bin, installing the package first when there is none. */
function binDir(): string {
  const find = (): string | undefined => {
    const base = "/usr/lib/postgresql";
    if (!existsSync(base)) return undefined;
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    return versions.length === 0 ? undefined : join(base, versions[0], "bin");
  };
  let dir = find();
  if (dir === undefined) {
    const r = spawnSync("bash", [join(ROOT, "scripts", "install-postgres.sh")], { stdio: ["ignore", "inherit", "inherit"] });
    dir = find();
    if (r.status !== 0 || dir === undefined) {
      throw new Error("PostgreSQL is not installed and scripts/install-postgres.sh could not install it (Debian package `postgresql`)");
    }
  }
  return dir;
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root (PostgreSQL refuses to run as root). */
function run(bin: string, args: readonly string[]): string {
  const [cmd, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, [...args]];
  const r = spawnSync(cmd, argv, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${bin.split("/").pop()} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

function chownToPostgres(path: string): void {
  if (isRoot) execFileSync("chown", ["-R", "postgres:postgres", path]);
}

/** A cached initdb result per PostgreSQL version: copying it is much faster than running initdb. */
function template(bin: string): string {
  const version = bin.split("/").at(-2) ?? "x";
  const dir = join(tmpdir(), `grpc-ts-pg-template-${version}-${process.getuid?.() ?? 0}`);
  if (existsSync(join(dir, "PG_VERSION"))) return dir;
  const work = mkdtempSync(join(tmpdir(), "grpc-ts-pg-initdb-"));
  chmodSync(work, 0o755);
  const data = join(work, "data");
  chownToPostgres(work);
  run(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  try {
    renameSync(data, dir); // atomic: a concurrent maker either wins or finds ours
  } catch {
    // another process made it first
  }
  rmSync(work, { recursive: true, force: true });
  if (!existsSync(join(dir, "PG_VERSION"))) throw new Error(`initdb template ${dir} is incomplete`);
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const live = new Set<ThrowawayPostgres>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const p of live) p.destroy();
  });
}

/** Starts a new throwaway server. */
export async function startThrowawayPostgres(options: ThrowawayOptions = {}): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const tpl = template(bin);
  const base = mkdtempSync(join(tmpdir(), "grpc-ts-pg-"));
  chmodSync(base, 0o755);
  const dataDir = join(base, "data");
  execFileSync("cp", ["-a", tpl, dataDir]);
  chownToPostgres(base);
  const pgCtl = join(bin, "pg_ctl");

  let port = 0;
  let running = false;
  let destroyed = false;
  const settings = (): string =>
    [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dataDir}`,
      `-c fsync=${options.fsync === true ? "on" : "off"}`,
      `-c full_page_writes=${options.fsync === true ? "on" : "off"}`,
      "-c shared_buffers=32MB",
      "-c max_connections=200",
    ].join(" ");
  const start = (): void => {
    run(pgCtl, ["-D", dataDir, "-l", join(dataDir, "server.log"), "-o", settings(), "-w", "-t", "120", "start"]);
    running = true;
  };

  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      start();
      break;
    } catch (err) {
      if (attempt === 4) {
        rmSync(base, { recursive: true, force: true, maxRetries: 5 });
        throw err;
      }
    }
  }

  // If this process dies without cleaning up (SIGKILL; a wrapper such as tsx or npm killing it while
  // it stops the server), a detached watcher in its own session stops the server and removes the
  // folder once our pid is gone.
  const asPostgres = isRoot ? `runuser -u postgres -- ` : "";
  const reaper = spawn(
    "bash",
    ["-c", `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${asPostgres}'${pgCtl}' -D '${dataDir}' -m immediate stop >/dev/null 2>&1; rm -rf '${base}'`],
    { detached: true, stdio: "ignore" },
  );
  reaper.unref();

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let dbCounter = 0;
  const server: ThrowawayPostgres = {
    url,
    port,
    dataDir,
    async createDatabase(name = `t${process.pid}_${++dbCounter}_${Date.now().toString(36)}`) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, "")}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop(mode = "fast") {
      if (!running) return;
      run(pgCtl, ["-D", dataDir, "-m", mode, "-w", "-t", "120", "stop"]);
      running = false;
    },
    start() {
      if (running || destroyed) return;
      start();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      live.delete(server);
      if (running) {
        try {
          run(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
        } catch {
          // already gone
        }
        running = false;
      }
      rmSync(base, { recursive: true, force: true, maxRetries: 5 });
      reaper.kill(); // done: nothing left for it
    },
  };
  live.add(server);
  installExitHook();
  return server;
}

// --- as a program ---
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dash = process.argv.indexOf("--");
  const command = dash >= 0 ? process.argv.slice(dash + 1) : [];
  const pgServer = await startThrowawayPostgres();
  const stopAll = (code: number): never => {
    pgServer.destroy();
    process.exit(code);
  };
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  if (command.length === 0) {
    process.stdout.write(`DATABASE_URL=${pgServer.url}\n`);
    process.stderr.write("throwaway PostgreSQL running; Ctrl-C stops it and removes its data\n");
    setInterval(() => {}, 1 << 30);
  } else {
    const child = spawn(command[0], command.slice(1), { stdio: "inherit", env: { ...process.env, DATABASE_URL: pgServer.url } });
    child.on("exit", (code, signal) => stopAll(code ?? (signal === null ? 1 : 128)));
  }
}
