// The transport-free handlers: the last-moment cancel check of BatchCreateUsers and the update rules.

import { afterAll, describe, expect, it } from "vitest";
import type { CreateUserRequest } from "../../src/schema/user.js";
import { UserHandlers } from "../../src/service/user-handlers.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Status } from "../../src/wire/status.js";
import { STORE_KINDS } from "../support/stores.js";

async function* items(n: number): AsyncGenerator<CreateUserRequest> {
  for (let i = 0; i < n; i++) yield { username: `hh${i}`, email: `hh${i}@example.com`, fullName: "", role: 0 };
}

describe.each(STORE_KINDS)("UserHandlers on the $name store", (kind) => {
  afterAll(() => kind.teardown());

  it("commits nothing when the call was aborted by the time the stream ended", async () => {
    const { store } = await kind.fresh();
    const h = new UserHandlers(store, { maxBatchSize: 10 });
    const ac = new AbortController();
    ac.abort(new GrpcError(Status.DEADLINE_EXCEEDED, "deadline exceeded"));
    const err = await h.batchCreateUsers(items(3), { role: "admin", signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrpcError);
    expect((err as GrpcError).code).toBe(Status.DEADLINE_EXCEEDED);
    expect(await store.count()).toBe(0);
    const ok = await h.batchCreateUsers(items(3), { role: "admin", signal: new AbortController().signal });
    expect(ok.createdCount).toBe(3);
  });

  it("answers update failures with success=false and the reason", async () => {
    const { store } = await kind.fresh();
    const h = new UserHandlers(store, { maxBatchSize: 10 });
    const u = await store.create({ username: "abc", email: "abc@example.com", fullName: "", role: 1 });
    expect(await h.applyUpdate({ userId: u.id, field: "role", value: "admin" }, "moderator")).toEqual({
      userId: u.id,
      success: false,
      message: "not allowed: only an admin may change a role",
    });
    expect(await h.applyUpdate({ userId: u.id, field: "role", value: "admin" }, "admin")).toEqual({ userId: u.id, success: true, message: "" });
    expect((await store.get(u.id))?.role).toBe(2);
  });
});
