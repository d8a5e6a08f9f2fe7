// grpcurl (through server reflection, no .proto files) and grpc-health-probe (grpc/grpc
// doc/health-checking.md) against the user service (`npm start`), for `npm run interop`.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { freePort } from "../support/free-port.js";

export interface ToolCheck {
  name: string;
  /** undefined: the tool is missing. */
  ok: boolean | undefined;
  detail: string;
}

interface Run {
  code: number | null;
  out: string;
}

function run(cmd: string, args: string[], input?: string, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
    child.stdin.end(input ?? "");
  });
}


const ADMIN = "interop-admin-token";
const USER = "interop-user-token";

export async function runToolChecks(o: { ci: boolean; bin: string; root: string }): Promise<ToolCheck[]> {
  const grpcurl = path.join(o.bin, "grpcurl");
  const probe = path.join(o.bin, "grpc-health-probe");
  const checks: ToolCheck[] = [];
  const haveCurl = existsSync(grpcurl);
  const haveProbe = existsSync(probe);
  if (!haveCurl) checks.push({ name: "grpcurl", ok: undefined, detail: ".peers/bin/grpcurl missing" });
  if (!haveProbe) checks.push({ name: "grpc-health-probe", ok: undefined, detail: ".peers/bin/grpc-health-probe missing" });
  if (!haveCurl && !haveProbe) return checks;

  const port = await freePort();
  const service = spawn(process.execPath, ["--import", "tsx", path.join(o.root, "src/service/main.ts"), `--port=${port}`, "--host=127.0.0.1"], {
    cwd: o.root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, AUTH_TOKENS: `${ADMIN}=admin,${USER}=user`, LOG_LEVEL: "warn", SHUTDOWN_GRACE_MS: "10000" },
  });
  let serviceLog = "";
  service.stdout.on("data", (b: Buffer) => (serviceLog += b.toString()));
  service.stderr.on("data", (b: Buffer) => (serviceLog += b.toString()));
  const up = await new Promise<boolean>((resolve) => {
    const until = Date.now() + 30_000;
    const tick = (): void => {
      if (serviceLog.includes("listening")) return resolve(true);
      if (service.exitCode !== null || Date.now() > until) return resolve(false);
      setTimeout(tick, 100);
    };
    tick();
  });
  if (!up) {
    service.kill("SIGKILL");
    checks.push({ name: "user service start", ok: false, detail: serviceLog.slice(-300) || "did not start" });
    return checks;
  }
  const addr = `127.0.0.1:${port}`;
  const auth = ["-H", `authorization: Bearer ${ADMIN}`];
  const curl = (args: string[], input?: string): Promise<Run> => run(grpcurl, ["-plaintext", ...args], input);
  const add = (name: string, ok: boolean, r: Run, summary?: string): void => {
    checks.push({ name, ok, detail: ok ? (summary ?? "") : `exit ${r.code}: ${r.out.trim().slice(0, 300)}` });
  };
  const stamp = Date.now().toString(36);

  if (haveCurl) {
    let r = await curl([addr, "list"]);
    add("grpcurl list", r.code === 0 && r.out.includes("user.UserService") && r.out.includes("grpc.health.v1.Health"), r, r.out.trim().split("\n").join(", "));

    r = await curl([addr, "describe", "user.UserService"]);
    add("grpcurl describe user.UserService", r.code === 0 && r.out.includes("rpc StreamUserUpdates ( stream .user.UserUpdateRequest ) returns ( stream .user.UserUpdateResponse )"), r, "service with its 6 RPCs");

    r = await curl([addr, "describe", "user.User"]);
    add("grpcurl describe user.User", r.code === 0 && r.out.includes("full_name = 4"), r, "message with its 7 fields");

    r = await curl([...auth, "-d", JSON.stringify({ username: `alice_${stamp}`, email: `alice_${stamp}@example.com`, full_name: "Alice", role: "ROLE_USER" }), addr, "user.UserService/CreateUser"]);
    let id = "";
    try {
      id = (JSON.parse(r.out) as { id?: string }).id ?? "";
    } catch {
      id = "";
    }
    add("grpcurl CreateUser (unary, -H)", r.code === 0 && id !== "", r, `id ${id}`);

    r = await curl(["-rpc-header", `authorization: Bearer ${USER}`, "-v", "-d", JSON.stringify({ id }), addr, "user.UserService/GetUser"]);
    add("grpcurl GetUser (-rpc-header, x-request-id in -v headers)", r.code === 0 && r.out.includes(`alice_${stamp}`) && /x-request-id:/i.test(r.out), r, "user found; response headers carry x-request-id");

    const batch = [0, 1, 2].map((i) => JSON.stringify({ username: `bob${i}_${stamp}`, email: `bob${i}_${stamp}@example.com`, full_name: `Bob ${i}` })).join("\n");
    r = await curl([...auth, "-d", "@", addr, "user.UserService/BatchCreateUsers"], batch);
    let created = 0;
    try {
      created = (JSON.parse(r.out) as { createdCount?: number }).createdCount ?? 0;
    } catch {
      created = 0;
    }
    add("grpcurl BatchCreateUsers (client stream, -d @ with 3 messages)", r.code === 0 && created === 3, r, "createdCount 3");

    r = await curl([...auth, "-d", JSON.stringify({ limit: 10 }), addr, "user.UserService/ListUsers"]);
    const listed = (r.out.match(/"username"/g) ?? []).length;
    add("grpcurl ListUsers (server stream)", r.code === 0 && listed >= 4, r, `${listed} users streamed`);

    const updates = [
      JSON.stringify({ user_id: id, field: "full_name", value: "Alice Updated" }),
      JSON.stringify({ user_id: id, field: "email", value: `alice2_${stamp}@example.com` }),
      JSON.stringify({ user_id: "no-such-id", field: "full_name", value: "x" }),
    ].join("\n");
    r = await curl([...auth, "-d", "@", addr, "user.UserService/StreamUserUpdates"], updates);
    const successes = (r.out.match(/"success": true/g) ?? []).length;
    const responses = (r.out.match(/"userId"/g) ?? []).length;
    add("grpcurl StreamUserUpdates (bidi, -d @ with 3 messages)", r.code === 0 && successes === 2 && responses === 3, r, "3 responses: 2 success, 1 failure (unknown user)");

    r = await curl([...auth, "-d", JSON.stringify({ id }), addr, "user.UserService/DeleteUser"]);
    add("grpcurl DeleteUser", r.code === 0 && r.out.includes('"success": true'), r, "success true");

    r = await curl([...auth, "-format-error", "-d", JSON.stringify({ username: "x", email: "not-an-email" }), addr, "user.UserService/CreateUser"]);
    add(
      "grpcurl error with BadRequest details (-format-error)",
      r.code === 64 + 3 && r.out.includes("google.rpc.BadRequest") && r.out.includes("fieldViolations"),
      r,
      "INVALID_ARGUMENT (exit 67) with a google.rpc.BadRequest listing the field violations",
    );

    r = await curl(["-d", JSON.stringify({ id: "x" }), addr, "user.UserService/GetUser"]);
    add("grpcurl without a token is UNAUTHENTICATED", r.code === 64 + 16, r, "exit 80 (64 + UNAUTHENTICATED)");
  }

  if (haveProbe) {
    let r = await run(probe, [`-addr=${addr}`]);
    add("grpc-health-probe healthy", r.code === 0 && r.out.includes("SERVING"), r, r.out.trim());
    r = await run(probe, [`-addr=${addr}`, "-service=user.UserService"]);
    add("grpc-health-probe -service=user.UserService", r.code === 0, r, r.out.trim());

    // Keep a call in flight so that the service stays in its shutdown grace period, then probe.
    const inflight = haveCurl ? spawn(grpcurl, ["-plaintext", ...auth, "-d", "@", addr, "user.UserService/StreamUserUpdates"], { stdio: ["pipe", "ignore", "ignore"] }) : undefined;
    await new Promise((res) => setTimeout(res, 1000));
    service.kill("SIGTERM");
    await new Promise((res) => setTimeout(res, 300));
    r = await run(probe, [`-addr=${addr}`, "-connect-timeout=2s", "-rpc-timeout=2s"]);
    // Exit 4 = NOT_SERVING; 2 = connection refused (listener already closed): both mean "not healthy".
    add("grpc-health-probe during shutdown fails", r.code !== 0, r, `exit ${r.code}: ${r.out.trim()}`);
    inflight?.stdin?.end();
    inflight?.kill("SIGKILL");
  }

  await new Promise<void>((resolve) => {
    if (service.exitCode !== null) return resolve();
    const t = setTimeout(() => service.kill("SIGKILL"), 15_000);
    service.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    service.kill("SIGTERM");
  });
  return checks;
}
