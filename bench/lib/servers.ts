// The server contenders: how to start each, and whether it can be started on this machine.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { isAbsolute, join } from "node:path";
import { startServer } from "./procs.js";
import type { ServerProcess } from "./procs.js";
import { ROOT, toolPath } from "./generators.js";

export type ServerId = "floor" | "grpcjs" | "grpcgo" | "ours" | "grpcjs-user" | "ours-user" | "ours-user-base";

export interface ServerSpec {
  id: ServerId;
  label: string;
  /** Undefined when it can run; otherwise why not. */
  missing(): string | undefined;
  start(opts: { cpuProf?: string }): Promise<ServerProcess>;
  /** User-service contenders that cannot be seeded (the floor answers canned users). */
  canned?: boolean;
}

/** Token the user-service contenders accept (admin), passed as AUTH_TOKENS. */
export const BENCH_TOKEN = "bench-token";

/** A server's log file: stderr goes to a file, as an operator would send it (removed when it stops). */
function logFile(id: ServerId): string {
  return join(os.tmpdir(), `bench-${id}-${process.pid}.log`);
}

function nodeServer(id: ServerId, label: string, script: string, needs: string[] = [], env: NodeJS.ProcessEnv = {}, portPattern?: RegExp, log = false): ServerSpec {
  return {
    id,
    label,
    missing() {
      for (const f of needs) if (!existsSync(join(ROOT, f))) return `${f} does not exist yet`;
      return undefined;
    },
    start({ cpuProf }) {
      // One directory per server: node writes one profile per thread (tsx's loader runs in a worker).
      const prof = cpuProf !== undefined ? ["--cpu-prof", "--cpu-prof-dir", join(cpuProf, id)] : [];
      return startServer(label, process.execPath, [...prof, "--import", "tsx", join(ROOT, script)], { PORT: "0", ...env }, portPattern, undefined, log ? logFile(id) : undefined);
    },
  };
}

/**
 * How `npm start` starts the service in the tree at `root`, read from its package.json (the last
 * command of an `a && b` chain, without `exec`): `tsx FILE`
 * becomes `node --import tsx FILE`, `node [flags] FILE` stays as it is. A start script that runs
 * compiled code (a path under dist/) is built first with the tree's `npm run build`, so the
 * benchmark never measures a stale build.
 */
export function npmStartArgs(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const start = pkg.scripts?.start;
  if (start === undefined) throw new Error(`${root}/package.json has no start script`);
  // `build && exec node FILE`: the last command is the server (`exec` only replaces the shell).
  const last = start.split("&&").at(-1)!.trim().replace(/^exec\s+/, "");
  const words = last.split(/\s+/);
  const abs = (w: string): string => (w.startsWith("-") || isAbsolute(w) || !/[/.]/.test(w) ? w : join(root, w));
  let args: string[];
  if (words[0] === "tsx") args = ["--import", "tsx", ...words.slice(1).map(abs)];
  else if (words[0] === "node") args = words.slice(1).map(abs);
  else throw new Error(`cannot run npm start's "${start}" under the harness (expected tsx … or node …)`);
  if (words.some((w) => w.startsWith("dist/")) && pkg.scripts?.build !== undefined) {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  }
  return args;
}

/**
 * The user service exactly as `npm start` starts it in the tree at `root`, with the call log on at
 * its default level (info) written to a file (stderr redirected), as an operator runs it.
 */
function userService(id: ServerId, label: string, root: () => string | undefined): ServerSpec {
  return {
    id,
    label,
    missing() {
      const r = root();
      if (r === undefined) return "set BENCH_BASELINE=<a checkout of the baseline commit> to compare against it";
      return existsSync(join(r, "package.json")) ? undefined : `${r}/package.json does not exist`;
    },
    start({ cpuProf }) {
      const r = root()!;
      const prof = cpuProf !== undefined ? ["--cpu-prof", "--cpu-prof-dir", join(cpuProf, id)] : [];
      const env = { AUTH_TOKENS: `${BENCH_TOKEN}=admin`, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "" };
      return startServer(label, process.execPath, [...prof, ...npmStartArgs(r)], env, /listening on .*:(\d+)/, undefined, logFile(id));
    },
  };
}

export const SERVERS: Record<ServerId, ServerSpec> = {
  floor: { ...nodeServer("floor", "floor (raw node:http2)", "bench/servers/floor.ts"), canned: true },
  grpcjs: nodeServer("grpcjs", "@grpc/grpc-js", "bench/servers/grpcjs-echo.ts"),
  ours: nodeServer("ours", "ours", "bench/servers/ours-echo.ts", ["src/server/index.ts"]),
  grpcgo: {
    id: "grpcgo",
    label: "grpc-go",
    missing: () => (toolPath("grpc-go-bench") === undefined ? "not built (scripts/install-bench-tools.sh)" : undefined),
    start: () => startServer("grpc-go", toolPath("grpc-go-bench")!, []),
  },
  // Logs one JSON line per call with pino (to stderr, redirected to a file), the same fields as ours.
  "grpcjs-user": nodeServer("grpcjs-user", "user service on @grpc/grpc-js", "bench/servers/grpcjs-user.ts", [], { AUTH_TOKENS: `${BENCH_TOKEN}=admin` }, undefined, true),
  // The real `npm start` entry point, as an operator runs it, logging every call.
  "ours-user": userService("ours-user", "user service (ours)", () => ROOT),
  // The same from another checkout (BENCH_BASELINE), for A/B runs interleaved in one run.
  "ours-user-base": userService("ours-user-base", "user service (ours, baseline)", () => process.env.BENCH_BASELINE),
};

/** `--servers ours` selects our echo server and our user service; `grpcjs` both grpc-js contenders. */
export function serverSelected(id: ServerId, selected: readonly string[]): boolean {
  return selected.includes(id) || selected.some((s) => id.startsWith(`${s}-user`));
}
