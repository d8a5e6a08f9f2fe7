// The stores the contract tests run against: the in-memory store and the PostgreSQL store on a
// throwaway server (scripts/throwaway-postgres.ts), one server per test file, one database per store.
// Use: describe.each(STORE_KINDS)("$name", (kind) => { afterAll(() => kind.teardown()); … kind.fresh() … })

import { startThrowawayPostgres, type ThrowawayPostgres } from "../../scripts/throwaway-postgres.js";
import { MemoryUserStore } from "../../src/store/memory-store.js";
import { PostgresUserStore } from "../../src/store/postgres-store.js";
import type { UserStore } from "../../src/store/user-store.js";

export interface StoreUnderTest<S extends UserStore = UserStore> {
  readonly store: S;
  /** Index/constraint problems found (empty when consistent). */
  invariants(): Promise<string[]>;
  /** Snapshots not yet released. */
  openSnapshots(): number;
}

export interface FreshOptions {
  readonly connectTimeoutMs?: number;
  readonly now?: () => number;
  readonly newId?: () => string;
  readonly pageSize?: number;
  /** An emptied store that may be the one handed out by the last `reuse` call (property tests make
   *  hundreds; a new database each time would dominate their run time). */
  readonly reuse?: boolean;
}

export interface StoreKind {
  readonly name: "memory" | "postgres";
  fresh(options?: FreshOptions): Promise<StoreUnderTest>;
  /** Closes every store made and stops the server, if any. */
  teardown(): Promise<void>;
}

export const memoryKind: StoreKind = {
  name: "memory",
  async fresh(options = {}) {
    const store = new MemoryUserStore(options);
    return { store, invariants: async () => store.checkInvariants(), openSnapshots: () => store.stats().openSnapshots };
  },
  async teardown() {},
};

let server: ThrowawayPostgres | undefined;
let reusable: PostgresUserStore | undefined;
let starting: Promise<ThrowawayPostgres> | undefined;
const opened: PostgresUserStore[] = [];

/** This test file's throwaway PostgreSQL (started on first use). */
export async function throwawayServer(): Promise<ThrowawayPostgres> {
  starting ??= startThrowawayPostgres().then((s) => (server = s));
  return starting;
}

/** A PostgresUserStore on a new database of this file's server. */
export async function freshPostgresStore(options: FreshOptions & { poolSize?: number } = {}): Promise<PostgresUserStore> {
  const url = await (await throwawayServer()).createDatabase();
  const store = await PostgresUserStore.open({ url, ...options });
  opened.push(store);
  return store;
}

export const postgresKind: StoreKind = {
  name: "postgres",
  async fresh({ reuse = false, ...options } = {}) {
    let store: PostgresUserStore;
    if (reuse && reusable !== undefined) {
      store = reusable;
      await store.pool.query("TRUNCATE users RESTART IDENTITY");
    } else {
      store = await freshPostgresStore(options);
      if (reuse) reusable = store;
    }
    return { store, invariants: () => store.checkInvariants(), openSnapshots: () => store.stats().openSnapshots };
  },
  async teardown() {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    reusable = undefined;
    server?.destroy();
    server = undefined;
    starting = undefined;
  },
};

export const STORE_KINDS: readonly StoreKind[] = [memoryKind, postgresKind];
