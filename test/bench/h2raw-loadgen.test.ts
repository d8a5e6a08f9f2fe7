// The raw HTTP/2 CreateUser generator (bench/loadgen/h2raw-loadgen.ts) against the real service: every
// call it counts created a user, and an answer without the created user (here: a refused token) is
// counted as an error, never as a call.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestService, TOKENS, type TestService } from "../service/support.js";

const run = promisify(execFile);
const GENERATOR = join(import.meta.dirname, "../../bench/loadgen/h2raw-loadgen.ts");

interface Result {
  calls: number;
  errors: number;
  firstError?: string;
}

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

async function allUsers(): Promise<{ username: string; email: string }[]> {
  const out: { username: string; email: string }[] = [];
  for await (const u of svc.client().listUsers({})) out.push(u);
  return out;
}

async function generate(token: string, maxCalls: number): Promise<Result> {
  const args = ["--import", "tsx", GENERATOR, "--target", svc.target, "--token", token, "--connections", "2", "--streams", "4", "--warmup", "0", "--max-calls", String(maxCalls)];
  const { stdout } = await run(process.execPath, args, { timeout: 30_000 });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "") as Result;
}

test("every call it counts created a new user", async () => {
  const before = await allUsers();
  const r = await generate(TOKENS.admin, 200);
  expect(r.errors).toBe(0);
  expect(r.calls).toBe(200);
  const after = await allUsers();
  expect(after.length - before.length).toBe(200);
  expect(new Set(after.map((u) => u.username)).size).toBe(after.length);
  expect(after.at(-1)?.email).toBe(`${after.at(-1)?.username}@bench.example`);
});

test("an error answer is an error, not a call", async () => {
  const r = await generate("not-a-token", 20);
  expect(r.calls).toBe(0);
  expect(r.errors).toBeGreaterThan(0);
  expect(r.firstError).toMatch(/Trailers-Only/);
  const refused = svc.logs.filter((l) => l.code === "UNAUTHENTICATED" && l.method === "/user.UserService/CreateUser");
  expect(refused.length).toBeGreaterThan(0);
});
