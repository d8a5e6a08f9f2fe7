// What one CreateUser costs the in-memory store as the store grows: MemoryUserStore.createSync on
// fresh strings (as a decoded request carries them: flat, their hash not yet computed), and, apart,
// the five Map operations it makes (two uniqueness checks, three index inserts). The floor keeps
// nothing, so this is the part of CreateUser's cost that no transport work can remove.
//   npx tsx bench/store-cost.ts [--batch 30000] [--sizes 1000,100000,400000]
import { parseArgs } from "node:util";
import { MemoryUserStore } from "../src/store/memory-store.js";
import type { NewUser } from "../src/store/user-store.js";

const { values } = parseArgs({ options: { batch: { type: "string", default: "30000" }, sizes: { type: "string", default: "1000,100000,400000" } } });
const batch = Number(values.batch);
const sizes = values.sizes.split(",").map(Number);

/** A new flat string with the same characters (a decoder's output, not a literal or a concatenation). */
const fresh = (s: string): string => Buffer.from(s, "latin1").toString("latin1");
const user = (i: number): NewUser => ({ username: fresh(`bench-${i}-user`), email: fresh(`bench-${i}-user@bench.example`), fullName: "Bench User", role: 1 });

function nsPer(n: number, body: () => void): number {
  const t = process.hrtime.bigint();
  body();
  return Number(process.hrtime.bigint() - t) / n;
}

for (const size of sizes) {
  const store = new MemoryUserStore();
  for (let i = 0; i < size; i++) store.createSync(user(i));
  const next = Array.from({ length: batch }, (_, k) => user(size + k));
  const create = nsPer(batch, () => {
    for (const u of next) store.createSync(u);
  });

  // The same five Map operations alone, on Maps of the same size, with no records.
  const byId = new Map<string, number>();
  const byUsername = new Map<string, number>();
  const byEmail = new Map<string, number>();
  for (let i = 0; i < size; i++) {
    const u = user(i);
    byId.set(fresh(`id-${i}`), i);
    byUsername.set(u.username, i);
    byEmail.set(u.email, i);
  }
  const keys = Array.from({ length: batch }, (_, k) => ({ ...user(size + k), id: fresh(`id-${size + k}`) }));
  const maps = nsPer(batch, () => {
    for (const k of keys) {
      if (byUsername.has(k.username) || byEmail.has(k.email)) throw new Error("taken");
      byId.set(k.id, 0);
      byUsername.set(k.username, 0);
      byEmail.set(k.email, 0);
    }
  });
  process.stdout.write(`${String(size).padStart(8)} users: createSync ${create.toFixed(0).padStart(5)} ns, its five Map operations alone ${maps.toFixed(0).padStart(5)} ns\n`);
}
