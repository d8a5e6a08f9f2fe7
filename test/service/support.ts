// Test support for the user-service tests: the real service started in-process on port 0, with known
// tokens and the call log captured.

import { startUserService, type RunningUserService } from "../../src/service/app.js";
import type { ServiceConfig } from "../../src/service/config.js";
import { createLogger } from "../../src/service/logger.js";
import { UserServiceClient, type UserServiceClientOptions } from "../../src/service/user-client.js";
import type { UserStore } from "../../src/store/user-store.js";
import { GrpcError } from "../../src/wire/grpc-error.js";

export const TOKENS = { admin: "t-admin-0123456789", moderator: "t-mod-0123456789", user: "t-user-0123456789" } as const;

export interface TestService {
  readonly app: RunningUserService;
  readonly target: string;
  /** Every JSON log line, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Raw log text, to check what must never appear in it. */
  readonly rawLogs: string[];
  client(role?: keyof typeof TOKENS | null, options?: Partial<UserServiceClientOptions>): UserServiceClient;
  close(): Promise<void>;
}

export async function startTestService(config: Partial<ServiceConfig> = {}, store?: UserStore): Promise<TestService> {
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger(config.logLevel ?? "info", (line) => {
    rawLogs.push(line);
    logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const app = await startUserService({
    config: {
      port: 0,
      host: "127.0.0.1",
      authTokens: `${TOKENS.admin}=admin,${TOKENS.moderator}=moderator,${TOKENS.user}=user`,
      logLevel: "info",
      shutdownGraceMs: 5_000,
      maxBatchSize: 1_000,
      ...config,
    },
    logger,
    ...(store === undefined ? {} : { store }),
  });
  const target = `127.0.0.1:${app.port}`;
  const clients: UserServiceClient[] = [];
  return {
    app,
    target,
    logs,
    rawLogs,
    client(role = "admin", options = {}) {
      const c = new UserServiceClient({ target, ...(role === null ? {} : { token: TOKENS[role] }), ...options });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.channel.destroy();
      await app.server.forceShutdown();
    },
  };
}

/** The GrpcError a promise rejects with (fails the test if it resolves or rejects otherwise). */
export { rejection as grpcError } from "../support/outcomes.js";

/** Waits (polling) until `cond` holds; no time limit of its own: the test timeout bounds it. */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

/** The call log lines of one method. */
export function callLogs(t: TestService, method: string): Array<Record<string, unknown>> {
  return t.logs.filter((l) => l.msg === "call" && l.method === `/user.UserService/${method}`);
}
