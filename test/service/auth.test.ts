import { describe, expect, it } from "vitest";
import { TokenAuthenticator, digestsEqual, generateToken, parseAuthTokens, parseBearer } from "../../src/service/auth.js";

describe("auth", () => {
  it("parses token=role lists", () => {
    expect(parseAuthTokens("a1=admin, m1=Moderator ,u1=user,")).toEqual({
      ok: true,
      entries: [
        { token: "a1", role: "admin" },
        { token: "m1", role: "moderator" },
        { token: "u1", role: "user" },
      ],
    });
    expect(parseAuthTokens("abc==admin")).toEqual({ ok: true, entries: [{ token: "abc=", role: "admin" }] });
  });

  it("reports bad lists without quoting the tokens", () => {
    for (const bad of ["", "secret", "=admin", "secret=root", "secret=admin,secret=user", "se cret=admin"]) {
      const r = parseAuthTokens(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).not.toContain("secret");
    }
  });

  it("reads Bearer tokens with the scheme in any case", () => {
    expect(parseBearer("Bearer abc")).toBe("abc");
    expect(parseBearer("bearer   abc")).toBe("abc");
    expect(parseBearer("BEARER abc")).toBe("abc");
    expect(parseBearer("Basic abc")).toBeUndefined();
    expect(parseBearer("Bearer")).toBeUndefined();
    expect(parseBearer("Bearer a b")).toBeUndefined();
    expect(parseBearer(undefined)).toBeUndefined();
  });

  it("authenticates configured tokens only", () => {
    const a = new TokenAuthenticator([
      { token: "t-admin", role: "admin" },
      { token: "t-mod", role: "moderator" },
      { token: "t-user", role: "user" },
    ]);
    expect(a.authenticate("Bearer t-admin")).toEqual({ role: "admin", tokenNumber: 1 });
    expect(a.authenticate("bearer t-mod")).toEqual({ role: "moderator", tokenNumber: 2 });
    expect(a.authenticate("Bearer t-user")).toEqual({ role: "user", tokenNumber: 3 });
    expect(a.authenticate("Bearer t-admi")).toBeUndefined();
    expect(a.authenticate("Bearer t-admin2")).toBeUndefined();
    expect(a.authenticate("t-admin")).toBeUndefined();
    expect(a.authenticate(undefined)).toBeUndefined();
    expect(JSON.stringify(a)).not.toContain("t-admin");
  });

  it("generates distinct url-safe tokens", () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateToken()).not.toBe(a);
  });
});

describe("digestsEqual", () => {
  it("is true only for identical 44-character digests", () => {
    const a = "A".repeat(43) + "=";
    expect(digestsEqual(a, a)).toBe(true);
    expect(digestsEqual(a, "B" + a.slice(1))).toBe(false);
    expect(digestsEqual(a, a.slice(0, 43) + "x")).toBe(false);
    expect(digestsEqual(a, a.slice(0, 43))).toBe(false);
    expect(digestsEqual(a + "=", a + "=")).toBe(false);
  });
});
