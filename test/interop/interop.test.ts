// A small slice of the interop matrix (test/interop/matrix.ts) that needs no Go or Python:
// @grpc/grpc-js's interop client against our TestService server, and our interop client against
// the grpc-js interop server, plaintext and TLS. The full matrix is `npm run interop`.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTestCase } from "../../src/interop/client.js";
import { startInteropServer, type RunningInteropServer } from "../../src/interop/server.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const NODE_PEER = path.join(ROOT, "test/interop/peers/node");
const TLS_FLAGS = ["--use_tls=true", "--use_test_ca=true", "--server_host_override=foo.test.google.fr"];

const CASES = [
  "empty_unary",
  "large_unary",
  "client_streaming",
  "server_streaming",
  "ping_pong",
  "empty_stream",
  "custom_metadata",
  "status_code_and_message",
  "special_status_message",
  "unimplemented_method",
  "unimplemented_service",
  "cancel_after_begin",
  "cancel_after_first_response",
  "timeout_on_sleeping_server",
];

/** Runs the grpc-js interop client on several cases; returns its exit code and per-case lines. */
function grpcJsClient(port: number, cases: string[], extra: string[] = []): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(NODE_PEER, "client.ts"), "--server_host=localhost", `--server_port=${port}`, `--test_case=${cases.join(",")}`, ...extra], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

/** Starts the grpc-js interop server on a port the OS picks. */
function grpcJsServer(tls: boolean): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(NODE_PEER, "server.ts"), "--port=0", `--use_tls=${tls}`], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /listening on (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("exit", (code) => reject(new Error(`grpc-js interop server exited with ${code}: ${out}`)));
  });
}

describe("grpc-js interop client → our server", () => {
  let plain: RunningInteropServer;
  let tls: RunningInteropServer;
  beforeAll(async () => {
    plain = await startInteropServer({ port: 0, host: "localhost" });
    tls = await startInteropServer({ port: 0, host: "localhost", useTls: true });
  });
  afterAll(async () => {
    await plain?.server.shutdown(1000);
    await tls?.server.shutdown(1000);
  });

  it("passes every case, plus CompressedRequest (client_compressed_unary/streaming)", async () => {
    const cases = [...CASES, "client_compressed_unary", "client_compressed_streaming"];
    const r = await grpcJsClient(plain.port, cases);
    for (const c of cases) expect(r.out).toContain(`${c}: PASS`);
    expect(r.code).toBe(0);
  });

  it("passes over TLS with the gRPC test CA", async () => {
    const r = await grpcJsClient(tls.port, ["large_unary", "custom_metadata", "ping_pong"], TLS_FLAGS);
    expect(r.out).toContain("large_unary: PASS");
    expect(r.out).toContain("custom_metadata: PASS");
    expect(r.out).toContain("ping_pong: PASS");
    expect(r.code).toBe(0);
  });
});

describe("our interop client → grpc-js server", () => {
  let plain: { child: ChildProcess; port: number };
  let tls: { child: ChildProcess; port: number };
  beforeAll(async () => {
    [plain, tls] = await Promise.all([grpcJsServer(false), grpcJsServer(true)]);
  });
  afterAll(() => {
    plain?.child.kill();
    tls?.child.kill();
  });

  it.each(CASES)("%s", async (testCase) => {
    await expect(runTestCase(testCase, { serverHost: "localhost", serverPort: plain.port })).resolves.toBeUndefined();
  });

  it("fails a case whose server does not behave (client_compressed_unary: grpc-js cannot check expect_compressed)", async () => {
    await expect(runTestCase("client_compressed_unary", { serverHost: "localhost", serverPort: plain.port })).rejects.toThrow(/call succeeded, want status 3/);
  });

  it("passes over TLS with the gRPC test CA", async () => {
    const o = { serverHost: "localhost", serverPort: tls.port, useTls: true, useTestCa: true, serverHostOverride: "foo.test.google.fr" };
    await expect(runTestCase("large_unary", o)).resolves.toBeUndefined();
    await expect(runTestCase("custom_metadata", o)).resolves.toBeUndefined();
  });

  it("refuses the server certificate without the test CA", async () => {
    await expect(runTestCase("empty_unary", { serverHost: "localhost", serverPort: tls.port, useTls: true, serverHostOverride: "foo.test.google.fr" })).rejects.toThrow();
  });
});
