// The interceptor chain: order (request id → logging → recovery → auth → authorization → validation),
// the call log, recovery from a throwing handler, and tokens never reaching the log.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryUserStore } from "../../src/store/memory-store.js";
import type { UserRecord } from "../../src/store/user-store.js";
import { Metadata } from "../../src/wire/metadata.js";
import { Status } from "../../src/wire/status.js";
import { TOKENS, callLogs, grpcError, startTestService, type TestService } from "./support.js";

/** A store whose `get` (and `getSync`, which the handler prefers) throws a plain Error for one id: a
 *  bug for the recovery interceptor to catch. */
class BuggyStore extends MemoryUserStore {
  override async get(id: string): Promise<UserRecord | undefined> {
    if (id === "boom") throw new Error("simulated bug with secret detail");
    return super.get(id);
  }
  override getSync(id: string): UserRecord | undefined {
    if (id === "boom") throw new Error("simulated bug with secret detail");
    return super.getSync(id);
  }
}

let t: TestService;
beforeAll(async () => {
  t = await startTestService({}, new BuggyStore());
});
afterAll(async () => {
  await t.close();
});

describe("interceptor chain", () => {
  it("authenticates before it authorizes, and authorizes before it validates", async () => {
    const bad = { username: "?", email: "bad" };
    expect((await grpcError(t.client(null).createUser(bad))).code).toBe(Status.UNAUTHENTICATED);
    expect((await grpcError(t.client("user").createUser(bad))).code).toBe(Status.PERMISSION_DENIED);
    expect((await grpcError(t.client("admin").createUser(bad))).code).toBe(Status.INVALID_ARGUMENT);
  });

  it("gives refused calls a request id and logs them (request id and logging are outermost)", async () => {
    let id: string | undefined;
    const e = await grpcError(t.client(null).getUser("x", { metadata: new Metadata().set("x-request-id", "refused-1"), onHeader: (h) => (id = h.get("x-request-id")) }));
    expect(e.code).toBe(Status.UNAUTHENTICATED);
    // Trailers-Only responses carry the headers in the trailers block.
    const rid = id ?? e.metadata.get("x-request-id");
    expect(rid).toBe("refused-1");
    const line = t.logs.find((l) => l.request_id === "refused-1");
    expect(line).toMatchObject({ level: "info", msg: "call", method: "/user.UserService/GetUser", code: "UNAUTHENTICATED", status: 16 });
    expect(line?.role).toBeUndefined();
  });

  it("writes one JSON line per call with method, status, duration, request id, peer and role", async () => {
    const before = callLogs(t, "CreateUser").length;
    const u = await t.client("admin").createUser({ username: "logged", email: "logged@example.com" }, { metadata: new Metadata().set("x-request-id", "log-1") });
    const lines = callLogs(t, "CreateUser").slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "info", code: "OK", status: 0, request_id: "log-1", role: "admin" });
    expect(lines[0].duration_ms).toBeTypeOf("number");
    expect(String(lines[0].peer)).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(typeof lines[0].time).toBe("string");
    expect(u.username).toBe("logged");
  });

  it("turns a throwing handler into INTERNAL without leaking its message, logs the cause, and keeps serving", async () => {
    const e = await grpcError(t.client("user").getUser("boom"));
    expect(e.code).toBe(Status.INTERNAL);
    expect(e.rawMessage).not.toContain("secret");
    const line = callLogs(t, "GetUser").find((l) => l.code === "INTERNAL");
    expect(line?.level).toBe("error");
    expect(String(line?.cause)).toContain("simulated bug with secret detail");
    expect((await grpcError(t.client("user").getUser("fine-but-missing"))).code).toBe(Status.NOT_FOUND);
  });

  it("never writes a token to the log", async () => {
    await t.client("moderator").getUser("whatever").catch(() => undefined);
    await t.client(null, { token: "not-a-real-token-xyz" }).getUser("whatever").catch(() => undefined);
    const all = t.rawLogs.join("");
    expect(all.length).toBeGreaterThan(0);
    for (const token of [...Object.values(TOKENS), "not-a-real-token-xyz"]) expect(all).not.toContain(token);
  });

  it("leaves health and reflection open without a token", async () => {
    const { Client } = await import("../../src/client/client.js");
    const { clientMethods } = await import("../../src/client/types.js");
    const { HealthServiceDescriptor } = await import("../../src/service/health.js");
    const c = t.client(null);
    const r = await new Client(c.channel).unary(clientMethods(HealthServiceDescriptor).Check, { service: "user.UserService" });
    expect(r.status).toBe(1); // SERVING
  });
});
