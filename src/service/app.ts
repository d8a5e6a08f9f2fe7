// Assembles the user service process: store, auth, interceptor chain, user.UserService, health and
// reflection on one Server; listening (h2c, TLS or mTLS) and the graceful shutdown sequence.
// src/service/main.ts runs it from the environment; tests start it in-process.

import { readFileSync } from "node:fs";
import { Server } from "../server/server.js";
import type { TlsOptions } from "../server/options.js";
import { MemoryUserStore } from "../store/memory-store.js";
import type { UserStore } from "../store/user-store.js";
import { TokenAuthenticator, generateToken, parseAuthTokens, type TokenEntry } from "./auth.js";
import { USER_SERVICE } from "./authorization.js";
import type { ServiceConfig } from "./config.js";
import { HealthService, HealthServiceDescriptor } from "./health.js";
import { userServiceInterceptors } from "./interceptors.js";
import { createLogger, type Logger } from "./logger.js";
import { REFLECTION_PROTO_FILES, REFLECTION_SERVICE_NAMES, ReflectionService, ReflectionV1Descriptor, ReflectionV1alphaDescriptor } from "./reflection.js";
import { UserHandlers } from "./user-handlers.js";
import { UserServiceDescriptor, userServiceImplementation } from "./user-service.js";

export interface StartOptions {
  readonly config: ServiceConfig;
  /** Default: a new MemoryUserStore. */
  readonly store?: UserStore;
  /** Default: JSON lines on stderr at `config.logLevel`. */
  readonly logger?: Logger;
}

export interface RunningUserService {
  readonly server: Server;
  readonly store: UserStore;
  readonly health: HealthService;
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
  const t = config.tls;
  if (t === undefined) return undefined;
  const base: TlsOptions = { cert: readFileSync(t.certFile), key: readFileSync(t.keyFile) };
  if (t.clientCaFile === undefined) return base;
  return { ...base, ca: readFileSync(t.clientCaFile), requestCert: true, rejectUnauthorized: true };
}

/** Builds and starts the service. Throws on a bad AUTH_TOKENS, unreadable TLS files or a busy port. */
export async function startUserService(options: StartOptions): Promise<RunningUserService> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = options.store ?? new MemoryUserStore();
  const { entries, generated } = tokenEntries(config);
  const tls = tlsOptions(config);

  const server = new Server({
    ...config.limits,
    interceptors: userServiceInterceptors({ authenticator: new TokenAuthenticator(entries), logger }),
    onError: (err) => {
      const peer = (err as { peer?: unknown } | null)?.peer;
      logger.log("warn", "server error", { error: err instanceof Error ? err.message : String(err), ...(typeof peer === "string" ? { peer } : {}) });
    },
  });
  server.addService(UserServiceDescriptor, userServiceImplementation(new UserHandlers(store, { maxBatchSize: config.maxBatchSize })));
  const { health } = registerStandardServices(server);

  const port = await server.listen({ port: config.port, host: config.host, ...(tls === undefined ? {} : { tls }) });
  let stopping: Promise<void> | undefined;
  return {
    server,
    store,
    health,
    host: config.host,
    port,
    tls: config.tls === undefined ? "none" : config.tls.clientCaFile === undefined ? "tls" : "mtls",
    generatedAdminToken: generated,
    shutdown() {
      stopping ??= (async () => {
        logger.log("info", "shutting down", { grace_ms: config.shutdownGraceMs });
        health.shutdown(); // watchers hear NOT_SERVING before the GOAWAY
        await server.shutdown(config.shutdownGraceMs);
        logger.log("info", "stopped");
      })();
      return stopping;
    },
  };
}
