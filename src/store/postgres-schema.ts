// The PostgreSQL store's schema as ordered, versioned migrations, applied at start (schema_migrations
// records which ran). A replica never runs a migration twice: an advisory lock serializes replicas
// starting together, and each migration commits with its schema_migrations row in one transaction.

import type pg from "pg";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Append only: a released migration is never edited, a change is a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "users",
    sql: `
      CREATE TABLE users (
        -- Creation order, the order of ListUsers and its keyset.
        seq        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        id         text PRIMARY KEY,
        username   text NOT NULL,
        email      text NOT NULL,
        full_name  text NOT NULL,
        role       integer NOT NULL CHECK (role <> 0),
        -- ms since the Unix epoch, as in user.User.
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL CHECK (updated_at >= created_at),
        -- Bumped by every update: the optimistic-concurrency check (postgres-store.ts update()).
        version    bigint NOT NULL DEFAULT 1
      );
      -- Unique ignoring case (user-store.ts usernameKey/emailKey); the names are what the store maps
      -- a unique violation back to a field with.
      CREATE UNIQUE INDEX users_username_key ON users (lower(username));
      CREATE UNIQUE INDEX users_email_key ON users (lower(email));
      -- ListUsers with a role filter walks creation order within the role.
      CREATE INDEX users_role_seq ON users (role, seq);
    `,
  },
];

/** Any constant: the advisory lock key of "migrating the user store". */
const MIGRATION_LOCK = 0x75736572; // "user"

/** Brings the database up to the newest migration; returns the version it is at. Throws when the
 *  database is at a newer version than this build knows (a newer replica migrated it). */
export async function migrate(client: pg.ClientBase): Promise<number> {
  await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const applied = await client.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    const done = new Set(applied.rows.map((r) => r.version));
    const newest = MIGRATIONS[MIGRATIONS.length - 1].version;
    const highest = applied.rows.length === 0 ? 0 : applied.rows[applied.rows.length - 1].version;
    if (highest > newest) {
      throw new Error(`the database schema is at version ${highest}, newer than this build's ${newest}: upgrade this replica`);
    }
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
    }
    return newest;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
  }
}
