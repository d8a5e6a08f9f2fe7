// Every UserStore (memory, PostgreSQL) against a plain reference model, on random operation
// sequences (fast-check).

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { StoreError, type NewUser, type UserSnapshot } from "../../src/store/user-store.js";
import { STORE_KINDS } from "../support/stores.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

interface ModelUser {
  id: string;
  username: string;
  email: string;
  role: number;
}

// Tiny name spaces so clashes (including case-only ones) are frequent.
const name = fc.constantFrom("ann", "Ann", "bob", "BOB", "cy", "dee");
const email = fc.constantFrom("a@x.io", "A@X.io", "b@x.io", "c@x.io", "d@x.io");
const newUser = fc.record({ username: name, email, role: fc.constantFrom(1, 2, 3) });

const op = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), user: newUser }),
  fc.record({ kind: fc.constant("batch" as const), users: fc.array(newUser, { maxLength: 4 }) }),
  fc.record({ kind: fc.constant("update" as const), pick: fc.nat(), patch: fc.record({ username: name, email }, { requiredKeys: [] }) }),
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("snapshot" as const) }),
);

const lower = (s: string) => s.toLowerCase();

describe.each(STORE_KINDS)("UserStore vs a reference model: $name", (kind) => {
  afterAll(() => kind.teardown());

  it("agrees on every outcome and on the final listing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const t = await kind.fresh({ reuse: true });
        const store = t.store;
        let model: ModelUser[] = [];
        const taken = (u: { username: string; email: string }, except?: string) =>
          model.some((m) => m.id !== except && (lower(m.username) === lower(u.username) || lower(m.email) === lower(u.email)));
        const snapshots: Array<{ snap: UserSnapshot; expected: ModelUser[] }> = [];
        for (const o of ops) {
          if (o.kind === "create") {
            const want = !taken(o.user);
            const got = await store.create({ ...o.user, fullName: "" }).then(
              (u) => model.push({ id: u.id, ...o.user }),
              (e: unknown) => {
                expect(e).toBeInstanceOf(StoreError);
                return -1;
              },
            );
            expect(got !== -1).toBe(want);
          } else if (o.kind === "batch") {
            let want = true;
            const seen: NewUser[] = [];
            for (const u of o.users) {
              if (taken(u) || seen.some((s) => lower(s.username) === lower(u.username) || lower(s.email) === lower(u.email))) want = false;
              seen.push({ ...u, fullName: "" });
            }
            const got = await store.createMany(seen).then(
              (us) => us.forEach((u, i) => model.push({ id: u.id, ...o.users[i] })),
              () => "failed",
            );
            expect(got !== "failed").toBe(want);
          } else if (o.kind === "update" && model.length > 0) {
            const target = model[o.pick % model.length];
            const next = { ...target, ...o.patch };
            const want = !taken(next, target.id);
            const got = await store.update(target.id, o.patch).then(
              () => true,
              () => false,
            );
            expect(got).toBe(want);
            if (want) model = model.map((m) => (m.id === target.id ? next : m));
          } else if (o.kind === "delete" && model.length > 0) {
            const target = model[o.pick % model.length];
            expect(await store.delete(target.id)).toBe(true);
            model = model.filter((m) => m.id !== target.id);
          } else if (o.kind === "snapshot") {
            snapshots.push({ snap: store.list(), expected: model.map((m) => ({ ...m })) });
          }
          expect(await t.invariants()).toEqual([]);
        }
        for (const { snap, expected } of snapshots) {
          const got: ModelUser[] = [];
          for await (const u of snap) got.push({ id: u.id, username: u.username, email: u.email, role: u.role });
          expect(got).toEqual(expected);
        }
        const final: ModelUser[] = [];
        for await (const u of store.list()) final.push({ id: u.id, username: u.username, email: u.email, role: u.role });
        expect(final).toEqual(model);
        expect(t.openSnapshots()).toBe(0);
      }),
      // A database round trip per operation: fewer runs there.
      { numRuns: kind.name === "memory" ? 300 : 60, seed: FUZZ_SEED },
    );
  });
});
