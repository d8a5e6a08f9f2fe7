// README's "TLS and mTLS in five minutes" (and "See gRPC on the wire"), run as written: the ```sh tested blocks in order, each
// line a shell command that must exit 0 (or the code its `# exit N` comment names); a line with
// `npm start` runs in the background until the next one (or the end). Changes, so that it runs beside
// other tests: `certs/` is a temp dir, and 50051 a free port (PORT and USERCTL_TARGET are set to it,
// as the defaults would be). Also: the commands `npm start` prints are pasted and must work.
// grpcurl comes from .peers/bin (scripts/install-peers.sh grpcurl installs it when Go is there);
// under CI=true a missing grpcurl fails the test.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, codeBlocks, read } from "./markdown.js";
import { freePort } from "../support/free-port.js";

const GRPCURL = path.join(ROOT, ".peers/bin/grpcurl");
let certs: string;
let haveGrpcurl = false;

beforeAll(() => {
  certs = mkdtempSync(path.join(tmpdir(), "quickstart-certs-"));
  if (!existsSync(GRPCURL)) {
    const hasGo = spawnSync("go", ["version"]).status === 0;
    if (hasGo || process.env.CI === "true") {
      const r = spawnSync("bash", ["scripts/install-peers.sh", "grpcurl"], { cwd: ROOT, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`scripts/install-peers.sh grpcurl failed:\n${r.stdout}${r.stderr}`);
    }
  }
  haveGrpcurl = existsSync(GRPCURL);
  if (!haveGrpcurl && process.env.CI === "true") throw new Error("grpcurl is missing (.peers/bin/grpcurl) and could not be installed: under CI that is a failure");
  if (!haveGrpcurl) console.warn("readme-commands: no Go, so no grpcurl: the grpcurl lines are not run (under CI=true this fails)");
}, 600_000);
afterAll(() => rmSync(certs, { recursive: true, force: true }));


interface Server {
  child: ChildProcess;
  out: string[];
  exited: Promise<number | null>;
}

/** Runs a shell line in the background (own process group: npm → tsx → node); resolves once it prints "listening on". */
async function startServer(line: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn("bash", ["-c", line], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const out: string[] = [];
  child.stdout!.setEncoding("utf8").on("data", (d: string) => out.push(d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => out.push(d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const started = await new Promise<boolean>((resolve) => {
    const tick = setInterval(() => {
      if (out.join("").includes("listening on")) done(true);
    }, 50);
    const done = (ok: boolean): void => {
      clearInterval(tick);
      resolve(ok);
    };
    void exited.then(() => done(false));
  });
  expect(started, `${line}\n${out.join("")}`).toBe(true);
  return { child, out, exited };
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode === null) process.kill(-s.child.pid!, "SIGTERM");
  const timer = setTimeout(() => s.child.exitCode === null && process.kill(-s.child.pid!, "SIGKILL"), 20_000);
  await s.exited;
  clearTimeout(timer);
}

function sh(line: string, env: NodeJS.ProcessEnv): { code: number | null; out: string } {
  const r = spawnSync("bash", ["-c", line], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 90_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const env = (port: number): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { PORT: String(port), USERCTL_TARGET: `localhost:${port}`, LOG_LEVEL: "warn" };
  for (const k of ["AUTH_TOKENS", "USERCTL_TOKEN", "TLS_CERT", "TLS_KEY", "TLS_CLIENT_CA", "HOST"]) e[k] = undefined;
  return e;
};
const cleanEnv = (e: NodeJS.ProcessEnv): NodeJS.ProcessEnv => Object.fromEntries(Object.entries({ ...process.env, ...e }).filter(([, v]) => v !== undefined));

describe("README: the sh tested blocks (wire trace; TLS and mTLS in five minutes), and grpcurl", () => {
  it("runs every tested command as written", async () => {
    const blocks = codeBlocks("README.md", read("README.md")).filter((b) => b.lang === "sh" && b.flags.includes("tested"));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const port = await freePort();
    const e = cleanEnv(env(port));
    let server: Server | undefined;
    let ran = 0;
    try {
      for (const b of blocks) {
        for (const raw of b.code.split("\n")) {
          const hash = raw.search(/\s#|^#/);
          const command = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
          if (command === "") continue;
          const expected = Number(/# exit (\d+)/.exec(raw)?.[1] ?? 0);
          let line = command.replaceAll("certs/", `${certs}/`).replaceAll("localhost:50051", `localhost:${port}`);
          if (command === "npm run certs") line = `npm run certs -- ${certs}`;
          if (line.includes(".peers/bin/grpcurl") && !haveGrpcurl) continue;
          const at = `README.md:${b.line}: ${command}`;
          if (line.includes("npm start")) {
            if (server) await stopServer(server);
            server = await startServer(line, e);
          } else {
            const r = sh(line, e);
            expect(r.code, `${at}\n${r.out}`).toBe(expected);
          }
          ran++;
        }
      }
    } finally {
      if (server) await stopServer(server);
    }
    expect(ran).toBeGreaterThanOrEqual(haveGrpcurl ? 14 : 10);
  }, 300_000);

  it("the commands npm start prints work as pasted (plaintext with a generated token, and mutual TLS)", async () => {
    expect(sh(`bash scripts/certs.sh ${certs}`, {}).code).toBe(0);
    for (const flags of ["", `--tls-cert ${certs}/server.pem --tls-key ${certs}/server-key.pem --tls-client-ca ${certs}/ca.pem`]) {
      const port = await freePort();
      const e = cleanEnv(env(port));
      const server = await startServer(`npm start -- ${flags}`, e);
      try {
        await new Promise((r) => setTimeout(r, 200)); // let the rest of the banner arrive
        const banner = server.out.join("").split("\n");
        const pasted = banner.map((l) => l.trim()).filter((l) => l.startsWith("npm run userctl") || l.includes("grpcurl "));
        expect(pasted.length, banner.join("\n")).toBe(3);
        for (const p of pasted) {
          const command = p.replace(/\s+#.*$/, "");
          if (command.includes("grpcurl") && !haveGrpcurl) continue;
          const r = sh(command, { ...e, USERCTL_TARGET: undefined });
          expect(r.code, `${command}\n${r.out}`).toBe(0);
        }
      } finally {
        await stopServer(server);
      }
    }
  }, 300_000);

  it("README's library server answers grpcurl through reflection (list, describe, a call, health)", async () => {
    const block = codeBlocks("README.md", read("README.md")).find((b) => b.lang === "ts" && b.flags.includes("server"));
    expect(block, "README.md has a ```ts runnable server block").toBeDefined();
    if (!haveGrpcurl) return; // warned in beforeAll; under CI beforeAll fails instead
    const port = await freePort();
    const file = path.join(ROOT, `.doc-snippet-readme-server-grpcurl-${process.pid}.ts`);
    writeFileSync(file, block!.code.replaceAll("50051", String(port)));
    try {
      const server = await startServer(`exec node --import tsx ${file}`, {});
      try {
        const curl = (args: string): { code: number | null; out: string } => sh(`.peers/bin/grpcurl -plaintext ${args}`, {});
        let r = curl(`localhost:${port} list`);
        expect(r.code, r.out).toBe(0);
        expect(r.out.split("\n").filter((l) => l !== "")).toEqual(["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "user.UserService"]);
        r = curl(`localhost:${port} describe user.UserService.GetUser`);
        expect(r.out).toContain("rpc GetUser ( .user.GetUserRequest ) returns ( .user.User )");
        r = curl(`-d '{"id":"7"}' localhost:${port} user.UserService/GetUser`);
        expect(JSON.parse(r.out)).toEqual({ id: "7", username: "user_7" });
        r = curl(`-d '{"service":"user.UserService"}' localhost:${port} grpc.health.v1.Health/Check`);
        expect(JSON.parse(r.out)).toEqual({ status: "SERVING" });
      } finally {
        await stopServer(server);
      }
      expect(await server.exited).toBe(0);
    } finally {
      rmSync(file, { force: true });
    }
  }, 120_000);
});
