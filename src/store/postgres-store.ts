// The PostgreSQL UserStore (driver: node-postgres `pg`): the guarantees of user-store.ts kept by the
// database, so that several service replicas can share one set of users.
//
// - Uniqueness: unique indexes on lower(username) and lower(email) (postgres-schema.ts); a violation
//   (SQLSTATE 23505) is mapped back to its field by the index name.
// - Batches: one INSERT … SELECT FROM unnest(…) statement, so all rows commit or none. A query first
//   finds clashes with stored users, so the error names the same position the memory store names; a
//   clash with a concurrent writer that slips between the two is caught by the index and the batch is
//   checked again.
// - Updates: optimistic concurrency. Read the row and its `version`, compute the new row, write it
//   with `WHERE version = <read>`; if another writer got there first, read again and retry, at most
//   UPDATE_ATTEMPTS times, then StoreError("aborted") (ABORTED). No update is ever lost silently.
// - updated_at: GREATEST(now, updated_at + 1) in the UPDATE itself, so it strictly increases per user
//   whatever the replicas' clocks say.
// - Timestamps come from this process's clock (like the memory store); ids are random UUIDs made here.
// - A database that cannot be reached makes calls throw StoreUnavailableError (UNAVAILABLE); the pool
//   reconnects by itself when it is back. `ping()` is what the service's health poller calls.

import { randomUuid } from "./random-uuid.js";
import pg from "pg";
import { migrate } from "./postgres-schema.js";
import { PostgresSnapshot, type SnapshotHost } from "./postgres-snapshot.js";
import { StoreError, StoreUnavailableError, emailKey, newUserRecord, usernameKey } from "./user-store.js";
import type { ListFilter, NewUser, StoreSources, UserPatch, UserRecord, UserSnapshot, UserStore } from "./user-store.js";

export interface PostgresStoreOptions extends StoreSources {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** Connections for unary calls (default 10). */
  readonly poolSize?: number;
  /** Connections for open ListUsers snapshots, a pool of their own so that slow readers never take
   *  the connections of unary calls (default 8). */
  readonly snapshotPoolSize?: number;
  /** Users per ListUsers page: the most a snapshot holds in memory (default 256). */
  readonly pageSize?: number;
  /** How long a call waits for a connection before it fails UNAVAILABLE (default 3000 ms). */
  readonly connectTimeoutMs?: number;
}

export interface PostgresStoreStats {
  readonly openSnapshots: number;
  /** ListUsers pages read since the store opened. */
  readonly pagesFetched: number;
  readonly poolTotal: number;
  readonly poolIdle: number;
  readonly poolWaiting: number;
}

/** Most tries of one update's read-compare-write before it gives up with ABORTED. */
export const UPDATE_ATTEMPTS = 8;

const COLUMNS = "id, username, email, full_name, role, created_at, updated_at";

export interface UserRow {
  id: string;
  username: string;
  email: string;
  full_name: string;
  role: number;
  created_at: string;
  updated_at: string;
}

export function recordOf(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    fullName: row.full_name,
    role: row.role,
    createdAt: BigInt(row.created_at),
    updatedAt: BigInt(row.updated_at),
  };
}

/** SQLSTATEs and socket errors that mean "the database is not there", not "the request is wrong". */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down, recovering)
  "53300", // too_many_connections
]);

/** Turns a connection-level failure into StoreUnavailableError; returns anything else as is. */
export function classify(err: unknown): unknown {
  if (err instanceof StoreError || err instanceof StoreUnavailableError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : String(err);
  if (
    UNAVAILABLE_CODES.has(code) ||
    code.startsWith("08") || // connection_exception class
    /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|connect ECONN/i.test(message)
  ) {
    return new StoreUnavailableError(code === "" ? message : `${code}: ${message}`, { cause: err });
  }
  return err;
}

function rethrow(err: unknown): never {
  throw classify(err);
}

function taken(field: "username" | "email", value: string, index?: number, inBatch = false): StoreError {
  const where = inBatch ? "earlier in this batch" : "by another user";
  return new StoreError("already_exists", `${field} "${value}" is already taken ${where}`, field, index);
}

/** The field of a unique violation, from the index that caught it; undefined for any other error. */
function clashField(err: unknown): "username" | "email" | undefined {
  const e = err as { code?: unknown; constraint?: unknown };
  if (e?.code !== "23505") return undefined;
  if (e.constraint === "users_username_key") return "username";
  if (e.constraint === "users_email_key") return "email";
  return undefined;
}

/** `url` without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

export class PostgresUserStore implements UserStore, SnapshotHost {
  readonly pool: pg.Pool;
  readonly snapshotPool: pg.Pool;
  /** One connection for ping(): a health check must not queue behind a busy call pool (that would
   *  report an overloaded replica as one without a database). */
  private readonly pingPool: pg.Pool;
  readonly pageSize: number;
  private readonly now: () => number;
  private readonly newId: () => string;
  private openSnapshots = 0;
  private pagesFetched = 0;
  /** Snapshots whose transaction has not taken its first read yet: writes wait for them (see list()). */
  private readonly opening = new Set<Promise<void>>();

  private constructor(options: PostgresStoreOptions) {
    const common = {
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    };
    this.pool = new pg.Pool({ ...common, max: options.poolSize ?? 10 });
    this.snapshotPool = new pg.Pool({ ...common, max: options.snapshotPoolSize ?? 8 });
    this.pingPool = new pg.Pool({ ...common, max: 1, query_timeout: common.connectionTimeoutMillis });
    // An idle connection dropped by the server (restart, failover) is reported here; the pool has
    // already discarded it and opens a new one on demand.
    this.pool.on("error", () => {});
    this.snapshotPool.on("error", () => {});
    this.pingPool.on("error", () => {});
    this.pageSize = options.pageSize ?? 256;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUuid;
  }

  /** Connects, migrates the schema and returns the store. Throws when the database cannot be reached
   *  or migrated (the message names the URL, without its password). */
  static async open(options: PostgresStoreOptions): Promise<PostgresUserStore> {
    const store = new PostgresUserStore(options);
    try {
      const client = await store.pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await store.close();
      const why = err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
      throw new Error(`cannot use the database at DATABASE_URL=${redactUrl(options.url)}: ${why}`, { cause: err });
    }
    return store;
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.snapshotPool.end(), this.pingPool.end()]);
  }

  /** Resolves when the database answers a trivial query; rejects with StoreUnavailableError if not. */
  async ping(): Promise<void> {
    await this.pingPool.query("SELECT 1").then(undefined, (err: unknown) => {
      const c = classify(err);
      throw c instanceof StoreUnavailableError ? c : new StoreUnavailableError(String((err as Error)?.message ?? err), { cause: err });
    });
  }

  async create(user: NewUser): Promise<UserRecord> {
    if (this.opening.size > 0) await this.snapshotsOpened();
    const ts = this.now();
    const record = newUserRecord(this.newId(), user, BigInt(ts));
    try {
      await this.pool.query({
        name: "user_create",
        text: "INSERT INTO users (id, username, email, full_name, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        values: [record.id, record.username, record.email, record.fullName, record.role, ts],
      });
    } catch (err) {
      const field = clashField(err);
      if (field !== undefined) throw taken(field, field === "username" ? user.username : user.email);
      rethrow(err);
    }
    return record;
  }

  async createMany(users: readonly NewUser[]): Promise<UserRecord[]> {
    if (this.opening.size > 0) await this.snapshotsOpened();
    if (users.length === 0) return [];
    const uKeys = users.map((u) => usernameKey(u.username));
    const eKeys = users.map((u) => emailKey(u.email));
    for (let attempt = 0; ; attempt++) {
      // 1. Clashes with stored users and within the batch, reported like the memory store reports them.
      let stored: { rows: Array<{ u: string; e: string }> };
      try {
        stored = await this.pool.query<{ u: string; e: string }>({
          name: "user_batch_clashes",
          text: "SELECT lower(username) AS u, lower(email) AS e FROM users WHERE lower(username) = ANY($1::text[]) OR lower(email) = ANY($2::text[])",
          values: [uKeys, eKeys],
        });
      } catch (err) {
        rethrow(err);
      }
      const storedU = new Set(stored.rows.map((r) => r.u));
      const storedE = new Set(stored.rows.map((r) => r.e));
      const batchU = new Set<string>();
      const batchE = new Set<string>();
      for (let i = 0; i < users.length; i++) {
        const u = users[i];
        if (storedU.has(uKeys[i])) throw taken("username", u.username, i);
        if (batchU.has(uKeys[i])) throw taken("username", u.username, i, true);
        if (storedE.has(eKeys[i])) throw taken("email", u.email, i);
        if (batchE.has(eKeys[i])) throw taken("email", u.email, i, true);
        batchU.add(uKeys[i]);
        batchE.add(eKeys[i]);
      }
      // 2. One statement, so one transaction: every row or none. One timestamp for the batch.
      const ts = this.now();
      const at = BigInt(ts);
      const out = users.map((u) => newUserRecord(this.newId(), u, at));
      try {
        await this.pool.query({
          name: "user_batch_insert",
          text: `INSERT INTO users (id, username, email, full_name, role, created_at, updated_at)
                 SELECT id, username, email, full_name, role, $6, $6
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) WITH ORDINALITY
                      AS b(id, username, email, full_name, role, ord)
                 ORDER BY ord`,
          values: [out.map((r) => r.id), out.map((r) => r.username), out.map((r) => r.email), out.map((r) => r.fullName), out.map((r) => r.role), ts],
        });
        return out;
      } catch (err) {
        // A concurrent writer took a name between the check and the insert: check again (it is
        // committed now, so step 1 reports it), a few times at most.
        if (clashField(err) === undefined || attempt >= 3) rethrow(err);
      }
    }
  }

  async get(id: string): Promise<UserRecord | undefined> {
    let res: pg.QueryResult<UserRow>;
    try {
      res = await this.pool.query<UserRow>({ name: "user_get", text: `SELECT ${COLUMNS} FROM users WHERE id = $1`, values: [id] });
    } catch (err) {
      rethrow(err);
    }
    return res.rows.length === 0 ? undefined : recordOf(res.rows[0]);
  }

  async update(id: string, patch: UserPatch): Promise<UserRecord> {
    if (this.opening.size > 0) await this.snapshotsOpened();
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      let read: pg.QueryResult<UserRow & { version: string }>;
      try {
        read = await this.pool.query<UserRow & { version: string }>({
          name: "user_get_versioned",
          text: `SELECT ${COLUMNS}, version FROM users WHERE id = $1`,
          values: [id],
        });
      } catch (err) {
        rethrow(err);
      }
      if (read.rows.length === 0) throw new StoreError("not_found", `no user with id "${id}"`, "id");
      const old = recordOf(read.rows[0]);
      const next = {
        username: patch.username ?? old.username,
        email: patch.email ?? old.email,
        fullName: patch.fullName ?? old.fullName,
        role: patch.role ?? old.role,
      };
      let written: pg.QueryResult<{ updated_at: string }>;
      try {
        written = await this.pool.query<{ updated_at: string }>({
          name: "user_update_cas",
          text: `UPDATE users SET username = $3, email = $4, full_name = $5, role = $6,
                   updated_at = GREATEST($7::bigint, updated_at + 1), version = version + 1
                 WHERE id = $1 AND version = $2
                 RETURNING updated_at`,
          values: [id, read.rows[0].version, next.username, next.email, next.fullName, next.role, this.now()],
        });
      } catch (err) {
        const field = clashField(err);
        if (field !== undefined) throw taken(field, field === "username" ? next.username : next.email);
        rethrow(err);
      }
      if (written.rows.length === 1) {
        return { id, ...next, createdAt: old.createdAt, updatedAt: BigInt(written.rows[0].updated_at) };
      }
      // Another writer changed (or deleted) the user since our read: read again.
    }
    throw new StoreError("aborted", `user "${id}" changed under ${UPDATE_ATTEMPTS} update attempts in a row; try again`, "id");
  }

  async delete(id: string): Promise<boolean> {
    if (this.opening.size > 0) await this.snapshotsOpened();
    try {
      const res = await this.pool.query({ name: "user_delete", text: "DELETE FROM users WHERE id = $1", values: [id] });
      return (res.rowCount ?? 0) > 0;
    } catch (err) {
      rethrow(err);
    }
  }

  async count(): Promise<number> {
    try {
      const res = await this.pool.query<{ n: string }>("SELECT count(*) AS n FROM users");
      return Number(res.rows[0].n);
    } catch (err) {
      rethrow(err);
    }
  }

  /**
   * A REPEATABLE READ, READ ONLY transaction on a connection of the snapshot pool, read in pages of
   * `pageSize` by keyset (`seq > last ORDER BY seq LIMIT n`): the snapshot holds one page at most,
   * and the next page is fetched only when the reader has taken the last one.
   *
   * What the snapshot sees: PostgreSQL fixes it at the transaction's first query, which runs after
   * list() returns. So that it still sees exactly what it would have seen at the list() call, writes
   * made through this store after list() wait until that first query has run (for a few ms, and only
   * while a snapshot is opening). Writes through other replicas at that moment are concurrent with
   * the list and may or may not be seen, each whole.
   */
  list(filter: ListFilter = {}): UserSnapshot {
    this.openSnapshots++;
    return new PostgresSnapshot(this, filter);
  }

  // --- SnapshotHost ---

  trackOpening(opened: Promise<void>): void {
    this.opening.add(opened);
    const done = (): void => {
      this.opening.delete(opened);
    };
    opened.then(done, done);
  }

  releaseSnapshot(): void {
    this.openSnapshots--;
  }

  pageFetched(): void {
    this.pagesFetched++;
  }

  private async snapshotsOpened(): Promise<void> {
    await Promise.allSettled([...this.opening]);
  }

  // --- for tests and operators ---

  stats(): PostgresStoreStats {
    return {
      openSnapshots: this.openSnapshots,
      pagesFetched: this.pagesFetched,
      poolTotal: this.pool.totalCount + this.snapshotPool.totalCount,
      poolIdle: this.pool.idleCount + this.snapshotPool.idleCount,
      poolWaiting: this.pool.waitingCount + this.snapshotPool.waitingCount,
    };
  }

  /** What the database's constraints do not check by themselves; empty when consistent. */
  async checkInvariants(): Promise<string[]> {
    const res = await this.pool.query<{ problem: string }>(`
      SELECT 'duplicate username ' || lower(username) AS problem FROM users GROUP BY lower(username) HAVING count(*) > 1
      UNION ALL
      SELECT 'duplicate email ' || lower(email) FROM users GROUP BY lower(email) HAVING count(*) > 1
      UNION ALL
      SELECT id || ': updatedAt before createdAt' FROM users WHERE updated_at < created_at`);
    return res.rows.map((r) => r.problem);
  }
}
