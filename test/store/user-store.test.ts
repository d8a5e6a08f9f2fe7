// The UserStore contract (src/store/user-store.ts), run against every store: memory and PostgreSQL.

import { afterAll, describe, expect, it } from "vitest";
import { StoreError, type NewUser, type UserRecord } from "../../src/store/user-store.js";
import { rejection } from "../support/outcomes.js";
import { STORE_KINDS } from "../support/stores.js";

const nu = (name: string, role = 1): NewUser => ({ username: name, email: `${name}@example.com`, fullName: name.toUpperCase(), role });

async function drain(it: AsyncIterable<UserRecord>): Promise<UserRecord[]> {
  const out: UserRecord[] = [];
  for await (const u of it) out.push(u);
  return out;
}

/** The StoreError `p` rejects with. */
const storeRejection = (p: Promise<unknown>): Promise<StoreError> => rejection(p, StoreError);

describe.each(STORE_KINDS)("UserStore contract: $name", (kind) => {
  afterAll(() => kind.teardown());

  it("creates with a new id and createdAt === updatedAt, and gets it back", async () => {
    const t = await kind.fresh({ now: () => 1_700_000_000_000 });
    const s = t.store;
    const u = await s.create(nu("alice"));
    expect(u.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(u.createdAt).toBe(1_700_000_000_000n);
    expect(u.updatedAt).toBe(u.createdAt);
    expect(await s.get(u.id)).toEqual(u);
    expect(await s.get("nope")).toBeUndefined();
    expect(await s.count()).toBe(1);
  });

  it("keeps usernames and emails unique, ignoring case", async () => {
    const t = await kind.fresh();
    const s = t.store;
    await s.create(nu("alice"));
    const e1 = await storeRejection(s.create({ ...nu("ALICE"), email: "other@example.com" }));
    expect(e1.kind).toBe("already_exists");
    expect(e1.field).toBe("username");
    const e2 = await storeRejection(s.create({ ...nu("bob"), email: "Alice@Example.COM" }));
    expect(e2.field).toBe("email");
    expect(await s.count()).toBe(1);
    expect(await t.invariants()).toEqual([]);
  });

  it("commits a batch all or nothing and names the position of a clash", async () => {
    const t = await kind.fresh();
    const s = t.store;
    await s.create(nu("taken"));
    const e = await storeRejection(s.createMany([nu("a1x"), nu("b2x"), nu("taken")]));
    expect(e.index).toBe(2);
    expect(await s.count()).toBe(1);
    const e2 = await storeRejection(s.createMany([nu("c3x"), { ...nu("d4x"), email: "C3X@example.com" }]));
    expect(e2.index).toBe(1);
    expect(e2.field).toBe("email");
    expect(e2.message).toContain("earlier in this batch");
    expect(await s.count()).toBe(1);
    const ok = await s.createMany([nu("e5x"), nu("f6x")]);
    expect(ok.map((u) => u.username)).toEqual(["e5x", "f6x"]);
    expect(await s.count()).toBe(3);
    expect(await t.invariants()).toEqual([]);
  });

  it("moves updatedAt strictly forward even when the clock stands still or goes back", async () => {
    let clock = 5_000;
    const t = await kind.fresh({ now: () => clock });
    const s = t.store;
    const u = await s.create(nu("alice"));
    const a = await s.update(u.id, { fullName: "A" });
    const b = await s.update(u.id, { fullName: "B" });
    clock = 4_000;
    const c = await s.update(u.id, { fullName: "C" });
    expect(a.updatedAt).toBe(5_001n);
    expect(b.updatedAt).toBe(5_002n);
    expect(c.updatedAt).toBe(5_003n);
    expect(c.createdAt).toBe(5_000n);
    clock = 9_000;
    expect((await s.update(u.id, { role: 2 })).updatedAt).toBe(9_000n);
  });

  it("updates the unique indexes on rename and refuses clashes without changing anything", async () => {
    const t = await kind.fresh();
    const s = t.store;
    const a = await s.create(nu("alice"));
    await s.create(nu("bob"));
    await s.update(a.id, { username: "Alicia", email: "alicia@example.com" });
    await s.create(nu("alice")); // the old name and email are free again
    const e = await storeRejection(s.update(a.id, { username: "BOB" }));
    expect(e.field).toBe("username");
    expect((await s.get(a.id))?.username).toBe("Alicia");
    await s.update(a.id, { username: "ALICIA" }); // own name in another case is fine
    const nf = await storeRejection(s.update("missing", { fullName: "x" }));
    expect(nf.kind).toBe("not_found");
    expect(await t.invariants()).toEqual([]);
  });

  it("deletes, frees the names and reports unknown ids", async () => {
    const t = await kind.fresh();
    const s = t.store;
    const a = await s.create(nu("alice"));
    expect(await s.delete(a.id)).toBe(true);
    expect(await s.delete(a.id)).toBe(false);
    expect(await s.get(a.id)).toBeUndefined();
    await s.create(nu("alice"));
    expect(await t.invariants()).toEqual([]);
  });

  it("lists in creation order with role filter and limit", async () => {
    const t = await kind.fresh();
    const s = t.store;
    for (let i = 0; i < 10; i++) await s.create(nu(`user${i}`, i % 3 === 0 ? 2 : 1));
    expect((await drain(s.list())).map((u) => u.username)).toEqual(Array.from({ length: 10 }, (_, i) => `user${i}`));
    expect((await drain(s.list({ role: 2 }))).map((u) => u.username)).toEqual(["user0", "user3", "user6", "user9"]);
    expect((await drain(s.list({ role: 2, limit: 2 }))).map((u) => u.username)).toEqual(["user0", "user3"]);
    expect((await drain(s.list({ limit: 0 }))).length).toBe(10);
    expect(t.openSnapshots()).toBe(0);
  });

  it("iterates a consistent snapshot while creates, updates and deletes happen", async () => {
    const t = await kind.fresh();
    const s = t.store;
    const users: UserRecord[] = [];
    for (let i = 0; i < 100; i++) users.push(await s.create(nu(`user${i}`)));
    const before = await drain(s.list());
    const snap = s.list();
    const seen: UserRecord[] = [];
    let n = 0;
    for await (const u of snap) {
      seen.push(u);
      // Write while the stream is open: each of these must stay invisible to the snapshot.
      if (n < 50) {
        await s.update(users[99 - n].id, { fullName: `changed ${n}`, role: 2 });
        await s.delete(users[n + 1].id);
        await s.create(nu(`late${n}`));
      }
      n++;
    }
    expect(seen).toEqual(before);
    expect(t.openSnapshots()).toBe(0);
    // A new snapshot sees the writes.
    const after = await drain(s.list());
    expect(after.length).toBe(100);
    expect(after.some((u) => u.username === "late0")).toBe(true);
    expect(after.find((u) => u.id === users[99].id)?.fullName).toBe("changed 0");
    expect(await t.invariants()).toEqual([]);
  });

  it("filters a snapshot by the role users had when it was taken", async () => {
    const t = await kind.fresh();
    const s = t.store;
    const a = await s.create(nu("alice", 2));
    await s.create(nu("bob", 1));
    const snap = s.list({ role: 2 });
    await s.update(a.id, { role: 1 });
    expect((await drain(snap)).map((u) => [u.username, u.role])).toEqual([["alice", 2]]);
  });

  it("sees a batch whole or not at all", async () => {
    const t = await kind.fresh();
    const s = t.store;
    await s.create(nu("first"));
    const snap = s.list();
    await s.createMany([nu("b1x"), nu("b2x"), nu("b3x")]);
    expect((await drain(snap)).map((u) => u.username)).toEqual(["first"]);
    expect((await drain(s.list())).length).toBe(4);
  });

  it("releases a snapshot abandoned by break, and keeps a held one whole while most users are deleted", async () => {
    const t = await kind.fresh();
    const s = t.store;
    const users = await s.createMany(Array.from({ length: 3000 }, (_, i) => nu(`user${i}`)));
    for await (const _u of s.list()) break;
    expect(t.openSnapshots()).toBe(0);
    const held = s.list();
    for (let i = 0; i < 2000; i++) await s.delete(users[i].id);
    expect((await drain(held)).length).toBe(3000);
    expect(t.openSnapshots()).toBe(0);
    expect((await drain(s.list()))[0].username).toBe("user2000");
    expect(await t.invariants()).toEqual([]);
  });

  it("keeps every index consistent under thousands of concurrent mixed operations", async () => {
    const t = await kind.fresh();
    const s = t.store;
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const ids: string[] = [];
    const ops: Promise<unknown>[] = [];
    const outcomes = { created: 0, clashes: 0, notFound: 0, deleted: 0, batches: 0 };
    const count = (p: Promise<unknown>, ok: keyof typeof outcomes) =>
      p.then(
        () => outcomes[ok]++,
        (e: unknown) => {
          if (!(e instanceof StoreError)) throw e;
          if (e.kind === "already_exists") outcomes.clashes++;
          else outcomes.notFound++;
        },
      );
    // The database store pays a round trip per operation: fewer of them, still thousands of clashes.
    const operations = kind.name === "memory" ? 5000 : 1500;
    for (let i = 0; i < operations; i++) {
      const k = rnd(100);
      const name = `u${rnd(400)}`; // a small name space: many clashes
      if (k < 35) {
        ops.push(count(s.create(nu(name)).then((u) => ids.push(u.id)), "created"));
      } else if (k < 45) {
        const batch = [nu(`b${rnd(400)}`), nu(`c${rnd(400)}`), nu(name)];
        ops.push(count(s.createMany(batch).then((us) => ids.push(...us.map((u) => u.id))), "batches"));
      } else if (k < 75 && ids.length > 0) {
        const id = ids[rnd(ids.length)];
        const patch = rnd(2) === 0 ? { username: `r${rnd(400)}` } : { email: `e${rnd(400)}@example.com` };
        ops.push(count(s.update(id, patch), "created"));
      } else if (k < 90 && ids.length > 0) {
        ops.push(s.delete(ids[rnd(ids.length)]).then((d) => (d ? outcomes.deleted++ : outcomes.notFound++)));
      } else {
        ops.push(drain(s.list({ limit: rnd(50) })).then((us) => expect(new Set(us.map((u) => u.id)).size).toBe(us.length)));
      }
      if (i % 7 === 0) await Promise.resolve(); // interleave starts and completions
      // A database answers later than a microtask: let some operations finish so ids exist to update.
      if (kind.name !== "memory" && i % 20 === 0) await ops[ops.length - 1];
    }
    await Promise.all(ops);
    expect(outcomes.clashes).toBeGreaterThan(0);
    expect(outcomes.deleted).toBeGreaterThan(0);
    expect(await t.invariants()).toEqual([]);
    const all = await drain(s.list());
    expect(all.length).toBe(await s.count());
    expect(new Set(all.map((u) => u.username.toLowerCase())).size).toBe(all.length);
    expect(new Set(all.map((u) => u.email.toLowerCase())).size).toBe(all.length);
    expect(t.openSnapshots()).toBe(0);
  });
});
