// Every RPC of user.UserService through our own client, against the real service (our server,
// interceptors, and each store: memory and PostgreSQL), with every status path of the contract.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role, type User, type UserUpdateResponse } from "../../src/schema/user.js";
import { Metadata } from "../../src/wire/metadata.js";
import { Status } from "../../src/wire/status.js";
import { STORE_KINDS, type StoreUnderTest } from "../support/stores.js";
import { callLogs, grpcError, startTestService, until, type TestService } from "./support.js";

describe.each(STORE_KINDS)("user service on the $name store", (kind) => {
  let t: TestService;
  let under: StoreUnderTest;
  let seq = 0;
  const fresh = (prefix = "user") => {
    seq++;
    return { username: `${prefix}_${seq}`, email: `${prefix}.${seq}@example.com`, fullName: `${prefix} ${seq}` };
  };

  beforeAll(async () => {
    under = await kind.fresh();
    t = await startTestService({}, under.store);
  });
  afterAll(async () => {
    await t.close();
    await kind.teardown();
  });
  const store = {
    get: (id: string) => under.store.get(id),
    count: () => under.store.count(),
  };

  describe("CreateUser", () => {
    it("returns the stored user with a new id and created_at == updated_at", async () => {
      const before = BigInt(Date.now());
      const u = await t.client().createUser({ ...fresh(), role: Role.ROLE_MODERATOR });
      expect(u.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(u.role).toBe(Role.ROLE_MODERATOR);
      expect(u.createdAt).toBe(u.updatedAt);
      expect(u.createdAt >= before).toBe(true);
      expect(await store.get(u.id)).toEqual(u);
    });

    it("treats ROLE_UNSPECIFIED as ROLE_USER", async () => {
      expect((await t.client().createUser(fresh())).role).toBe(Role.ROLE_USER);
    });

    it("answers INVALID_ARGUMENT with a BadRequest naming every bad field", async () => {
      const e = await grpcError(t.client().createUser({ username: "a b", email: "nope", role: 42 }));
      expect(e.code).toBe(Status.INVALID_ARGUMENT);
      expect(e.badRequest?.fieldViolations.map((v) => v.field)).toEqual(["username", "email", "role"]);
      expect(e.rawMessage).toContain("username");
    });

    it("answers ALREADY_EXISTS for a taken username or email, in any case", async () => {
      const c = t.client();
      const u = await c.createUser(fresh("dup"));
      const e1 = await grpcError(c.createUser({ ...fresh(), username: u.username.toUpperCase() }));
      expect(e1.code).toBe(Status.ALREADY_EXISTS);
      expect(e1.rawMessage).toContain("username");
      const e2 = await grpcError(c.createUser({ ...fresh(), email: u.email.toUpperCase() }));
      expect(e2.code).toBe(Status.ALREADY_EXISTS);
      expect(e2.rawMessage).toContain("email");
    });

    it("needs the admin role", async () => {
      for (const role of ["moderator", "user"] as const) {
        expect((await grpcError(t.client(role).createUser(fresh()))).code).toBe(Status.PERMISSION_DENIED);
      }
    });

    it("refuses messages over 4 MiB with RESOURCE_EXHAUSTED and takes gzip-compressed requests", async () => {
      const big = await grpcError(t.client().createUser({ ...fresh(), fullName: "x".repeat(4 * 1024 * 1024 + 1) }));
      expect(big.code).toBe(Status.RESOURCE_EXHAUSTED);
      const fullName = "y".repeat(256); // compresses well; the longest full_name allowed
      const u = await t.client().createUser({ ...fresh(), fullName }, { compression: "gzip" });
      expect((await store.get(u.id))?.fullName).toBe(fullName);
    });
  });

  describe("GetUser", () => {
    it("returns the user", async () => {
      const u = await t.client().createUser(fresh());
      for (const role of ["admin", "moderator", "user"] as const) expect(await t.client(role).getUser(u.id)).toEqual(u);
    });

    it("answers INVALID_ARGUMENT for an empty id and NOT_FOUND for an unknown one", async () => {
      const e = await grpcError(t.client("user").getUser(""));
      expect(e.code).toBe(Status.INVALID_ARGUMENT);
      expect(e.badRequest?.fieldViolations).toEqual([{ field: "id", description: "id is required", reason: "" }]);
      expect((await grpcError(t.client("user").getUser("no-such-id"))).code).toBe(Status.NOT_FOUND);
    });
  });

  describe("DeleteUser", () => {
    it("deletes, then answers NOT_FOUND; needs admin", async () => {
      const u = await t.client().createUser(fresh());
      expect((await grpcError(t.client("moderator").deleteUser(u.id))).code).toBe(Status.PERMISSION_DENIED);
      expect(await t.client().deleteUser(u.id)).toEqual({ success: true });
      expect((await grpcError(t.client().getUser(u.id))).code).toBe(Status.NOT_FOUND);
      expect((await grpcError(t.client().deleteUser(u.id))).code).toBe(Status.NOT_FOUND);
      expect((await grpcError(t.client().deleteUser(""))).code).toBe(Status.INVALID_ARGUMENT);
    });
  });

  describe("ListUsers", () => {
    it("streams every user in creation order, with role filter spellings and limit", async () => {
      const local = await startTestService({}, (await kind.fresh()).store);
      try {
        const c = local.client("user");
        const admin = local.client();
        const made: User[] = [];
        for (let i = 0; i < 12; i++) made.push(await admin.createUser({ ...fresh("list"), role: i % 4 === 0 ? Role.ROLE_ADMIN : Role.ROLE_USER }));
        const all: User[] = [];
        for await (const u of c.listUsers()) all.push(u);
        expect(all).toEqual(made);
        for (const spelling of ["ROLE_ADMIN", "admin", "Admin", "role_admin"]) {
          const got: string[] = [];
          for await (const u of c.listUsers({ roleFilter: spelling })) got.push(u.id);
          expect(got).toEqual([made[0].id, made[4].id, made[8].id]);
        }
        const limited: string[] = [];
        for await (const u of c.listUsers({ limit: 5 })) limited.push(u.id);
        expect(limited).toEqual(made.slice(0, 5).map((u) => u.id));
      } finally {
        await local.close();
      }
    });

    it("releases the snapshot when the client stops reading early", async () => {
      const admin = t.client();
      for (let i = 0; i < 3; i++) await admin.createUser(fresh("early"));
      const before = callLogs(t, "ListUsers").length;
      for await (const _u of admin.listUsers()) break; // cancels the call
      await until(() => callLogs(t, "ListUsers").length > before);
      // CANCELLED, or OK if the server had already written everything before the client's reset.
      expect(["CANCELLED", "OK"]).toContain(callLogs(t, "ListUsers").at(-1)?.code);
      expect(under.openSnapshots()).toBe(0);
    });

    it("answers INVALID_ARGUMENT for an unknown role_filter or a negative limit", async () => {
      const drain = async (req: { roleFilter?: string; limit?: number }) => {
        for await (const _u of t.client().listUsers(req)) void _u;
      };
      const e1 = await grpcError(drain({ roleFilter: "superuser" }));
      expect(e1.code).toBe(Status.INVALID_ARGUMENT);
      expect(e1.badRequest?.fieldViolations.map((v) => v.field)).toEqual(["role_filter"]);
      const e2 = await grpcError(drain({ limit: -1 }));
      expect(e2.badRequest?.fieldViolations.map((v) => v.field)).toEqual(["limit"]);
    });

    it("streams a consistent snapshot while users are created, updated and deleted", async () => {
      const local = await startTestService({ maxBatchSize: 5000 }, (await kind.fresh()).store);
      try {
        const admin = local.client();
        const batch = admin.batchCreateUsers();
        for (let i = 0; i < 3000; i++) await batch.send({ username: `snap${i}`, email: `snap${i}@example.com` });
        const { userIds } = await batch.closeAndRecv();
        const seen: User[] = [];
        let writes = 0;
        for await (const u of admin.listUsers()) {
          seen.push(u);
          if (seen.length % 100 === 1 && writes < 20) {
            writes++;
            await admin.deleteUser(userIds[2999 - writes]);
            await admin.createUser(fresh("late"));
            const s = admin.streamUserUpdates();
            await s.send({ userId: userIds[2000 + writes], field: "full_name", value: "changed" });
            s.end();
            for await (const r of s) expect(r.success).toBe(true);
          }
        }
        expect(writes).toBe(20);
        expect(seen.map((u) => u.id)).toEqual(userIds);
        expect(seen.every((u) => u.fullName === "")).toBe(true);
      } finally {
        await local.close();
      }
    });
  });

  describe("BatchCreateUsers", () => {
    it("creates every user at half-close and returns the ids in request order", async () => {
      const b = t.client().batchCreateUsers();
      const items = [fresh("b"), fresh("b"), fresh("b")];
      for (const it of items) await b.send(it);
      const r = await b.closeAndRecv();
      expect(r.createdCount).toBe(3);
      const users = await Promise.all(r.userIds.map((id) => t.client().getUser(id)));
      expect(users.map((u) => u.username)).toEqual(items.map((i) => i.username));
      expect(new Set(users.map((u) => u.createdAt)).size).toBe(1);
    });

    it("succeeds on an empty batch", async () => {
      expect(await t.client().batchCreateUsers().closeAndRecv()).toEqual({ createdCount: 0, userIds: [] });
    });

    it("creates nothing when one item is invalid, and names its position", async () => {
      const n = await store.count();
      const b = t.client().batchCreateUsers();
      await b.send(fresh("ok"));
      await b.send(fresh("ok"));
      await b.send({ ...fresh("bad"), email: "not-an-email" });
      await b.send({ ...fresh("bad"), username: "?" });
      const e = await grpcError(b.closeAndRecv());
      expect(e.code).toBe(Status.INVALID_ARGUMENT);
      expect(e.badRequest?.fieldViolations.map((v) => v.field)).toEqual(["requests[2].email", "requests[3].username"]);
      expect(await store.count()).toBe(n);
    });

    it("creates nothing on a clash with the store or within the batch", async () => {
      const existing = await t.client().createUser(fresh("exists"));
      const n = await store.count();
      const b1 = t.client().batchCreateUsers();
      await b1.send(fresh("c"));
      await b1.send({ ...fresh("c"), email: existing.email });
      const e1 = await grpcError(b1.closeAndRecv());
      expect(e1.code).toBe(Status.ALREADY_EXISTS);
      expect(e1.rawMessage).toContain("requests[1].email");
      const b2 = t.client().batchCreateUsers();
      const same = fresh("twice");
      await b2.send(same);
      await b2.send({ ...fresh("c"), username: same.username.toUpperCase() });
      const e2 = await grpcError(b2.closeAndRecv());
      expect(e2.code).toBe(Status.ALREADY_EXISTS);
      expect(e2.rawMessage).toContain("earlier in this batch");
      expect(await store.count()).toBe(n);
    });

    it("creates nothing when the client cancels or the deadline passes before half-close", async () => {
      const n = await store.count();
      const before = callLogs(t, "BatchCreateUsers").length;
      const b = t.client().batchCreateUsers();
      await b.send(fresh("cancel"));
      await b.send(fresh("cancel"));
      b.cancel();
      expect((await grpcError(b.closeAndRecv())).code).toBe(Status.CANCELLED);

      const d = t.client().batchCreateUsers({ timeoutMs: 300 });
      await d.send(fresh("late"));
      expect((await grpcError(d.response)).code).toBe(Status.DEADLINE_EXCEEDED); // never half-closed
      // Wait until the server has finished both calls (its list of live calls is empty), then check
      // nothing was created. A call reset before its handler started never ran it (nor the logging
      // interceptor), so there may be fewer than two log lines.
      const server = t.app.server as unknown as { liveCalls: number };
      await until(() => server.liveCalls === 0);
      // The server sees the expiry either by its own timer or by the client's RST_STREAM: never OK.
      const codes = callLogs(t, "BatchCreateUsers").slice(before).map((l) => l.code);
      for (const c of codes) expect(["CANCELLED", "DEADLINE_EXCEEDED"]).toContain(c);
      expect(await store.count()).toBe(n);
    });

    it("answers RESOURCE_EXHAUSTED past MAX_BATCH_SIZE and creates nothing", async () => {
      const local = await startTestService({ maxBatchSize: 3 }, (await kind.fresh()).store);
      try {
        const b = local.client().batchCreateUsers();
        try {
          for (let i = 0; i < 4; i++) await b.send(fresh("max"));
        } catch {
          // the server may fail the call as soon as the 4th item arrives
        }
        const e = await grpcError(b.closeAndRecv());
        expect(e.code).toBe(Status.RESOURCE_EXHAUSTED);
        expect(await local.app.store.count()).toBe(0);
      } finally {
        await local.close();
      }
    });

    it("needs the admin role", async () => {
      const b = t.client("moderator").batchCreateUsers();
      expect((await grpcError(b.closeAndRecv())).code).toBe(Status.PERMISSION_DENIED);
    });
  });

  describe("StreamUserUpdates", () => {
    it("answers ping-pong requests one by one, and moves updated_at strictly forward", async () => {
      const u = await t.client().createUser(fresh("pp"));
      const s = t.client("moderator").streamUserUpdates();
      const it = s[Symbol.asyncIterator]();
      let last = u.updatedAt;
      for (let i = 0; i < 5; i++) {
        await s.send({ userId: u.id, field: "full_name", value: `name ${i}` });
        const r = await it.next();
        expect(r.value).toEqual({ userId: u.id, success: true, message: "" });
        const now = (await t.client().getUser(u.id)).updatedAt;
        expect(now > last).toBe(true);
        last = now;
      }
      s.end();
      expect((await it.next()).done).toBe(true);
      expect((await t.client().getUser(u.id)).fullName).toBe("name 4");
    });

    it("answers pipelined requests in order, failures with success=false, and goes on", async () => {
      const a = await t.client().createUser(fresh("pipe"));
      const b = await t.client().createUser(fresh("pipe"));
      const s = t.client("admin").streamUserUpdates();
      const requests = [
        { userId: a.id, field: "username", value: "renamed_" + a.username },
        { userId: a.id, field: "email", value: b.email.toUpperCase() }, // clash
        { userId: "ghost", field: "full_name", value: "x" }, // unknown user
        { userId: a.id, field: "password", value: "x" }, // unknown field
        { userId: a.id, field: "email", value: "broken" }, // invalid value
        { userId: a.id, field: "role", value: "boss" }, // invalid role
        { userId: a.id, field: "role", value: "Moderator" },
        { userId: a.id, field: "email", value: "new." + a.email },
      ];
      for (const r of requests) await s.send(r);
      s.end();
      const answers: UserUpdateResponse[] = [];
      for await (const r of s) answers.push(r);
      expect(answers.map((r) => r.userId)).toEqual(requests.map((r) => r.userId));
      expect(answers.map((r) => r.success)).toEqual([true, false, false, false, false, false, true, true]);
      expect(answers[1].message).toMatch(/email .* already taken/);
      expect(answers[2].message).toMatch(/no user with id/);
      expect(answers[3].message).toMatch(/unknown field/);
      expect(answers[4].message).toMatch(/invalid value/);
      expect(answers[5].message).toMatch(/unknown role/);
      const after = await t.client().getUser(a.id);
      expect(after).toMatchObject({ username: "renamed_" + a.username, role: Role.ROLE_MODERATOR, email: "new." + a.email });
    });

    it("lets only an admin change a role; a user may not call it at all", async () => {
      const u = await t.client().createUser(fresh("role"));
      const s = t.client("moderator").streamUserUpdates();
      await s.send({ userId: u.id, field: "role", value: "admin" });
      await s.send({ userId: u.id, field: "full_name", value: "still fine" });
      s.end();
      const answers: UserUpdateResponse[] = [];
      for await (const r of s) answers.push(r);
      expect(answers.map((r) => r.success)).toEqual([false, true]);
      expect(answers[0].message).toMatch(/^not allowed/);
      expect((await t.client().getUser(u.id)).role).toBe(Role.ROLE_USER);

      const denied = t.client("user").streamUserUpdates();
      denied.end();
      const e = await grpcError((async () => {
        for await (const _r of denied) void _r;
      })());
      expect(e.code).toBe(Status.PERMISSION_DENIED);
    });
  });

  describe("metadata and auth", () => {
    it("echoes x-request-id, or generates a UUID, in the response headers", async () => {
      const u = await t.client().createUser(fresh("rid"));
      let echoed: string | undefined;
      await t.client().getUser(u.id, { metadata: new Metadata().set("x-request-id", "req-42"), onHeader: (h) => (echoed = h.get("x-request-id")) });
      expect(echoed).toBe("req-42");
      let generated: string | undefined;
      await t.client().getUser(u.id, { onHeader: (h) => (generated = h.get("x-request-id")) });
      expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(t.logs.some((l) => l.request_id === "req-42" && l.method === "/user.UserService/GetUser")).toBe(true);
      expect(t.logs.some((l) => l.request_id === generated)).toBe(true);
    });

    it("answers UNAUTHENTICATED without a token, with an unknown one or a bad scheme", async () => {
      expect((await grpcError(t.client(null).getUser("x"))).code).toBe(Status.UNAUTHENTICATED);
      expect((await grpcError(t.client(null, { token: "wrong" }).getUser("x"))).code).toBe(Status.UNAUTHENTICATED);
      const basic = new Metadata().set("authorization", "Basic dXNlcjpwYXNz");
      expect((await grpcError(t.client(null).getUser("x", { metadata: basic }))).code).toBe(Status.UNAUTHENTICATED);
      const lower = new Metadata().set("authorization", "bearer t-user-0123456789");
      expect((await grpcError(t.client(null).getUser("x", { metadata: lower }))).code).toBe(Status.NOT_FOUND);
    });

    it("serves many concurrent clients without breaking the store's invariants", async () => {
      const clients = [t.client(), t.client(), t.client(), t.client()];
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 400; i++) {
        const c = clients[i % clients.length];
        const name = `conc${i % 50}`; // many clashes on purpose
        ops.push(
          c
            .createUser({ username: name, email: `${name}@example.com` })
            .then((u): Promise<unknown> => (i % 3 === 0 ? c.deleteUser(u.id) : Promise.resolve(u)))
            .catch((e: unknown) => e),
        );
      }
      const results = await Promise.all(ops);
      const expected: number[] = [Status.ALREADY_EXISTS, Status.NOT_FOUND];
      const unexpected = results.filter((r) => r instanceof Error && !expected.includes((r as { code?: number }).code ?? -1));
      expect(unexpected).toEqual([]);
      expect(await under.invariants()).toEqual([]);
    });
  });
});
