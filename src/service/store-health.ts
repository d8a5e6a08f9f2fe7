// Ties the service's health (grpc.health.v1, doc/health-checking.md) to its database: a small poller
// pings the store and reports NOT_SERVING while it cannot be reached, SERVING again once it can, so
// health-checking clients (gRFC A17) send calls elsewhere until the database is back.

import { ServingStatus, type HealthService } from "./health.js";
import type { Logger } from "./logger.js";

/** A store that can tell whether its backend answers (PostgresUserStore). */
export interface PingableStore {
  ping(): Promise<void>;
}

export function isPingable(store: object): store is PingableStore {
  return typeof (store as Partial<PingableStore>).ping === "function";
}

export interface StoreHealthOptions {
  /** Between two pings (default 1000 ms). */
  readonly intervalMs?: number;
  /** The services whose status follows the store (the user service and "" for the whole server). */
  readonly services: readonly string[];
}

export const DEFAULT_STORE_HEALTH_INTERVAL_MS = 1_000;

/** Starts polling; returns the function that stops it. */
export function watchStoreHealth(store: PingableStore, health: HealthService, logger: Logger, options: StoreHealthOptions): () => void {
  const interval = options.intervalMs ?? DEFAULT_STORE_HEALTH_INTERVAL_MS;
  let serving = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const set = (ok: boolean, error?: unknown): void => {
    if (ok === serving) return;
    serving = ok;
    const status = ok ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    for (const s of options.services) health.setStatus(s, status);
    if (ok) logger.log("info", "database reachable again: SERVING");
    else logger.log("warn", "database unreachable: NOT_SERVING", { error: error instanceof Error ? error.message : String(error) });
  };
  const tick = (): void => {
    store.ping().then(
      () => set(true),
      (err: unknown) => set(false, err),
    ).finally(() => {
      if (!stopped) timer = setTimeout(tick, interval).unref();
    });
  };
  timer = setTimeout(tick, interval).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
