// Implements the parts of gRPC's service config we support (https://github.com/grpc/grpc/blob/master/doc/service_config.md): loadBalancingConfig (pick_first, round_robin), methodConfig (name, timeout, waitForReady, retryPolicy per gRFC A6) and healthCheckConfig (gRFC A17).
import { Status, type StatusCode } from "../wire/status.js";

/** gRFC A6 retryPolicy, with durations in ms and codes as numbers. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  readonly retryableStatusCodes: readonly StatusCode[];
}

/** One methodConfig entry after validation. */
export interface MethodConfig {
  readonly timeoutMs?: number;
  readonly waitForReady?: boolean;
  readonly retryPolicy?: RetryPolicy;
}

export type LoadBalancingPolicy = "pick_first" | "round_robin";

/** A validated service config. */
export interface ServiceConfig {
  readonly loadBalancingPolicy: LoadBalancingPolicy;
  readonly healthCheckServiceName: string | undefined;
  /** "service/method", "service/" or "" (the default) → config. */
  readonly methods: ReadonlyMap<string, MethodConfig>;
}

/** The JSON shape (service_config.md, with the proto3 JSON names). */
export interface ServiceConfigJson {
  loadBalancingConfig?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  loadBalancingPolicy?: string;
  methodConfig?: ReadonlyArray<{
    name?: ReadonlyArray<{ service?: string; method?: string }>;
    timeout?: string;
    waitForReady?: boolean;
    retryPolicy?: {
      maxAttempts?: number;
      initialBackoff?: string;
      maxBackoff?: string;
      backoffMultiplier?: number;
      retryableStatusCodes?: ReadonlyArray<string | number>;
    };
  }>;
  healthCheckConfig?: { serviceName?: string };
}

/** gRFC A6: "maxAttempts ... values greater than 5 are treated as 5". */
export const MAX_RETRY_ATTEMPTS = 5;

export const DEFAULT_SERVICE_CONFIG: ServiceConfig = { loadBalancingPolicy: "pick_first", healthCheckServiceName: undefined, methods: new Map() };

class ConfigError extends TypeError {}

function fail(path: string, what: string): never {
  throw new ConfigError(`service config: ${path} ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A protobuf JSON Duration ("1.5s", "0.100s") in ms. */
function duration(v: unknown, path: string): number {
  if (typeof v !== "string" || !/^\d+(\.\d{1,9})?s$/.test(v)) fail(path, `must be a duration such as "1.5s" (got ${JSON.stringify(v)})`);
  return Number(v.slice(0, -1)) * 1000;
}

function statusCode(v: unknown, path: string): StatusCode {
  if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 16) return v as StatusCode;
  if (typeof v === "string" && v in Status && v !== "OK") return Status[v as keyof typeof Status];
  return fail(path, `is not a non-OK status code name such as "UNAVAILABLE" (got ${JSON.stringify(v)})`);
}

function retryPolicy(v: unknown, path: string): RetryPolicy {
  if (!isObject(v)) fail(path, "must be an object");
  const max = v.maxAttempts;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 2) fail(`${path}.maxAttempts`, `must be an integer > 1 (got ${JSON.stringify(max)})`);
  const initialBackoffMs = duration(v.initialBackoff, `${path}.initialBackoff`);
  const maxBackoffMs = duration(v.maxBackoff, `${path}.maxBackoff`);
  if (initialBackoffMs <= 0) fail(`${path}.initialBackoff`, "must be > 0");
  if (maxBackoffMs <= 0) fail(`${path}.maxBackoff`, "must be > 0");
  const mult = v.backoffMultiplier;
  if (typeof mult !== "number" || !(mult > 0)) fail(`${path}.backoffMultiplier`, `must be a number > 0 (got ${JSON.stringify(mult)})`);
  const codes = v.retryableStatusCodes;
  if (!Array.isArray(codes) || codes.length === 0) fail(`${path}.retryableStatusCodes`, "must be a non-empty array");
  return {
    maxAttempts: Math.min(max, MAX_RETRY_ATTEMPTS),
    initialBackoffMs,
    maxBackoffMs,
    backoffMultiplier: mult,
    retryableStatusCodes: codes.map((c, i) => statusCode(c, `${path}.retryableStatusCodes[${i}]`)),
  };
}

function lbPolicy(json: Record<string, unknown>): LoadBalancingPolicy {
  const list = json.loadBalancingConfig;
  if (list !== undefined) {
    if (!Array.isArray(list)) fail("loadBalancingConfig", "must be an array");
    const names: string[] = [];
    for (const [i, entry] of list.entries()) {
      if (!isObject(entry) || Object.keys(entry).length !== 1) fail(`loadBalancingConfig[${i}]`, 'must be an object with exactly one policy, e.g. {"round_robin": {}}');
      const name = Object.keys(entry)[0] as string;
      if (!isObject(entry[name])) fail(`loadBalancingConfig[${i}].${name}`, "must be an object");
      // service_config.md: the first policy the client supports wins.
      if (name === "pick_first" || name === "round_robin") return name;
      names.push(name);
    }
    fail("loadBalancingConfig", `names no supported policy (got ${names.join(", ") || "none"}; supported: pick_first, round_robin)`);
  }
  const legacy = json.loadBalancingPolicy;
  if (legacy === undefined) return "pick_first";
  if (legacy === "pick_first" || legacy === "round_robin") return legacy;
  return fail("loadBalancingPolicy", `must be "pick_first" or "round_robin" (got ${JSON.stringify(legacy)})`);
}

/**
 * Validates a service config (a JSON string or the parsed object). Throws a TypeError naming the
 * offending field. Unknown top-level fields are ignored, as gRPC clients do.
 */
export function parseServiceConfig(input: string | ServiceConfigJson): ServiceConfig {
  let json: unknown = input;
  if (typeof input === "string") {
    try {
      json = JSON.parse(input);
    } catch (err) {
      throw new ConfigError(`service config: not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(json)) fail("", "must be a JSON object");
  const loadBalancingPolicy = lbPolicy(json);
  let healthCheckServiceName: string | undefined;
  if (json.healthCheckConfig !== undefined) {
    const h = json.healthCheckConfig;
    if (!isObject(h) || typeof h.serviceName !== "string") fail("healthCheckConfig.serviceName", 'must be a string ("" for the whole server)');
    healthCheckServiceName = h.serviceName;
  }
  const methods = new Map<string, MethodConfig>();
  const mcs = json.methodConfig ?? [];
  if (!Array.isArray(mcs)) fail("methodConfig", "must be an array");
  for (const [i, mc] of mcs.entries()) {
    const p = `methodConfig[${i}]`;
    if (!isObject(mc)) fail(p, "must be an object");
    const cfg: { timeoutMs?: number; waitForReady?: boolean; retryPolicy?: RetryPolicy } = {};
    if (mc.timeout !== undefined) cfg.timeoutMs = duration(mc.timeout, `${p}.timeout`);
    if (mc.waitForReady !== undefined) {
      if (typeof mc.waitForReady !== "boolean") fail(`${p}.waitForReady`, "must be a boolean");
      cfg.waitForReady = mc.waitForReady;
    }
    if (mc.retryPolicy !== undefined) cfg.retryPolicy = retryPolicy(mc.retryPolicy, `${p}.retryPolicy`);
    const names = mc.name;
    if (!Array.isArray(names) || names.length === 0) fail(`${p}.name`, 'must be a non-empty array of {"service", "method"}');
    for (const [j, n] of names.entries()) {
      if (!isObject(n)) fail(`${p}.name[${j}]`, "must be an object");
      const service = n.service ?? "";
      const method = n.method ?? "";
      if (typeof service !== "string" || typeof method !== "string") fail(`${p}.name[${j}]`, "service and method must be strings");
      if (service === "" && method !== "") fail(`${p}.name[${j}]`, "names a method without a service");
      const key = service === "" ? "" : `${service}/${method}`;
      if (methods.has(key)) fail(`${p}.name[${j}]`, `duplicates an earlier name (${key === "" ? "the default" : key})`);
      methods.set(key, cfg);
    }
  }
  return { loadBalancingPolicy, healthCheckServiceName, methods };
}

/** The method config for a `:path` ("/pkg.Service/Method"): exact method, then the service, then the default. */
export function methodConfigFor(config: ServiceConfig, path: string): MethodConfig | undefined {
  const m = config.methods;
  if (m.size === 0) return undefined;
  const slash = path.lastIndexOf("/");
  return m.get(path.slice(1)) ?? m.get(path.slice(1, slash + 1)) ?? m.get("");
}
