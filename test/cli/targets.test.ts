// userctl accepts the channel's target schemes and --service-config; a bad target or config is a usage error (64).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_USAGE, runUserctl } from "../../src/cli/run.js";
import { HealthService, HealthServiceDescriptor } from "../../src/service/health.js";
import { Server } from "../../src/server/index.js";

let dir: string;
let server: Server;
let port: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "userctl-targets-"));
  server = new Server();
  server.addService(HealthServiceDescriptor, new HealthService().implementation);
  port = await server.listen({ port: 0 });
});
afterAll(async () => {
  await server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runUserctl(argv, { stdin: new PassThrough(), out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("userctl targets and --service-config", () => {
  it("reaches the server through ipv4: and dns: targets with a round_robin service config", async () => {
    const sc = join(dir, "sc.json");
    writeFileSync(sc, JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }], methodConfig: [{ name: [{}], timeout: "5s" }] }));
    expect(await run("--target", `ipv4:127.0.0.1:${port},127.0.0.1:${port}`, "--service-config", sc, "health")).toEqual({ code: 0, out: '{"status":"SERVING"}', err: "" });
    expect(await run("--target", `dns:///localhost:${port}`, "health")).toEqual({ code: 0, out: '{"status":"SERVING"}', err: "" });
  });

  it("a bad target, a missing file or an invalid service config is a usage error naming the problem", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ methodConfig: [{ name: [{ service: "x" }], retryPolicy: { maxAttempts: 1 } }] }));
    const r1 = await run("--target", "ipv4:nope:1", "health");
    expect([r1.code, r1.err]).toEqual([EXIT_USAGE, expect.stringMatching(/"nope" is not an IPv4 address/)]);
    const r2 = await run("--target", `127.0.0.1:${port}`, "--service-config", join(dir, "missing.json"), "health");
    expect([r2.code, r2.err]).toEqual([EXIT_USAGE, expect.stringMatching(/--service-config: ENOENT/)]);
    const r3 = await run("--target", `127.0.0.1:${port}`, "--service-config", bad, "health");
    expect([r3.code, r3.err]).toEqual([EXIT_USAGE, expect.stringMatching(/methodConfig\[0\]\.retryPolicy\.maxAttempts must be an integer > 1/)]);
  });
});
