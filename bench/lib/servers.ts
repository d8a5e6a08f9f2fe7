// The server contenders: how to start each, and whether it can be started on this machine.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startServer } from "./procs.js";
import type { ServerProcess } from "./procs.js";
import { ROOT, toolPath } from "./generators.js";

export type ServerId = "floor" | "grpcjs" | "grpcgo" | "ours" | "grpcjs-user" | "ours-user";

export interface ServerSpec {
  id: ServerId;
  label: string;
  /** Undefined when it can run; otherwise why not. */
  missing(): string | undefined;
  start(opts: { cpuProf?: string }): Promise<ServerProcess>;
}

/** Token the user-service contenders accept (admin), passed as AUTH_TOKENS. */
export const BENCH_TOKEN = "bench-token";

function nodeServer(id: ServerId, label: string, script: string, needs: string[] = [], env: NodeJS.ProcessEnv = {}, portPattern?: RegExp): ServerSpec {
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
      return startServer(label, process.execPath, [...prof, "--import", "tsx", join(ROOT, script)], { PORT: "0", ...env }, portPattern);
    },
  };
}

export const SERVERS: Record<ServerId, ServerSpec> = {
  floor: nodeServer("floor", "floor (raw node:http2)", "bench/servers/floor.ts"),
  grpcjs: nodeServer("grpcjs", "@grpc/grpc-js", "bench/servers/grpcjs-echo.ts"),
  ours: nodeServer("ours", "ours", "bench/servers/ours-echo.ts", ["src/server/index.ts"]),
  grpcgo: {
    id: "grpcgo",
    label: "grpc-go",
    missing: () => (toolPath("grpc-go-bench") === undefined ? "not built (scripts/install-bench-tools.sh)" : undefined),
    start: () => startServer("grpc-go", toolPath("grpc-go-bench")!, []),
  },
  "grpcjs-user": nodeServer("grpcjs-user", "user service on @grpc/grpc-js", "bench/servers/grpcjs-user.ts", [], {
    AUTH_TOKENS: `${BENCH_TOKEN}=admin`,
  }),
  // The real `npm start` entry point, as an operator runs it, logging only errors.
  "ours-user": nodeServer(
    "ours-user",
    "user service (ours)",
    "src/service/main.ts",
    ["src/service/main.ts"],
    { AUTH_TOKENS: `${BENCH_TOKEN}=admin`, LOG_LEVEL: "error", HOST: "127.0.0.1" },
    /listening on .*:(\d+)/,
  ),
};
