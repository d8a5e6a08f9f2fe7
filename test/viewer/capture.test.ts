// Tests src/viewer/capture.ts, index.ts and explain.ts without a browser: bounded memory (ring of
// calls, bytes per message and per call, events per call), nothing captured when off, secrets
// masked, metadata explained with PROTOCOL-HTTP2 links, WIRE_VIEWER=1 and userctl --viewer.

import { spawn } from "node:child_process";
import { request } from "node:http";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { runUserctl } from "../../src/cli/run.js";
import { activeWireViewer, enableWireViewer, enableWireViewerFromEnv } from "../../src/viewer/index.js";
import { Capture } from "../../src/viewer/capture.js";
import { describeCall, type CallSummary, type CallView } from "../../src/viewer/explain.js";
import { SchemaIndex } from "../../src/viewer/schema.js";
import { wireTrace } from "../../src/wire/trace.js";
import { startTestService, TOKENS } from "../service/support.js";

afterEach(async () => {
  await activeWireViewer()?.close();
});

describe("Capture", () => {
  it("keeps the last maxCalls calls only", () => {
    const c = new Capture({ maxCalls: 3 });
    for (let i = 1; i <= 5; i++) c.call("client", `C${i}`, `/s.S/M${i}`).closed();
    expect(c.calls().map((x) => x.tag)).toEqual(["C3", "C4", "C5"]);
    expect(c.get(1)).toBeUndefined();
    expect(c.get(5)?.path).toBe("/s.S/M5");
  });

  it("keeps at most maxMessageBytes of a message and maxCallBytes of a call, counting the rest", () => {
    const c = new Capture({ maxMessageBytes: 10, maxCallBytes: 25, maxEventsPerCall: 6 });
    const rec = c.call("server", "S1", "/s.S/M");
    for (let i = 0; i < 8; i++) rec.message("in", false, new Uint8Array(100).fill(i), undefined, false);
    const call = c.calls()[0];
    expect(call.received).toBe(8);
    expect(call.events.map((e) => e.bytes?.length)).toEqual([10, 10, 5, undefined, undefined, undefined]);
    expect(call.events.every((e) => e.length === 100)).toBe(true);
    expect(call.bytesKept).toBe(25);
    expect(call.droppedEvents).toBe(2);
    // A copy, not a view of the sender's buffer.
    expect(call.events[1].bytes?.buffer.byteLength).toBe(10);
  });

  it("shows a compressed message's bytes as sent and its fields before compression", async () => {
    const { gzipSync } = await import("node:zlib");
    const plain = Buffer.from("0a05616c696365", "hex"); // field 1: "alice"
    const c = new Capture();
    const rec = c.call("server", "S1", "/s.S/M");
    rec.message("in", true, gzipSync(plain), undefined, false);
    rec.decompressed(plain);
    const [event] = describeCall(c.calls()[0], new SchemaIndex()).events;
    expect(event.label).toMatch(/^DATA: message 1 \(\d+ bytes, compressed\)$/);
    expect(event.message).toMatchObject({ compressed: true, body: { fields: [] }, plain: { hex: "0a05616c696365", fields: [{ field: 1, value: '"alice"' }] } });
    expect(event.message?.prefix.slice(0, 2)).toBe("01");
  });

  it("shows a connection's GOAWAY on the calls open on it, else on its last call", () => {
    const c = new Capture();
    const done = c.call("server", "S1", "/s.S/A");
    done.connection("S-conn1", "127.0.0.1:1");
    done.closed();
    const open = c.call("server", "S2", "/s.S/B");
    open.connection("S-conn1", "127.0.0.1:1");
    c.call("server", "S3", "/s.S/C").connection("S-conn2", "127.0.0.1:2");
    c.goaway("S-conn1", "out", 0, "last processed", undefined);
    expect(c.calls().map((x) => x.events.filter((e) => e.kind === "GOAWAY").length)).toEqual([0, 1, 0]);
    open.closed();
    c.goaway("S-conn1", "in", 11, 0, Buffer.from("too_many_pings"));
    const view = describeCall(c.calls()[1], new SchemaIndex());
    expect(view.events.filter((e) => e.kind === "GOAWAY").map((e) => `${e.from} ${e.label} ${e.text}`)).toEqual([
      "server GOAWAY NO_ERROR (0x0) last-stream-id=last processed",
      'client GOAWAY ENHANCE_YOUR_CALM (0xb) last-stream-id=0 debug-data="too_many_pings"',
    ]);
  });

  it("masks secrets as the text trace does and records the status from the trailers", () => {
    const c = new Capture();
    const rec = c.call("client", "C1", "/s.S/M");
    rec.headers("out", "HEADERS", { ":path": "/s.S/M", authorization: "Bearer secret-token", "x-api-key": "k", "grpc-timeout": "4999000u" }, false);
    rec.headers("in", "TRAILERS-ONLY", { ":status": 200, "grpc-status": "5", "grpc-message": "no%20such%20user" }, true);
    rec.closed();
    const call = c.calls()[0];
    expect(JSON.stringify(call.events)).not.toContain("secret-token");
    const view = describeCall(call, new SchemaIndex());
    expect(view).toMatchObject({ status: 5, statusName: "NOT_FOUND", statusMessage: "no such user", done: true });
    const headers = view.events[0].headers ?? [];
    expect(headers.find((h) => h.name === "authorization")?.value).toBe("Bearer ****");
    expect(headers.find((h) => h.name === "x-api-key")?.value).toBe("****");
    expect(headers.find((h) => h.name === "grpc-timeout")?.note).toMatch(/^4999000 microseconds = 4999 ms/);
    expect(view.events[1]).toMatchObject({ label: "HEADERS (Trailers-Only) +END_STREAM", from: "server" });
    expect(view.events[1].links.map((l) => l.href)).toContain("https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md#responses");
  });
});

describe("the viewer switch", () => {
  it("captures nothing and costs one boolean when off", async () => {
    expect(wireTrace.enabled).toBe(false);
    expect(wireTrace.observer).toBeUndefined();
    const service = await startTestService({ logLevel: "silent" });
    try {
      await service.client("admin").createUser({ username: "off", email: "off@example.com" });
      const viewer = enableWireViewer({ port: 0, log: () => undefined });
      expect(wireTrace.enabled).toBe(true);
      expect(viewer.capture.calls()).toEqual([]); // the call before was not captured
      await service.client("admin").createUser({ username: "onn", email: "on@example.com" });
      await expect.poll(() => viewer.capture.calls().filter((c) => c.done).length, { timeout: 10_000 }).toBe(2);
      await viewer.close();
      expect(wireTrace.enabled).toBe(false);
      expect(wireTrace.observer).toBeUndefined();
    } finally {
      await service.close();
    }
  });

  it("starts from WIRE_VIEWER=1 with WIRE_VIEWER_PORT and WIRE_VIEWER_HOST, and serves the page", async () => {
    enableWireViewerFromEnv({ WIRE_VIEWER: "0" });
    expect(activeWireViewer()).toBeUndefined();
    enableWireViewerFromEnv({ WIRE_VIEWER: "1", WIRE_VIEWER_PORT: "0", WIRE_VIEWER_HOST: "127.0.0.1" });
    const url = await activeWireViewer()!.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("gRPC wire viewer");
    expect(await (await fetch(url + "api/calls")).json()).toEqual([]);
    const docs = await (await fetch(url + "docs/PROTOCOL.md")).text();
    expect(docs).toContain('id="3-length-prefixed-message"');
    expect((await fetch(url + "api/calls/99")).status).toBe(404);
    // A loopback viewer answers to loopback names only (a rebinding page's Host is its own name).
    const status = await new Promise<number | undefined>((resolve, reject) =>
      request(url + "api/calls", { headers: { host: "evil.example:80" } }, (res) => resolve(res.resume().statusCode)).on("error", reject).end(),
    );
    expect(status).toBe(421);
  });

  it("userctl --viewer shows the client side of its call, decoded with user.proto", async () => {
    const service = await startTestService({ logLevel: "silent" });
    const err: string[] = [];
    try {
      const io = { stdin: process.stdin, out: () => undefined, err: (l: string) => err.push(l), env: {} };
      const code = await runUserctl(["--target", service.target, "--token", TOKENS.admin, "--viewer", "--viewer-port", "0", "create", "--username", "dora", "--email", "dora@example.com"], io);
      expect(code).toBe(0);
      const viewer = activeWireViewer()!;
      expect(err[0]).toBe(`wire viewer: ${await viewer.url}`);
      const calls = (await (await fetch((await viewer.url) + "api/calls")).json()) as CallSummary[];
      expect(calls.filter((c) => c.side === "client")).toMatchObject([{ side: "client", path: "/user.UserService/CreateUser", kind: "unary", statusName: "OK", sent: 1, received: 1 }]);
      const view = (await (await fetch(`${await viewer.url}api/calls/${calls[0].id}`)).json()) as CallView;
      const request = view.events.find((e) => e.kind === "DATA");
      expect(request?.message?.body?.typeName).toBe("user.CreateUserRequest");
      expect(request?.message?.body?.fields[0]).toMatchObject({ name: "username", value: '"dora"', start: 0, end: 6 });
    } finally {
      await service.close();
    }
  });

  it("npm start -- --viewer serves the server's side of every call, decoded with the reflection descriptors", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/service/main.ts", "--port", "0", "--host", "127.0.0.1", "--viewer", "--viewer-port", "0"], {
      env: { ...process.env, AUTH_TOKENS: `${TOKENS.admin}=admin`, LOG_LEVEL: "silent", WIRE_VIEWER: "", GRPC_WIRE_TRACE: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const [listening, viewerLine] = await Promise.all([
        new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve)),
        new Promise<string>((resolve) => createInterface({ input: child.stderr }).on("line", (l) => l.startsWith("wire viewer:") && resolve(l))),
      ]);
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(listening)![1];
      const url = /^wire viewer: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(viewerLine)![1];
      const { UserServiceClient } = await import("../../src/service/user-client.js");
      const client = new UserServiceClient({ target: `127.0.0.1:${port}`, token: TOKENS.admin });
      await client.createUser({ username: "viewed", email: "viewed@example.com" }).catch(() => undefined);
      await client.createUser({ username: "viewed2", email: "nope" }).catch(() => undefined);
      client.channel.destroy();
      let calls: CallSummary[] = [];
      await expect
        .poll(async () => (calls = (await (await fetch(url + "api/calls")).json()) as CallSummary[]).filter((c) => c.done).length, { timeout: 20_000 })
        .toBe(2);
      expect(calls.map((c) => `${c.side} ${c.path} ${c.statusName}`)).toEqual(["server /user.UserService/CreateUser OK", "server /user.UserService/CreateUser INVALID_ARGUMENT"]);
      const failed = (await (await fetch(`${url}api/calls/${calls[1].id}`)).json()) as CallView;
      const details = failed.events.find((e) => e.kind === "TRAILERS")?.headers?.find((h) => h.name === "grpc-status-details-bin");
      expect(details?.decoded?.typeName).toBe("google.rpc.Status");
      expect(details?.decoded?.fields[2].children?.[1].type).toBe("google.rpc.BadRequest");
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});

describe("a viewer whose port is taken", () => {
  it("says so and stops capturing", async () => {
    const first = enableWireViewer({ port: 0, log: () => undefined });
    const port = Number(new URL(await first.url).port);
    await first.close();
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      const lines: string[] = [];
      const second = enableWireViewer({ port, log: (l) => lines.push(l) });
      await expect(second.url).rejects.toThrow(/EADDRINUSE/);
      await expect.poll(() => wireTrace.enabled).toBe(false);
      expect(activeWireViewer()).toBeUndefined();
      expect(lines[0]).toMatch(new RegExp(`^wire viewer: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      blocker.close();
    }
  });
});
