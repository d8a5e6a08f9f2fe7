// Cancellation reaches the user service's handlers (issue 10): a cancelled ListUsers stops iterating
// its snapshot and releases it; a cancelled StreamUserUpdates applies no update that was still
// waiting in the stream; the calls end on the server, not just on the client.

import * as http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { ListUsersRequestCodec, UserUpdateRequestCodec } from "../../src/schema/user.js";
import { MemoryUserStore } from "../../src/store/memory-store.js";
import type { ListFilter, UserPatch, UserRecord, UserSnapshot } from "../../src/store/user-store.js";
import { encodeEnvelope } from "../../src/wire/framing.js";
import { settle } from "../support/settle.js";
import { TOKENS, startTestService } from "./support.js";
import { GRPC_HEADERS } from "../support/raw-client.js";

/** A memory store that counts snapshot reads and closes, and can hold updates at a gate. */
class CountingStore extends MemoryUserStore {
  reads = 0;
  closes = 0;
  updates = 0;
  gate: Promise<void> | undefined;
  override list(filter?: ListFilter): UserSnapshot {
    const inner = super.list(filter);
    const read = inner.read.bind(inner);
    const close = inner.close.bind(inner);
    inner.read = () => {
      this.reads++;
      return read();
    };
    inner.close = () => {
      this.closes++;
      close();
    };
    return inner;
  }
  override async update(id: string, patch: UserPatch): Promise<UserRecord> {
    this.updates++;
    if (this.gate !== undefined) await this.gate;
    return super.update(id, patch);
  }
}

const headers = (method: string): http2.OutgoingHttpHeaders => ({
  ...GRPC_HEADERS,
  ":path": `/user.UserService/${method}`,
  authorization: `Bearer ${TOKENS.admin}`,
});

describe("cancellation reaches the user service's handlers", () => {
  it("ListUsers stops reading its snapshot and releases it when the client cancels", async () => {
    const store = new CountingStore();
    const total = 30_000;
    const batch = [];
    for (let i = 0; i < total; i++) batch.push({ username: `c${i}`, email: `c${i}@example.com`, fullName: "x".repeat(100), role: 1 });
    await store.createMany(batch);
    const t = await startTestService({}, store);
    const session = http2.connect(`http://${t.target}`);
    try {
      const req = session.request(headers("ListUsers"));
      req.end(encodeEnvelope(ListUsersRequestCodec.encode(ListUsersRequestCodec.create({})), false));
      // Read nothing: flow control holds the server back; then cancel.
      await new Promise<void>((resolve) => req.once("response", () => resolve()));
      req.pause();
      const before = await settle(() => store.reads);
      expect(before).toBeLessThan(total);
      req.close(http2.constants.NGHTTP2_CANCEL);
      await settle(() => store.closes);
      expect(store.closes).toBe(1);
      const after = await settle(() => store.reads);
      expect(after).toBeLessThanOrEqual(before + 1);
    } finally {
      session.destroy();
      await t.close();
    }
  });

  it("StreamUserUpdates applies no update still waiting in the stream once cancelled", async () => {
    const store = new CountingStore();
    const u = await store.create({ username: "cancelme", email: "cancelme@example.com", fullName: "", role: 1 });
    let open!: () => void;
    store.gate = new Promise<void>((r) => (open = r));
    const t = await startTestService({}, store);
    const session = http2.connect(`http://${t.target}`);
    try {
      const req = session.request(headers("StreamUserUpdates"));
      req.on("error", () => {});
      for (let i = 0; i < 5; i++) {
        req.write(encodeEnvelope(UserUpdateRequestCodec.encode({ userId: u.id, field: "full_name", value: `v${i}` }), false));
      }
      // The first update reaches the store and waits at the gate; the other four wait in the stream.
      await settle(() => store.updates);
      expect(store.updates).toBe(1);
      req.close(http2.constants.NGHTTP2_CANCEL);
      await new Promise<void>((resolve) => req.once("close", () => resolve()));
      // Wait until the server has seen the reset (its list of live calls is empty), then let the first update complete.
      const server = t.app.server as unknown as { liveCalls: number };
      while (server.liveCalls > 0) await new Promise((r) => setTimeout(r, 20));
      open();
      await settle(() => store.updates);
      expect(store.updates).toBe(1);
      expect((await store.get(u.id))?.fullName).toBe("v0");
    } finally {
      session.destroy();
      await t.close();
    }
  });
});
