import { describe, expect, it } from "vitest";
import { checkBatch, checkCreateUser, checkId, checkListUsers, checkUpdate, emailProblem, usernameProblem } from "../../src/service/validation.js";
import { parseRoleName } from "../../src/service/roles.js";

const req = (o: Partial<{ username: string; email: string; fullName: string; role: number }> = {}) => ({
  username: "alice",
  email: "alice@example.com",
  fullName: "Alice",
  role: 0,
  ...o,
});

describe("validation", () => {
  it("accepts usernames of 3-32 letters, digits, _ . - and nothing else", () => {
    for (const ok of ["abc", "a.b-c_d", "A1_", "x".repeat(32)]) expect(usernameProblem(ok)).toBeUndefined();
    for (const bad of ["", "ab", "x".repeat(33), "with space", "émile", "a/b", "a@b"]) expect(usernameProblem(bad)).toBeTypeOf("string");
  });

  it("accepts ordinary email addresses and refuses malformed ones", () => {
    for (const ok of ["a@b.co", "first.last+tag@sub.example.org", "x_y@host-name.io"]) expect(emailProblem(ok)).toBeUndefined();
    for (const bad of ["", "plain", "@example.com", "a@", "a@b", "a..b@example.com", ".a@example.com", "a@-x.com", "a@x..com", "a b@example.com", "a@1.2", `${"x".repeat(65)}@example.com`, `a@${"x".repeat(250)}.com`]) {
      expect(emailProblem(bad), bad).toBeTypeOf("string");
    }
  });

  it("turns ROLE_UNSPECIFIED into ROLE_USER and refuses unknown roles", () => {
    const ok = checkCreateUser(req());
    expect(ok).toEqual({ ok: true, value: { username: "alice", email: "alice@example.com", fullName: "Alice", role: 1 } });
    const bad = checkCreateUser(req({ role: 7 }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.violations.map((v) => v.field)).toEqual(["role"]);
  });

  it("names every bad field at once", () => {
    const bad = checkCreateUser(req({ username: "x", email: "nope", role: -1 }));
    expect(bad.ok ? [] : bad.violations.map((v) => v.field)).toEqual(["username", "email", "role"]);
  });

  it("names the batch position of each bad field", () => {
    const bad = checkBatch([req(), req({ username: "bob", email: "b" }), req(), req({ username: "?" })]);
    expect(bad.ok ? [] : bad.violations.map((v) => v.field)).toEqual(["requests[1].email", "requests[3].username"]);
    const ok = checkBatch([req(), req({ role: 3 })]);
    expect(ok.ok ? ok.value.map((u) => u.role) : []).toEqual([1, 3]);
  });

  it("refuses an empty id", () => {
    expect(checkId("")).toEqual({ ok: false, violations: [{ field: "id", description: "id is required" }] });
    expect(checkId("abc")).toEqual({ ok: true, value: "abc" });
  });

  it("parses role_filter spellings in any case and checks limit", () => {
    for (const s of ["ROLE_ADMIN", "admin", "Admin", "role_admin"]) expect(parseRoleName(s)).toBe(2);
    expect(parseRoleName("moderator")).toBe(3);
    expect(parseRoleName("USER")).toBe(1);
    for (const s of ["ROLE_UNSPECIFIED", "root", " admin", "2"]) expect(parseRoleName(s)).toBeUndefined();
    expect(checkListUsers({ roleFilter: "", limit: 0 })).toEqual({ ok: true, value: { limit: 0 } });
    expect(checkListUsers({ roleFilter: "Moderator", limit: 5 })).toEqual({ ok: true, value: { role: 3, limit: 5 } });
    const bad = checkListUsers({ roleFilter: "boss", limit: -1 });
    expect(bad.ok ? [] : bad.violations.map((v) => v.field)).toEqual(["role_filter", "limit"]);
  });

  it("turns update requests into patches or failure messages", () => {
    expect(checkUpdate({ userId: "1", field: "full_name", value: "" })).toEqual({ ok: true, patch: { fullName: "" }, changesRole: false });
    expect(checkUpdate({ userId: "1", field: "role", value: "ROLE_MODERATOR" })).toEqual({ ok: true, patch: { role: 3 }, changesRole: true });
    expect(checkUpdate({ userId: "1", field: "email", value: "new@example.com" })).toMatchObject({ ok: true });
    const cases: [string, string, RegExp][] = [
      ["username", "x", /invalid value/],
      ["email", "bad", /invalid value/],
      ["role", "boss", /unknown role/],
      ["password", "x", /unknown field/],
    ];
    for (const [field, value, msg] of cases) {
      const r = checkUpdate({ userId: "1", field, value });
      expect(r.ok ? "" : r.message).toMatch(msg);
    }
    expect(checkUpdate({ userId: "", field: "full_name", value: "x" })).toEqual({ ok: false, message: "user_id is required" });
  });
});
