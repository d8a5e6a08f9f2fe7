// Service configuration from environment variables, overridden by command-line flags of the same name
// (`PORT` ↔ `--port`). AUTH_TOKENS is environment-only: flags are visible to every user in `ps`.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { DEFAULT_SHUTDOWN_GRACE_MS } from "../server/index.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** With it, clients must present a certificate signed by this CA (mutual TLS). */
  readonly clientCaFile?: string;
}

export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  readonly tls?: TlsFiles;
  /** The raw AUTH_TOKENS value; undefined = generate one admin token at start. */
  readonly authTokens?: string;
  readonly logLevel: LogLevel;
  readonly shutdownGraceMs: number;
  /** Most items one BatchCreateUsers call may send. */
  readonly maxBatchSize: number;
  /** Most users the service stores (src/service/user-cap.ts); default DEFAULT_MAX_USERS. */
  readonly maxUsers?: number;
  /** Print every call's wire conversation on stderr (src/wire/trace.ts, docs/PROTOCOL.md). */
  readonly trace?: boolean;
  /** Transport limits (ServerOptions, src/server/options.ts); unset = the server's default. */
  readonly limits?: TransportLimits;
  /** postgres://… : keep users in PostgreSQL (src/store/postgres-store.ts); undefined = in memory. */
  readonly databaseUrl?: string;
  /** Serve the live protocol viewer (src/viewer/) on this address. */
  readonly viewer?: { readonly port: number; readonly host: string };
}

/** The transport limits the service exposes as settings (issue 10); docs/TRANSPORT.md "Limits". */
export interface TransportLimits {
  readonly maxConcurrentStreams?: number;
  readonly maxConnections?: number;
  readonly handshakeTimeoutMs?: number;
  readonly maxConnectionIdleMs?: number;
  readonly maxConnectionAgeMs?: number;
  readonly maxConnectionAgeGraceMs?: number;
}

/** Setting name → ServerOptions field, with the accepted range. */
const LIMIT_SETTINGS = [
  { env: "MAX_CONCURRENT_STREAMS", key: "maxConcurrentStreams", min: 1, max: 0xffffffff },
  { env: "MAX_CONNECTIONS", key: "maxConnections", min: 1, max: 10_000_000 },
  { env: "HANDSHAKE_TIMEOUT_MS", key: "handshakeTimeoutMs", min: 1, max: 3_600_000 },
  { env: "MAX_CONNECTION_IDLE_MS", key: "maxConnectionIdleMs", min: 1, max: 0x7fffffff },
  { env: "MAX_CONNECTION_AGE_MS", key: "maxConnectionAgeMs", min: 1, max: 0x7fffffff },
  { env: "MAX_CONNECTION_AGE_GRACE_MS", key: "maxConnectionAgeGraceMs", min: 0, max: 0x7fffffff },
] as const;

export const DEFAULT_PORT = 50051;
export const DEFAULT_HOST = "0.0.0.0";
/** One default for the whole stack: the server's own (src/server/server.ts, Server.shutdown). */
export { DEFAULT_SHUTDOWN_GRACE_MS };
export const DEFAULT_MAX_BATCH_SIZE = 100_000;
export const DEFAULT_MAX_USERS = 1_000_000;

/** Every setting: environment variable, flag, meaning. docs/SERVICE.md and `--help` print this. */
export const SETTINGS = [
  { env: "PORT", flag: "--port", help: `TCP port to listen on (default ${DEFAULT_PORT}; 0 = any free port)` },
  { env: "HOST", flag: "--host", help: `address to bind (default ${DEFAULT_HOST})` },
  { env: "TLS_CERT", flag: "--tls-cert", help: "PEM certificate chain file; with TLS_KEY switches to TLS" },
  { env: "TLS_KEY", flag: "--tls-key", help: "PEM private key file" },
  { env: "TLS_CLIENT_CA", flag: "--tls-client-ca", help: "PEM CA file; clients must present a certificate it signed (mTLS)" },
  { env: "AUTH_TOKENS", flag: undefined, help: "token=role,… (roles admin, moderator, user); unset = one random admin token, printed at start" },
  { env: "LOG_LEVEL", flag: "--log-level", help: "debug | info | warn | error | silent (default info)" },
  { env: "SHUTDOWN_GRACE_MS", flag: "--shutdown-grace-ms", help: `how long calls in flight may run after SIGTERM/SIGINT (default ${DEFAULT_SHUTDOWN_GRACE_MS})` },
  { env: "MAX_BATCH_SIZE", flag: "--max-batch-size", help: `most items in one BatchCreateUsers call (default ${DEFAULT_MAX_BATCH_SIZE})` },
  { env: "MAX_USERS", flag: "--max-users", help: `most users stored; a create beyond it is RESOURCE_EXHAUSTED (default ${DEFAULT_MAX_USERS})` },
  { env: "GRPC_WIRE_TRACE", flag: "--trace", help: "1 = print each call's frames and decoded messages on stderr (the flag takes no value)" },
  { env: "MAX_CONCURRENT_STREAMS", flag: "--max-concurrent-streams", help: "streams (and running handlers) per connection, advertised in SETTINGS (default 100)" },
  { env: "MAX_CONNECTIONS", flag: "--max-connections", help: "open connections; more are closed at accept (default 90% of the open-file limit, at most 10000)" },
  { env: "HANDSHAKE_TIMEOUT_MS", flag: "--handshake-timeout-ms", help: "a connection must finish TLS and send the HTTP/2 preface within this (default 20000)" },
  { env: "MAX_CONNECTION_IDLE_MS", flag: "--max-connection-idle-ms", help: "close a connection with no call for this long (default: never)" },
  { env: "MAX_CONNECTION_AGE_MS", flag: "--max-connection-age-ms", help: "drain a connection (GOAWAY) after this long, ±10% (default: never)" },
  { env: "MAX_CONNECTION_AGE_GRACE_MS", flag: "--max-connection-age-grace-ms", help: "then calls still open get this long before UNAVAILABLE (default: unlimited)" },
  { env: "DATABASE_URL", flag: "--database-url", help: "postgres://user:password@host:port/db = keep users in PostgreSQL (docs/SCALING.md); unset = in memory" },
  { env: "WIRE_VIEWER", flag: "--viewer", help: "1 = serve a live web page of every call's frames and messages (the flag takes no value)" },
  { env: "WIRE_VIEWER_PORT", flag: "--viewer-port", help: "port of the viewer's page (default 8090; 0 = any free port)" },
  { env: "WIRE_VIEWER_HOST", flag: "--viewer-host", help: "address the viewer's page binds (default 127.0.0.1)" },
] as const;

export type LoadedConfig =
  | { readonly ok: true; readonly config: ServiceConfig }
  | { readonly ok: false; readonly error: string }
  | { readonly ok: false; readonly help: string };

export function usage(): string {
  const lines = ["usage: npm start -- [flags]   (every flag has an environment variable)", ""];
  for (const s of SETTINGS) lines.push(`  ${(s.flag ?? "(env only)").padEnd(22)} ${s.env.padEnd(18)} ${s.help}`);
  return lines.join("\n");
}

function parseInteger(name: string, text: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(text.trim())) return `${name} must be a whole number, got "${text}"`;
  const n = Number(text.trim());
  if (n < min || n > max) return `${name} must be between ${min} and ${max}, got ${n}`;
  return n;
}

/** Flags that take no value: a bare `--trace` means 1; `--trace=0` still turns it off. */
const SWITCHES: ReadonlySet<string> = new Set(["--trace", "--viewer"]);

/** node:util parseArgs options for every flag in SETTINGS, plus `--help`/`-h`. */
const FLAG_OPTIONS: ParseArgsConfig["options"] = Object.fromEntries([
  ["help", { type: "boolean", short: "h" }],
  ...SETTINGS.flatMap((s) => (s.flag === undefined ? [] : [[s.flag.slice(2), { type: SWITCHES.has(s.flag) ? "boolean" : "string" }]])),
]);

/** `argv` as setting name → text, with the set of names given as flags; or the message for a bad argument. */
function readFlags(argv: readonly string[]): { values: Map<string, string> } | { help: true } | { error: string } {
  // strict: false so we word the errors ourselves ("unknown argument", "needs a value") and accept
  // `--trace=0`; the tokens say exactly what was written.
  const { tokens } = parseArgs({ args: [...argv], options: FLAG_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === "option-terminator") return { error: `unknown argument "--" (try --help)` };
    if (token.kind === "positional") return { error: `unknown argument "${token.value}" (try --help)` };
    if (token.name === "help") return { help: true };
    const arg = argv[token.index];
    const setting = SETTINGS.find((s) => s.flag === token.rawName);
    if (setting === undefined) return { error: `unknown argument "${arg}" (try --help)` };
    if (token.value !== undefined) values.set(setting.env, token.value);
    else if (SWITCHES.has(token.rawName)) values.set(setting.env, "1");
    else return { error: `${token.rawName} needs a value` };
  }
  return { values };
}

/** Reads `env`, then `argv` flags (`--port 1234` or `--port=1234`) on top. */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): LoadedConfig {
  const values = new Map<string, string>();
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== "") values.set(s.env, v);
  }
  const flags = readFlags(argv);
  if ("help" in flags) return { ok: false, help: usage() };
  if ("error" in flags) return { ok: false, error: flags.error };
  /** Settings given as a flag: their errors name the flag, not the variable. */
  const viaFlag = new Set(flags.values.keys());
  for (const [k, v] of flags.values) values.set(k, v);

  const name = (env: string): string => (viaFlag.has(env) ? (SETTINGS.find((s) => s.env === env)?.flag ?? env) : env);
  const port = parseInteger(name("PORT"), values.get("PORT") ?? String(DEFAULT_PORT), 0, 65535);
  if (typeof port === "string") return { ok: false, error: port };
  const grace = parseInteger(name("SHUTDOWN_GRACE_MS"), values.get("SHUTDOWN_GRACE_MS") ?? String(DEFAULT_SHUTDOWN_GRACE_MS), 0, 3_600_000);
  if (typeof grace === "string") return { ok: false, error: grace };
  const maxBatch = parseInteger(name("MAX_BATCH_SIZE"), values.get("MAX_BATCH_SIZE") ?? String(DEFAULT_MAX_BATCH_SIZE), 1, 10_000_000);
  if (typeof maxBatch === "string") return { ok: false, error: maxBatch };
  const maxUsers = parseInteger("MAX_USERS", values.get("MAX_USERS") ?? String(DEFAULT_MAX_USERS), 1, 1_000_000_000);
  if (typeof maxUsers === "string") return { ok: false, error: maxUsers };
  const level = (values.get("LOG_LEVEL") ?? "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    return { ok: false, error: `${name("LOG_LEVEL")} must be one of ${LOG_LEVELS.join(", ")}, got "${level}"` };
  }

  const traceValue = values.get("GRPC_WIRE_TRACE") ?? "0";
  if (!["0", "1", "true", "false"].includes(traceValue)) return { ok: false, error: `${name("GRPC_WIRE_TRACE")} must be 1 or 0, got "${traceValue}"` };
  const trace = traceValue === "1" || traceValue === "true";
  const viewerValue = values.get("WIRE_VIEWER") ?? "0";
  if (!["0", "1", "true", "false"].includes(viewerValue)) return { ok: false, error: `WIRE_VIEWER must be 1 or 0, got "${viewerValue}"` };
  const viewerPort = parseInteger("WIRE_VIEWER_PORT", values.get("WIRE_VIEWER_PORT") ?? "8090", 0, 65535);
  if (typeof viewerPort === "string") return { ok: false, error: viewerPort };
  const viewer = viewerValue === "1" || viewerValue === "true" ? { port: viewerPort, host: values.get("WIRE_VIEWER_HOST") ?? "127.0.0.1" } : undefined;

  const databaseUrl = values.get("DATABASE_URL");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return { ok: false, error: `DATABASE_URL must be a postgres:// or postgresql:// URL, got "${databaseUrl.replace(/:[^:@/]*@/, ":***@")}"` };
  }

  const cert = values.get("TLS_CERT");
  const key = values.get("TLS_KEY");
  const ca = values.get("TLS_CLIENT_CA");
  if ((cert === undefined) !== (key === undefined)) return { ok: false, error: "TLS_CERT and TLS_KEY go together: set both or neither" };
  if (ca !== undefined && cert === undefined) return { ok: false, error: "TLS_CLIENT_CA (mutual TLS) needs TLS_CERT and TLS_KEY too" };
  let tls: TlsFiles | undefined;
  if (cert !== undefined && key !== undefined) tls = ca === undefined ? { certFile: cert, keyFile: key } : { certFile: cert, keyFile: key, clientCaFile: ca };

  const limits: Record<string, number> = {};
  for (const l of LIMIT_SETTINGS) {
    const v = values.get(l.env);
    if (v === undefined) continue;
    const n = parseInteger(l.env, v, l.min, l.max);
    if (typeof n === "string") return { ok: false, error: n };
    limits[l.key] = n;
  }

  const config: ServiceConfig = {
    port,
    host: values.get("HOST") ?? DEFAULT_HOST,
    ...(tls === undefined ? {} : { tls }),
    ...(values.has("AUTH_TOKENS") ? { authTokens: values.get("AUTH_TOKENS") } : {}),
    logLevel: level as LogLevel,
    shutdownGraceMs: grace,
    maxBatchSize: maxBatch,
    maxUsers,
    ...(trace ? { trace: true } : {}),
    ...(Object.keys(limits).length > 0 ? { limits: limits as TransportLimits } : {}),
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...(viewer === undefined ? {} : { viewer }),
  };
  return { ok: true, config };
}
