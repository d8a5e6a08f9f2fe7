// Service limits (docs/SERVICE.md "Limits"): a length limit on every string field, answered with
// INVALID_ARGUMENT + BadRequest (or `success: false` in StreamUserUpdates) and never echoed back at
// length; MAX_USERS answered with RESOURCE_EXHAUSTED, batches fitting whole or refused whole.

import { afterEach, describe, expect, it } from "vitest";
import { UserCodec } from "../../src/schema/user.js";
import { MemoryUserStore } from "../../src/store/memory-store.js";
import { MAX_VIOLATION_TEXT } from "../../src/service/errors.js";
import { LIMITS, checkListUsers, checkUpdate, createUserViolations, fullNameProblem } from "../../src/service/validation.js";
import { Status } from "../../src/wire/status.js";
import { grpcError, startTestService, type TestService } from "./support.js";

const EMOJI = "\u{1F600}"; // one character, two UTF-16 units, four UTF-8 bytes
const MIB = 1024 * 1024;

let t: TestService | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("string length limits", () => {
  it("full_name: at most 256 characters, counted as Unicode code points", () => {
    expect(fullNameProblem("x".repeat(256))).toBeUndefined();
    expect(fullNameProblem(EMOJI.repeat(256))).toBeUndefined(); // 512 UTF-16 units
    expect(fullNameProblem("x".repeat(257))).toMatch(/at most 256 characters/);
    expect(fullNameProblem(EMOJI.repeat(257))).toMatch(/at most 256 characters/);
    expect(createUserViolations({ username: "ann", email: "ann@example.com", fullName: "x".repeat(257), role: 0 })).toEqual([
      { field: "full_name", description: "full_name must be at most 256 characters long" },
    ]);
  });

  it("a user with every field at its longest is small: any default client reads it back", () => {
    const longest = UserCodec.encode({
      id: "x".repeat(LIMITS.idLength),
      username: "u".repeat(32),
      email: `${"l".repeat(64)}@${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(61)}`,
      fullName: EMOJI.repeat(LIMITS.fullNameLength),
      role: 3,
      createdAt: 2n ** 62n,
      updatedAt: 2n ** 62n,
    });
    expect(longest.length).toBeLessThan(1_600); // vs. a 4 MiB default receive limit
  });

  it("role_filter, field and role values are quoted at most 32 characters long in answers", () => {
    const r = checkListUsers({ roleFilter: "a".repeat(MIB), limit: 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.violations[0].description.length).toBeLessThan(200);
    for (const req of [
      { userId: "u1", field: "f".repeat(MIB), value: "" },
      { userId: "u1", field: "role", value: "r".repeat(MIB) },
      { userId: "u1", field: "full_name", value: "n".repeat(MIB) },
      { userId: "i".repeat(MIB), field: "full_name", value: "n" },
    ]) {
      const c = checkUpdate(req);
      expect(c.ok).toBe(false);
      if (!c.ok) expect(c.message.length).toBeLessThan(200);
    }
  });

  it("CreateUser with a full_name just under 4 MiB: INVALID_ARGUMENT with a BadRequest, nothing stored", async () => {
    t = await startTestService();
    const e = await grpcError(t.client().createUser({ username: "big", email: "big@example.com", fullName: "x".repeat(4 * MIB - 1024) }));
    expect(e.code).toBe(Status.INVALID_ARGUMENT);
    expect(e.badRequest?.fieldViolations).toEqual([{ field: "full_name", description: "full_name must be at most 256 characters long", reason: "" }]);
    expect(await t.app.store.count()).toBe(0);
    const ok = await t.client().createUser({ username: "max", email: "max@example.com", fullName: EMOJI.repeat(256) });
    expect((await t.client("user").getUser(ok.id)).fullName).toBe(EMOJI.repeat(256));
  });

  it("BatchCreateUsers names the item; GetUser/DeleteUser refuse an id longer than any id", async () => {
    t = await startTestService();
    const batch = t.client().batchCreateUsers();
    await batch.send({ username: "one", email: "one@example.com" });
    await batch.send({ username: "two", email: "two@example.com", fullName: "y".repeat(300) });
    const e = await grpcError(batch.closeAndRecv());
    expect(e.code).toBe(Status.INVALID_ARGUMENT);
    expect(e.badRequest?.fieldViolations.map((v) => v.field)).toEqual(["requests[1].full_name"]);
    expect(await t.app.store.count()).toBe(0);

    for (const call of [(id: string) => t!.client().getUser(id), (id: string) => t!.client().deleteUser(id)]) {
      const long = await grpcError(call("i".repeat(2 * MIB)));
      expect(long.code).toBe(Status.INVALID_ARGUMENT);
      expect(long.badRequest?.fieldViolations).toEqual([{ field: "id", description: `id must be at most 128 characters long (got ${2 * MIB})`, reason: "" }]);
      expect((await grpcError(call("i".repeat(LIMITS.idLength)))).code).toBe(Status.NOT_FOUND);
    }
  });

  it("StreamUserUpdates: a too-long value or user_id is a short `success: false`, and the stream goes on", async () => {
    t = await startTestService();
    const u = await t.client().createUser({ username: "upd", email: "upd@example.com" });
    const s = t.client().streamUserUpdates();
    const answers = s[Symbol.asyncIterator]();
    await s.send({ userId: u.id, field: "full_name", value: "z".repeat(257) });
    expect((await answers.next()).value).toEqual({ userId: u.id, success: false, message: "invalid value: full_name must be at most 256 characters long" });
    await s.send({ userId: "i".repeat(3 * MIB), field: "full_name", value: "z" });
    expect((await answers.next()).value).toEqual({ userId: "", success: false, message: `user_id must be at most 128 characters long (got ${3 * MIB})` });
    await s.send({ userId: u.id, field: "full_name", value: "z".repeat(256) });
    expect((await answers.next()).value).toEqual({ userId: u.id, success: true, message: "" });
    s.end();
    expect((await answers.next()).done).toBe(true);
  });
});

describe("the size of an INVALID_ARGUMENT answer", () => {
  it("a batch of 1,000 bad items: the client reads INVALID_ARGUMENT listing the first ones and how many more", async () => {
    t = await startTestService({ maxBatchSize: 10_000 });
    const b = t.client().batchCreateUsers();
    // Each item two violations, the email's quoting its 240-character domain.
    for (let i = 0; i < 1000; i++) await b.send({ username: "x", email: `a@-${"d".repeat(235)}.com` });
    const e = await grpcError(b.closeAndRecv());
    expect(e.code, e.message).toBe(Status.INVALID_ARGUMENT);
    const listed = e.badRequest?.fieldViolations ?? [];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed[0].field).toBe("requests[0].username");
    const size = listed.reduce((n, v) => n + v.field.length + v.description.length, 0);
    expect(size).toBeLessThanOrEqual(MAX_VIOLATION_TEXT + 300); // the last one may cross the line
    expect(e.rawMessage).toContain(`; and ${2000 - listed.length} more not listed`);
  });
});

describe("MAX_USERS", () => {
  it("refuses a create beyond the cap with RESOURCE_EXHAUSTED; a delete makes room again", async () => {
    t = await startTestService({ maxUsers: 3 });
    const admin = t.client();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await admin.createUser({ username: `cap${i}`, email: `cap${i}@example.com` })).id);
    const e = await grpcError(admin.createUser({ username: "cap3", email: "cap3@example.com" }));
    expect(e.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(e.rawMessage).toContain("MAX_USERS (3");
    await admin.deleteUser(ids[0]);
    await admin.createUser({ username: "cap3", email: "cap3@example.com" });
    expect(await t.app.store.count()).toBe(3);
  });

  it("a batch that would exceed the cap creates nothing; one that fits is created whole", async () => {
    t = await startTestService({ maxUsers: 5 });
    const admin = t.client();
    for (let i = 0; i < 3; i++) await admin.createUser({ username: `pre${i}`, email: `pre${i}@example.com` });
    const batch = async (n: number, tag: string) => {
      const b = admin.batchCreateUsers();
      for (let i = 0; i < n; i++) await b.send({ username: `${tag}${i}`, email: `${tag}${i}@example.com` });
      return b.closeAndRecv();
    };
    const e = await grpcError(batch(3, "big"));
    expect(e.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(e.rawMessage).toContain("a batch of 3 users");
    expect(await t.app.store.count()).toBe(3);
    expect((await batch(2, "fit")).createdCount).toBe(2);
    expect(await t.app.store.count()).toBe(5);
  });

  it("concurrent creates racing for the last places never exceed the cap", async () => {
    t = await startTestService({ maxUsers: 10 });
    const admin = t.client();
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => admin.createUser({ username: `race${i}`, email: `race${i}@example.com` })));
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(10);
    for (const r of results) if (r.status === "rejected") expect((r.reason as { code: number }).code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(await t.app.store.count()).toBe(10);
  });

  it("counts the users already in the store at start", async () => {
    const store = new MemoryUserStore();
    store.createManySync([
      { username: "old1", email: "old1@example.com", fullName: "", role: 1 },
      { username: "old2", email: "old2@example.com", fullName: "", role: 1 },
    ]);
    t = await startTestService({ maxUsers: 2 }, store);
    expect((await grpcError(t.client().createUser({ username: "new1", email: "new1@example.com" }))).code).toBe(Status.RESOURCE_EXHAUSTED);
  });
});
