// What only the in-memory store does: its multi-version log and tombstone compaction. The contract
// every store keeps is tested in user-store.test.ts.

import { describe, expect, it } from "vitest";
import { MemoryUserStore } from "../../src/store/memory-store.js";
import type { NewUser, UserRecord } from "../../src/store/user-store.js";

const nu = (name: string, role = 1): NewUser => ({ username: name, email: `${name}@example.com`, fullName: name.toUpperCase(), role });

async function drain(it: AsyncIterable<UserRecord>): Promise<UserRecord[]> {
  const out: UserRecord[] = [];
  for await (const u of it) out.push(u);
  return out;
}

describe("MemoryUserStore", () => {
  it("releases a snapshot abandoned by break, and compacts tombstones when none is open", async () => {
    const s = new MemoryUserStore();
    const users = await s.createMany(Array.from({ length: 3000 }, (_, i) => nu(`user${i}`)));
    for await (const _u of s.list()) break;
    expect(s.stats().openSnapshots).toBe(0);
    const held = s.list();
    for (let i = 0; i < 2000; i++) await s.delete(users[i].id);
    expect(s.stats().logLength).toBe(3000); // a snapshot is open: no compaction
    expect((await drain(held)).length).toBe(3000);
    expect(s.stats()).toEqual({ users: 1000, logLength: 1000, tombstones: 0, openSnapshots: 0 });
    expect((await drain(s.list()))[0].username).toBe("user2000");
    expect(s.checkInvariants()).toEqual([]);
  });
});
