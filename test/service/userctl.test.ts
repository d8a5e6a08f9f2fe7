// userctl smoke test: the real bin (bin/userctl.mjs, through tsx) against the service, every command.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/stores.js";
import { TOKENS, startTestService, type TestService } from "./support.js";

let t: TestService;
let dir: string;

describe.each(STORE_KINDS)("on the $name store", (kind) => {
  beforeAll(async () => {
    t = await startTestService({}, (await kind.fresh()).store);
    dir = mkdtempSync(join(tmpdir(), "userctl-"));
  });
  afterAll(async () => {
    await t.close();
    await kind.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Run {
    code: number | null;
    out: string;
    err: string;
    json: Array<Record<string, unknown>>;
  }

  function userctl(args: string[], stdin = "", token: string = TOKENS.admin): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ["bin/userctl.mjs", "--target", t.target, "--token", token, ...args], { stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      child.on("exit", (code) => {
        const json = out
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ code, out, err, json });
      });
      child.stdin.end(stdin);
    });
  }

  describe("userctl", () => {
    it("runs every command, prints JSON and exits with the status on errors", async () => {
      const health = await userctl(["health"]);
      expect(health.json).toEqual([{ status: "SERVING" }]);
      expect(health.code).toBe(0);

      const created = await userctl(["create", "--username", "cli_john", "--email", "john@cli.io", "--full-name", "John Doe", "--role", "moderator"]);
      expect(created.code).toBe(0);
      const john = created.json[0];
      expect(john).toMatchObject({ username: "cli_john", email: "john@cli.io", fullName: "John Doe", role: "ROLE_MODERATOR" });
      expect(john.createdAt).toBe(john.updatedAt);

      const got = await userctl(["get", String(john.id)], "", TOKENS.user);
      expect(got.json).toEqual([john]);

      const file = join(dir, "batch.jsonl");
      writeFileSync(file, '{"username":"cli_ann","email":"ann@cli.io","full_name":"Ann"}\n\n{"username":"cli_bob","email":"bob@cli.io","role":"ROLE_ADMIN"}\n');
      const batch = await userctl(["batch", file]);
      expect(batch.code).toBe(0);
      expect(batch.json[0]).toMatchObject({ createdCount: 2 });
      const fromStdin = await userctl(["batch"], '{"username":"cli_cy","email":"cy@cli.io"}\n');
      expect(fromStdin.json[0]).toMatchObject({ createdCount: 1 });

      const list = await userctl(["list"], "", TOKENS.user);
      expect(list.json.map((u) => u.username)).toEqual(["cli_john", "cli_ann", "cli_bob", "cli_cy"]);
      const admins = await userctl(["list", "--role", "admin", "--limit", "5"]);
      expect(admins.json.map((u) => u.username)).toEqual(["cli_bob"]);

      const updates = [
        { user_id: john.id, field: "full_name", value: "Johnny" },
        { user_id: john.id, field: "email", value: "ann@cli.io" },
        { user_id: "nobody", field: "role", value: "admin" },
      ];
      const upd = await userctl(["update"], updates.map((u) => JSON.stringify(u)).join("\n") + "\n", TOKENS.moderator);
      expect(upd.code).toBe(0);
      expect(upd.json.map((r) => [r.userId, r.success])).toEqual([
        [john.id, true],
        [john.id, false],
        ["nobody", false],
      ]);

      expect((await userctl(["delete", String(john.id)])).json).toEqual([{ success: true }]);

      const missing = await userctl(["get", String(john.id)]);
      expect(missing.code).toBe(5);
      expect(JSON.parse(missing.err)).toMatchObject({ error: { code: "NOT_FOUND", status: 5 } });

      const invalid = await userctl(["create", "--username", "x", "--email", "y"]);
      expect(invalid.code).toBe(3);
      expect((JSON.parse(invalid.err) as { error: { fieldViolations: Array<{ field: string }> } }).error.fieldViolations.map((v) => v.field)).toEqual(["username", "email"]);

      expect((await userctl(["list"], "", "wrong-token")).code).toBe(16);
      expect((await userctl(["create", "--username", "nope_user", "--email", "n@cli.io"], "", TOKENS.user)).code).toBe(7);
      const usage = await userctl(["frobnicate"]);
      expect(usage.code).toBe(64);
      expect(usage.err).toContain("unknown command");
    }, 120_000);
  });
});

describe("userctl messages say what to do next", () => {
  // Its own service on the memory store: the per-store services above are closed by now.
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({});
  });
  afterAll(() => t.close());

  function bare(args: string[], stdin = ""): Promise<{ code: number | null; err: string }> {
    const env = { ...process.env };
    delete env.USERCTL_TOKEN;
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ["bin/userctl.mjs", "--target", t.target, ...args], { stdio: ["pipe", "ignore", "pipe"], env });
      let err = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      child.on("exit", (code) => resolve({ code, err }));
      child.stdin.end(stdin);
    });
  }

  it("without a token: names --token and USERCTL_TOKEN and where tokens come from", async () => {
    const r = await bare(["list"]);
    expect(r.code).toBe(16);
    const hint = (JSON.parse(r.err) as { error: { hint: string } }).error.hint;
    expect(hint).toContain("--token");
    expect(hint).toContain("USERCTL_TOKEN");
    expect(hint).toContain("AUTH_TOKENS");
    const wrong = await bare(["--token", "nope", "list"]);
    expect((JSON.parse(wrong.err) as { error: { hint: string } }).error.hint).toContain("does not know this token");
  }, 60_000);

  it("server unreachable or TLS mismatch: the hint names the address and the TLS flags", async () => {
    const r = await bare(["--token", TOKENS.admin, "--ca", "/nonexistent-ca.pem", "list"]);
    expect(r.code).toBe(64); // an unreadable --ca file is a usage error naming the flag
    expect(r.err).toContain("cannot read --ca /nonexistent-ca.pem: ENOENT");
    const refused = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, ["bin/userctl.mjs", "--target", "127.0.0.1:1", "--token", TOKENS.admin, "list"], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      child.on("exit", (code) => resolve({ code, err }));
    });
    expect(refused.code).toBe(14);
    const hint = (JSON.parse(refused.err) as { error: { hint: string } }).error.hint;
    expect(hint).toContain("127.0.0.1:1");
    expect(hint).toContain("--ca");
  }, 60_000);

  it("batch and update reject a misspelt JSON field, naming the closest known one", async () => {
    const batch = await bare(["--token", TOKENS.admin, "batch"], '{"username":"typo_user","email":"t@cli.io","full_nmae":"T"}\n');
    expect(batch.code).toBe(64);
    expect(batch.err).toContain('line 1: unknown field "full_nmae" (did you mean "full_name"?)');
    const update = await bare(["--token", TOKENS.admin, "update"], '{"user_id":"x","feild":"email","value":"v@cli.io"}\n');
    expect(update.code).toBe(64);
    expect(update.err).toContain('line 1: unknown field "feild" (did you mean "field"?)');
  }, 60_000);
});
