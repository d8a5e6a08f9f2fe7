// Graceful shutdown: health turns NOT_SERVING, new calls are refused, calls in flight complete; past the
// grace period they are cancelled; `npm start` exits 0 on SIGTERM.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { Channel } from "../../src/client/channel.js";
import { Client } from "../../src/client/client.js";
import { clientMethods } from "../../src/client/types.js";
import { ServingStatus } from "../../src/schema/health.js";
import { HealthServiceDescriptor } from "../../src/service/health.js";
import { UserServiceClient } from "../../src/service/user-client.js";
import { Status } from "../../src/wire/status.js";
import { STORE_KINDS } from "../support/stores.js";
import { TOKENS, grpcError, startTestService, until } from "./support.js";

const health = clientMethods(HealthServiceDescriptor);

describe("graceful shutdown", () => {
  describe.each(STORE_KINDS)("on the $name store", (kind) => {
    afterAll(() => kind.teardown());

    it("turns health NOT_SERVING, refuses new calls and lets calls in flight finish", async () => {
      const t = await startTestService({ shutdownGraceMs: 30_000 }, (await kind.fresh()).store);
      try {
        const admin = t.client();
        const u = await admin.createUser({ username: "inflight", email: "inflight@example.com" });
        // A call in flight, proven to have reached the server: an update stream that got one answer.
        const updates = admin.streamUserUpdates();
        const answers = updates[Symbol.asyncIterator]();
        await updates.send({ userId: u.id, field: "full_name", value: "one" });
        expect((await answers.next()).value).toMatchObject({ success: true });
        // A health watcher.
        const statuses: number[] = [];
        const watch = new Client(admin.channel).serverStreaming(health.Watch, { service: "user.UserService" });
        const watching = (async () => {
          for await (const r of watch) statuses.push(r.status);
        })();
        await until(() => statuses.length === 1);

        const stopped = t.app.shutdown();
        await watching; // the watch ends after reporting NOT_SERVING
        expect(statuses).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);

        // New connections are refused.
        const late = new UserServiceClient({ target: t.target, token: TOKENS.admin });
        expect((await grpcError(late.getUser("x"))).code).toBe(Status.UNAVAILABLE);
        late.channel.destroy();

        // The call in flight goes on and completes normally.
        await updates.send({ userId: u.id, field: "full_name", value: "two" });
        expect((await answers.next()).value).toMatchObject({ success: true });
        updates.end();
        expect((await answers.next()).done).toBe(true);
        await stopped;
        expect((await t.app.store.get(u.id))?.fullName).toBe("two");
      } finally {
        await t.close();
      }
    });

    it("health is NOT_SERVING the moment shutdown() is called, while calls in flight still run", async () => {
      const t = await startTestService({ shutdownGraceMs: 30_000 }, (await kind.fresh()).store);
      try {
        const admin = t.client();
        const u = await admin.createUser({ username: "holder", email: "holder@example.com" });
        const updates = admin.streamUserUpdates();
        const answers = updates[Symbol.asyncIterator]();
        await updates.send({ userId: u.id, field: "full_name", value: "one" });
        await answers.next();
        expect(t.app.health.getStatus("")).toBe(ServingStatus.SERVING);
        const stopped = t.app.shutdown();
        // Synchronously, before the server has drained anything.
        expect(t.app.health.getStatus("")).toBe(ServingStatus.NOT_SERVING);
        expect(t.app.health.getStatus("user.UserService")).toBe(ServingStatus.NOT_SERVING);
        updates.end();
        expect((await answers.next()).done).toBe(true);
        await stopped;
      } finally {
        await t.close();
      }
    });

    it("ends calls still running when the grace period ends with UNAVAILABLE", async () => {
      const t = await startTestService({ shutdownGraceMs: 200 }, (await kind.fresh()).store);
      try {
        const batch = t.client().batchCreateUsers();
        await batch.send({ username: "never", email: "never@example.com" });
        await t.app.shutdown();
        const e = await grpcError(batch.response);
        // A status the client may retry, not CANCELLED: "server shutting down" once the call reached its
        // handler (test/server/shutdown.test.ts), or the connection's close if the GOAWAY came first.
        expect(e.code).toBe(Status.UNAVAILABLE);
        expect(await t.app.store.count()).toBe(0);
      } finally {
        await t.close();
      }
    });
  });

  it("npm start: prints where it listens, and exits 0 on SIGTERM after calls in flight finish", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/service/main.ts", "--port", "0", "--host", "127.0.0.1"], {
      env: { ...process.env, AUTH_TOKENS: `${TOKENS.admin}=admin`, LOG_LEVEL: "info", SHUTDOWN_GRACE_MS: "20000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stderr: string[] = [];
    child.stderr.setEncoding("utf8").on("data", (d: string) => stderr.push(d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
      const m = /^user service listening on 127\.0\.0\.1:(\d+) \(h2c\)$/.exec(first);
      expect(m, first).not.toBeNull();
      const client = new UserServiceClient({ target: `127.0.0.1:${m![1]}`, token: TOKENS.admin });
      const u = await client.createUser({ username: "before_term", email: "before_term@example.com" });
      const updates = client.streamUserUpdates();
      const answers = updates[Symbol.asyncIterator]();
      await updates.send({ userId: u.id, field: "full_name", value: "one" });
      expect((await answers.next()).value).toMatchObject({ success: true }); // in flight at the server
      child.kill("SIGTERM");
      await until(() => stderr.join("").includes("shutting down"));
      await updates.send({ userId: u.id, field: "full_name", value: "two" });
      expect((await answers.next()).value).toMatchObject({ success: true });
      updates.end();
      expect((await answers.next()).done).toBe(true);
      expect(await exited).toBe(0);
      client.channel.destroy();
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);

  it("npm start: prints a generated admin token when AUTH_TOKENS is unset, and it works", async () => {
    const env = { ...process.env };
    delete env.AUTH_TOKENS;
    const child = spawn(process.execPath, ["--import", "tsx", "src/service/main.ts"], {
      env: { ...env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
      const m = /listening on 127\.0\.0\.1:(\d+) \(h2c\); generated admin token: (\S+) /.exec(first);
      expect(m, first).not.toBeNull();
      const channel = new Channel(`127.0.0.1:${m![1]}`);
      const client = new UserServiceClient({ channel, token: m![2] });
      expect((await client.createUser({ username: "first_run", email: "first@example.com" })).username).toBe("first_run");
      const stranger = new UserServiceClient({ channel, token: "guess" });
      expect((await grpcError(stranger.getUser("x"))).code).toBe(Status.UNAUTHENTICATED);
      channel.destroy();
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);

  it("npm start: a bad setting stops it with exit code 2 and a message naming it", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/service/main.ts", "--port", "99999"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain("--port");
  }, 60_000);
});
