// Assembles the user service process: store, auth, interceptor chain, user.UserService, health and
// reflection on one Server; listening (h2c, TLS or mTLS) and the graceful shutdown sequence.
// src/service/main.ts runs it from the environment; tests start it in-process.

import { Server } from "../server/server.js";
import type { TlsOptions } from "../server/options.js";
import { MemoryUserStore } from "../store/memory-store.js";
import { PostgresUserStore } from "../store/postgres-store.js";
import type { UserStore } from "../store/user-store.js";
import { TokenAuthenticator, generateToken, parseAuthTokens, type TokenEntry } from "./auth.js";
import { USER_SERVICE } from "./authorization.js";
import { DEFAULT_MAX_USERS, type ServiceConfig } from "./config.js";
import { HealthService, HealthServiceDescriptor } from "./health.js";
import { userServiceInterceptors } from "./interceptors.js";
import { createLogger, type Logger } from "./logger.js";
import { isPingable, watchStoreHealth } from "./store-health.js";
import { REFLECTION_PROTO_FILES, REFLECTION_SERVICE_NAMES, ReflectionService, ReflectionV1Descriptor, ReflectionV1alphaDescriptor } from "./reflection.js";
import { loadTlsFiles } from "./tls-files.js";
import { UserCap } from "./user-cap.js";
import { UserHandlers } from "./user-handlers.js";
import { UserServiceDescriptor, userServiceImplementation } from "./user-service.js";

export interface StartOptions {
  readonly config: ServiceConfig;
  /** Default: a PostgresUserStore when `config.databaseUrl` is set, else a new MemoryUserStore. */
  readonly store?: UserStore;
  /** How often the database is pinged for the health status (default 1000 ms). */
  readonly storeHealthIntervalMs?: number;
  /** Default: JSON lines on stderr at `config.logLevel`. */
  readonly logger?: Logger;
}

export interface RunningUserService {
  readonly server: Server;
  readonly store: UserStore;
  readonly health: HealthService;
  /** The service's logger (buffered: `flush()` before the process exits). */
  readonly logger: Logger;
  readonly host: string;
  readonly port: number;
  readonly tls: "none" | "tls" | "mtls";
  /** Set when AUTH_TOKENS was not given: the one admin token made at start. */
  readonly generatedAdminToken: string | undefined;
  /** Health NOT_SERVING, then GOAWAY, then up to `config.shutdownGraceMs` for calls in flight. */
  shutdown(): Promise<void>;
}

/** The standard services every server of ours carries: grpc.health.v1.Health and server reflection
 *  (v1 and v1alpha) describing `proto/user.proto` and the standard protos. */
export function registerStandardServices(server: Server): { health: HealthService; reflection: ReflectionService } {
  const health = new HealthService([USER_SERVICE]);
  server.addService(HealthServiceDescriptor, health.implementation);
  const reflection = new ReflectionService(
    ["user.proto", "grpc/health/v1/health.proto", ...REFLECTION_PROTO_FILES, "google/rpc/error_details.proto", "google/rpc/status.proto"],
    [USER_SERVICE, "grpc.health.v1.Health", ...REFLECTION_SERVICE_NAMES],
  );
  server.addService(ReflectionV1Descriptor, reflection.implementation);
  server.addService(ReflectionV1alphaDescriptor, reflection.implementation);
  return { health, reflection };
}

function tokenEntries(config: ServiceConfig): { entries: TokenEntry[]; generated: string | undefined } {
  if (config.authTokens === undefined) {
    const token = generateToken();
    return { entries: [{ token, role: "admin" }], generated: token };
  }
  const parsed = parseAuthTokens(config.authTokens);
  if (!parsed.ok) throw new Error(parsed.error);
  return { entries: parsed.entries, generated: undefined };
}

function tlsOptions(config: ServiceConfig): TlsOptions | undefined {
  return config.tls === undefined ? undefined : loadTlsFiles(config.tls);
}

/** Builds and starts the service. Throws on a bad AUTH_TOKENS, a missing or bad TLS file (a
 *  TlsConfigError naming the setting and the file), a busy port or a DATABASE_URL that cannot be
 *  reached (the message names DATABASE_URL). */
export async function startUserService(options: StartOptions): Promise<RunningUserService> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const { entries, generated } = tokenEntries(config);
  const tls = tlsOptions(config);
  // The store we open is ours to close; one given to us is the caller's.
  const owned = options.store === undefined && config.databaseUrl !== undefined ? await PostgresUserStore.open({ url: config.databaseUrl }) : undefined;
  const store = options.store ?? owned ?? new MemoryUserStore();

  const server = new Server({
    ...config.limits,
    interceptors: userServiceInterceptors({ authenticator: new TokenAuthenticator(entries), logger }),
    onError: (err) => {
      const peer = (err as { peer?: unknown } | null)?.peer;
      logger.log("warn", "server error", { error: err instanceof Error ? err.message : String(err), ...(typeof peer === "string" ? { peer } : {}) });
    },
  });
  const cap = new UserCap(config.maxUsers ?? DEFAULT_MAX_USERS, await store.count());
  server.addService(UserServiceDescriptor, userServiceImplementation(new UserHandlers(store, { maxBatchSize: config.maxBatchSize, cap })));
  const { health } = registerStandardServices(server);

  let port: number;
  try {
    port = await server.listen({ port: config.port, host: config.host, ...(tls === undefined ? {} : { tls }) });
  } catch (err) {
    await owned?.close();
    throw err;
  }
  const stopHealthPoll = isPingable(store) ? watchStoreHealth(store, health, logger, { services: [USER_SERVICE, ""], intervalMs: options.storeHealthIntervalMs }) : undefined;
  let stopping: Promise<void> | undefined;
  return {
    server,
    store,
    health,
    logger,
    host: config.host,
    port,
    tls: config.tls === undefined ? "none" : config.tls.clientCaFile === undefined ? "tls" : "mtls",
    generatedAdminToken: generated,
    shutdown() {
      stopping ??= (async () => {
        logger.log("info", "shutting down", { grace_ms: config.shutdownGraceMs });
        health.shutdown(); // watchers hear NOT_SERVING before the GOAWAY
        stopHealthPoll?.();
        await server.shutdown(config.shutdownGraceMs);
        await owned?.close();
        logger.log("info", "stopped");
        logger.flush();
      })();
      return stopping;
    },
  };
}
