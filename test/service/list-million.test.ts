// ListUsers over a million users to a slow reader: the server pulls users from the snapshot only as
// HTTP/2 flow control lets it write them, so a paused reader holds the cursor back and memory stays
// bounded; writes made during the stream do not show up in it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryUserStore } from "../../src/store/memory-store.js";
import type { ListFilter, UserRecord, UserSnapshot } from "../../src/store/user-store.js";
import { startTestService, type TestService } from "./support.js";
import { settle } from "../support/settle.js";

const USERS = 1_000_000;

/** Counts how far ListUsers has pulled its snapshot. */
class CountingStore extends MemoryUserStore {
  reads = 0;
  override list(filter?: ListFilter): UserSnapshot {
    const inner = super.list(filter);
    const outer: UserSnapshot = {
      read: (): UserRecord | undefined => {
        this.reads++;
        return inner.read() as UserRecord | undefined;
      },
      close: () => inner.close(),
      [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator](),
    };
    return outer;
  }
}

let t: TestService;
let store: CountingStore;
let n = 0;

beforeAll(async () => {
  store = new CountingStore({ newId: () => (n++).toString(36) });
  const chunk = 100_000;
  for (let start = 0; start < USERS; start += chunk) {
    const batch = [];
    for (let i = start; i < start + chunk; i++) batch.push({ username: `u${i}`, email: `u${i}@x.io`, fullName: "", role: 1 });
    store.createManySync(batch);
  }
  t = await startTestService({}, store);
}, 120_000);

afterAll(async () => {
  await t.close();
});

/** Until the server stops pulling (blocked on flow control): 20 polls 10 ms apart unchanged. */
const settled = (read: () => number): Promise<number> => settle(read, { intervalMs: 10, unchangedPolls: 20 });

describe("ListUsers with a million users", () => {
  it("streams them all to a slow reader with bounded server-side progress and memory", async () => {
    const mem0 = process.memoryUsage();
    const stream = t.client("user").listUsers();
    let received = 0;
    let expectedId = 0;
    let outOfOrder = 0;
    let pausedReads = -1;
    let heapGrowth = 0;
    let rssGrowth = 0;
    for await (const u of stream) {
      if (u.id !== (expectedId++).toString(36)) outOfOrder++;
      received++;
      if (received === 10) {
        // The slow reader: stop reading and see how far the server got.
        pausedReads = await settled(() => store.reads);
        const mem1 = process.memoryUsage();
        heapGrowth = mem1.heapUsed - mem0.heapUsed;
        rssGrowth = mem1.rss - mem0.rss;
        // Writes during the stream: none of them may appear in it.
        store.createManySync([{ username: "late_one", email: "late@x.io", fullName: "", role: 1 }]);
        await store.delete((USERS - 1).toString(36));
        await store.update((500_000).toString(36), { fullName: "changed" });
      }
      if (received === 500_001) expect(u.fullName).toBe("");
    }
    expect(received).toBe(USERS);
    expect(outOfOrder).toBe(0);
    // Loose bounds: the point is "not the whole snapshot", whatever the window sizes are.
    expect(pausedReads).toBeGreaterThan(10);
    expect(pausedReads).toBeLessThan(USERS / 10);
    expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);
    expect(rssGrowth).toBeLessThan(128 * 1024 * 1024);
    console.log(`paused reader: server pulled ${pausedReads} of ${USERS} users; heap +${(heapGrowth / 1048576).toFixed(1)} MiB, rss +${(rssGrowth / 1048576).toFixed(1)} MiB`);
    expect(store.stats().openSnapshots).toBe(0);
  }, 300_000);
});
