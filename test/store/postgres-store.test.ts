// What only the PostgreSQL store does: versioned migrations, several stores (replicas) on one
// database without lost updates, keyset pages, and a database that goes away and comes back. The
// contract every store keeps is tested in user-store.test.ts.

import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/store/postgres-schema.js";
import type { PostgresSnapshot } from "../../src/store/postgres-snapshot.js";
import { PostgresUserStore } from "../../src/store/postgres-store.js";
import { StoreError, StoreUnavailableError, type NewUser } from "../../src/store/user-store.js";
import { postgresKind, throwawayServer } from "../support/stores.js";

const nu = (name: string, role = 1): NewUser => ({ username: name, email: `${name}@example.com`, fullName: name, role });

afterAll(() => postgresKind.teardown());

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("PostgresUserStore", () => {
  it("migrates a new database once, records the version, and refuses a newer schema", async () => {
    const server = await throwawayServer();
    const url = await server.createDatabase();
    const a = await PostgresUserStore.open({ url });
    const b = await PostgresUserStore.open({ url }); // a second replica: nothing left to do
    await a.create(nu("alice"));
    expect(await b.count()).toBe(1);
    const rows = await query<{ version: number; name: string }>(url, "SELECT version, name FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await Promise.all([a.close(), b.close()]);

    await query(url, "INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')");
    await expect(PostgresUserStore.open({ url })).rejects.toThrow(/DATABASE_URL=.*version 999, newer than this build/);
  });

  it("starts replicas on one new database at the same time without a migration running twice", async () => {
    const url = await (await throwawayServer()).createDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresUserStore.open({ url })));
    expect((await query(url, "SELECT * FROM schema_migrations")).length).toBe(MIGRATIONS.length);
    await Promise.all(stores.map((s) => s.close()));
  });

  it("loses no update when two replicas update one user at the same time (optimistic concurrency)", async () => {
    const a = (await postgresKind.fresh()).store as PostgresUserStore;
    const b = await PostgresUserStore.open({ url: await urlOf(a) });
    try {
      for (let round = 0; round < 20; round++) {
        const u = await a.create(nu(`race${round}`));
        // Four read-modify-writes of different fields, two through each replica, all at once: each
        // reads the row, then writes all of its fields back. Without the version check, a later write
        // would put back a field an earlier one had just changed.
        const results = await Promise.allSettled([
          a.update(u.id, { fullName: `name ${round}` }),
          b.update(u.id, { email: `moved${round}@example.com` }),
          a.update(u.id, { role: 3 }),
          b.update(u.id, { username: `renamed${round}` }),
        ]);
        const ok = results.filter((r) => r.status === "fulfilled").length;
        for (const r of results) {
          if (r.status === "rejected") expect((r.reason as StoreError).kind).toBe("aborted");
        }
        const final = await b.get(u.id);
        const stamps = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.updatedAt] : []));
        expect(new Set(stamps).size).toBe(ok); // strictly increasing: no two updates share a stamp
        if (ok === 4) {
          expect(final).toMatchObject({ fullName: `name ${round}`, email: `moved${round}@example.com`, role: 3, username: `renamed${round}` });
        }
        expect(final?.updatedAt).toBe(stamps.reduce((m, x) => (x > m ? x : m), 0n));
      }
    } finally {
      await b.close();
    }
  });

  it("gives up with StoreError aborted after losing the compare-and-set every time, changing nothing", async () => {
    const s = (await postgresKind.fresh()).store as PostgresUserStore;
    const u = await s.create(nu("contended"));
    // Stand-in for a writer that always gets there first: a trigger that makes every write of this
    // value match no row, exactly what the version check sees when another update won the race.
    await s.pool.query(`CREATE FUNCTION lose_race() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
    await s.pool.query(`CREATE TRIGGER lose_race BEFORE UPDATE ON users FOR EACH ROW WHEN (NEW.full_name = 'always loses') EXECUTE FUNCTION lose_race()`);
    const err = await s.update(u.id, { fullName: "always loses" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).kind).toBe("aborted");
    expect((err as StoreError).message).toMatch(/8 update attempts/);
    expect(await s.get(u.id)).toEqual(u);
    expect((await s.update(u.id, { fullName: "wins" })).fullName).toBe("wins");
  });

  it("holds one page at most and fetches the next only when the reader has taken the last", async () => {
    const s = (await postgresKind.fresh({ pageSize: 10 })).store as PostgresUserStore;
    await s.createMany(Array.from({ length: 95 }, (_, i) => nu(`p${i}`, (i % 2) + 1)));
    const before = s.stats().pagesFetched;
    const snap = s.list() as PostgresSnapshot;
    const names: string[] = [];
    for (let i = 0; i < 15; i++) {
      const u = await snap.read();
      names.push(u!.username);
      expect(snap.held).toBeLessThanOrEqual(10);
    }
    expect(s.stats().pagesFetched - before).toBe(2);
    for (;;) {
      const u = await snap.read();
      if (u === undefined) break;
      names.push(u.username);
    }
    expect(names).toEqual(Array.from({ length: 95 }, (_, i) => `p${i}`));
    expect(s.stats().pagesFetched - before).toBe(10);
    // A role filter and a limit across pages.
    const odd: string[] = [];
    for await (const u of s.list({ role: 2, limit: 23 })) odd.push(u.username);
    expect(odd).toEqual(Array.from({ length: 23 }, (_, i) => `p${2 * i + 1}`));
    expect(s.stats().openSnapshots).toBe(0);
  });

  it("fails with StoreUnavailableError while the database is down and recovers by itself", async () => {
    const server = await throwawayServer();
    const s = (await postgresKind.fresh({ connectTimeoutMs: 1_000, pageSize: 1 })).store as PostgresUserStore;
    const u = await s.create(nu("before"));
    await s.create(nu("before2"));
    const open = s.list(); // a snapshot opened before the outage, with a page still to read
    await open.read();
    server.stop("immediate");
    try {
      for (const call of [() => s.get(u.id), () => s.create(nu("during")), () => s.update(u.id, { fullName: "x" }), () => s.count(), () => s.ping()]) {
        await expect(call()).rejects.toBeInstanceOf(StoreUnavailableError);
      }
      await expect(Promise.resolve(open.read())).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(s.stats().openSnapshots).toBe(0);
    } finally {
      server.start();
    }
    await s.ping();
    expect((await s.get(u.id))?.username).toBe("before");
    await s.create(nu("after"));
    expect(await s.count()).toBe(3);
  });
});

async function urlOf(s: PostgresUserStore): Promise<string> {
  const c = await s.pool.connect();
  try {
    const r = await c.query<{ db: string; port: number }>("SELECT current_database() AS db, inet_server_port() AS port");
    return `postgres://postgres@127.0.0.1:${r.rows[0].port}/${r.rows[0].db}`;
  } finally {
    c.release();
  }
}
