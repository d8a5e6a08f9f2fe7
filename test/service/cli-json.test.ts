import { describe, expect, it } from "vitest";
import { parseCreateLine, parseRoleValue, parseUpdateLine, userToJson } from "../../src/cli/json.js";

describe("userctl JSON mapping", () => {
  it("prints users in proto3 JSON: camelCase, int64 as strings, enums by name", () => {
    const j = userToJson({ id: "i", username: "u", email: "e@x.io", fullName: "F", role: 2, createdAt: 1700000000000n, updatedAt: 1700000000001n });
    expect(j).toEqual({ id: "i", username: "u", email: "e@x.io", fullName: "F", role: "ROLE_ADMIN", createdAt: "1700000000000", updatedAt: "1700000000001" });
    expect(userToJson({ id: "", username: "", email: "", fullName: "", role: 9, createdAt: 0n, updatedAt: 0n }).role).toBe(9);
  });

  it("reads batch lines with camelCase or snake_case names and any role spelling", () => {
    expect(parseCreateLine('{"username":"ann","email":"a@x.io","full_name":"Ann","role":"admin"}')).toEqual({
      ok: true,
      value: { username: "ann", email: "a@x.io", fullName: "Ann", role: 2 },
    });
    expect(parseCreateLine('{"username":"bob","fullName":"B","role":3}')).toEqual({ ok: true, value: { username: "bob", email: "", fullName: "B", role: 3 } });
    for (const bad of ["nope", "[1]", '{"username":1}', '{"role":"boss"}']) expect(parseCreateLine(bad).ok).toBe(false);
  });

  it("reads update lines", () => {
    expect(parseUpdateLine('{"user_id":"1","field":"email","value":"n@x.io"}')).toEqual({ ok: true, value: { userId: "1", field: "email", value: "n@x.io" } });
    expect(parseUpdateLine('{"userId":"1","field":"role","value":"admin"}').ok).toBe(true);
    expect(parseUpdateLine('{"user_id":5}').ok).toBe(false);
  });

  it("rejects unknown fields, naming the field and the closest known one", () => {
    expect(parseCreateLine('{"username":"ann","email":"a@x.io","full_nmae":"Ann"}')).toEqual({
      ok: false,
      error: 'unknown field "full_nmae" (did you mean "full_name"?); known fields: username, email, full_name, role',
    });
    expect(parseCreateLine('{"username":"ann","emial":"a@x.io"}')).toMatchObject({ ok: false, error: expect.stringMatching(/^unknown field "emial" \(did you mean "email"\?\)/) });
    expect(parseCreateLine('{"username":"ann","FullName":"A"}')).toMatchObject({ ok: false, error: expect.stringContaining('did you mean "full_name"') });
    expect(parseUpdateLine('{"userid":"1","field":"email","value":"n@x.io"}')).toMatchObject({ ok: false, error: expect.stringMatching(/^unknown field "userid" \(did you mean "user_id"\?\); known fields: user_id, field, value$/) });
    expect(parseCreateLine('{"id":"1","username":"ann"}')).toEqual({ ok: false, error: 'unknown field "id"; known fields: username, email, full_name, role' });
    expect(parseUpdateLine('{"user_id":"1","field":"email","valeu":"n@x.io"}')).toMatchObject({ ok: false, error: expect.stringContaining('"valeu" (did you mean "value"?)') });
  });

  it("parses role values", () => {
    expect(parseRoleValue(undefined)).toEqual({ ok: true, value: 0 });
    expect(parseRoleValue("ROLE_UNSPECIFIED")).toEqual({ ok: true, value: 0 });
    expect(parseRoleValue("Moderator")).toEqual({ ok: true, value: 3 });
    expect(parseRoleValue(true).ok).toBe(false);
  });
});
