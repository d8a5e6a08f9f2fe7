// The user service on PostgreSQL: a database unreachable at start (exit 2 naming DATABASE_URL), a
// slow ListUsers reader (the server holds a page, not the table), a database lost and back at run
// time (UNAVAILABLE and NOT_SERVING, then recovery by itself), and no acknowledged write lost when
// PostgreSQL crashes and restarts under load.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { startThrowawayPostgres } from "../../scripts/throwaway-postgres.js";
import { Client } from "../../src/client/client.js";
import { clientMethods } from "../../src/client/types.js";
import { ServingStatus } from "../../src/schema/health.js";
import { HealthServiceDescriptor } from "../../src/service/health.js";
import { PostgresUserStore } from "../../src/store/postgres-store.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Status, statusName } from "../../src/wire/status.js";
import { freshPostgresStore, postgresKind, throwawayServer } from "../support/stores.js";
import { TOKENS, grpcError, startTestService, until } from "./support.js";
import { settle } from "../support/settle.js";

const health = clientMethods(HealthServiceDescriptor);

afterAll(() => postgresKind.teardown());

/** Until the server stops pulling (blocked on flow control): 20 polls 10 ms apart unchanged. */
const settled = (read: () => number): Promise<number> => settle(read, { intervalMs: 10, unchangedPolls: 20 });

describe("user service on PostgreSQL", () => {
  it("npm start: an unreachable DATABASE_URL stops it with exit code 2 and a message naming DATABASE_URL", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/service/main.ts", "--port", "0"], {
      env: { ...process.env, DATABASE_URL: "postgres://app:s3cret@127.0.0.1:1/users" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain("DATABASE_URL=postgres://app:***@127.0.0.1:1/users");
    expect(err).not.toContain("s3cret");
  }, 60_000);

  it("npm start with DATABASE_URL: serves from the database and exits 0 on SIGTERM", async () => {
    const url = await (await throwawayServer()).createDatabase();
    const child = spawn(process.execPath, ["--import", "tsx", "src/service/main.ts", "--port", "0", "--host", "127.0.0.1", "--database-url", url], {
      env: { ...process.env, AUTH_TOKENS: `${TOKENS.admin}=admin`, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(first)?.[1];
      expect(port, first).toBeDefined();
      const { UserServiceClient } = await import("../../src/service/user-client.js");
      const client = new UserServiceClient({ target: `127.0.0.1:${port}`, token: TOKENS.admin });
      const u = await client.createUser({ username: "in_pg", email: "in_pg@example.com" });
      client.channel.destroy();
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const store = await PostgresUserStore.open({ url });
      expect((await store.get(u.id))?.username).toBe("in_pg");
      await store.close();
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);

  it("streams ListUsers to a paused reader holding one page of the table, not the table", async () => {
    const store = await freshPostgresStore({ pageSize: 256 });
    const USERS = 100_000;
    for (let i = 0; i < USERS; i += 20_000) {
      await store.createMany(Array.from({ length: 20_000 }, (_, k) => ({ username: `u${i + k}`, email: `u${i + k}@x.io`, fullName: "", role: 1 })));
    }
    const t = await startTestService({}, store);
    try {
      const before = store.stats().pagesFetched;
      let received = 0;
      let pausedPages = -1;
      for await (const u of t.client("user").listUsers()) {
        if (u.username !== `u${received}`) throw new Error(`out of order at ${received}: ${u.username}`);
        received++;
        if (received === 10) pausedPages = (await settled(() => store.stats().pagesFetched)) - before;
      }
      expect(received).toBe(USERS);
      const pages = Math.ceil((USERS + 1) / 256);
      expect(store.stats().pagesFetched - before).toBe(pages);
      // Loose bound: the point is "not the whole table", whatever the HTTP/2 and socket buffers hold.
      expect(pausedPages).toBeGreaterThan(0);
      expect(pausedPages).toBeLessThan(pages / 2);
      console.log(`paused reader: the server read ${pausedPages} of ${pages} pages (256 users each)`);
      expect(store.stats().openSnapshots).toBe(0);
    } finally {
      await t.close();
    }
  }, 180_000);

  it("answers UNAVAILABLE and reports NOT_SERVING while the database is down, and recovers by itself", async () => {
    const server = await throwawayServer();
    const store = await freshPostgresStore({ connectTimeoutMs: 1_000 });
    const t = await startTestService({}, store);
    // Stop the poller with the service (t.close() force-stops the server, not the poller).
    try {
      const admin = t.client();
      const u = await admin.createUser({ username: "before_outage", email: "before@example.com" });
      const healthClient = new Client(admin.channel);
      const check = async (): Promise<number> => (await healthClient.unary(health.Check, { service: "user.UserService" })).status;
      expect(await check()).toBe(ServingStatus.SERVING);

      server.stop("immediate");
      try {
        expect((await grpcError(admin.getUser(u.id))).code).toBe(Status.UNAVAILABLE);
        expect((await grpcError(admin.createUser({ username: "during", email: "during@example.com" }))).code).toBe(Status.UNAVAILABLE);
        let status = await check();
        while (status !== ServingStatus.NOT_SERVING) {
          await new Promise((r) => setTimeout(r, 50));
          status = await check();
        }
      } finally {
        server.start();
      }
      let status = await check();
      while (status !== ServingStatus.SERVING) {
        await new Promise((r) => setTimeout(r, 50));
        status = await check();
      }
      expect((await admin.getUser(u.id)).username).toBe("before_outage");
      await admin.createUser({ username: "after_outage", email: "after@example.com" });
      const logs = t.logs.map((l) => l.msg);
      expect(logs).toContain("database unreachable: NOT_SERVING");
      expect(logs).toContain("database reachable again: SERVING");
    } finally {
      await t.close();
    }
  }, 120_000);

  it("loses no acknowledged create when PostgreSQL crashes and restarts under load", async () => {
    const server = await startThrowawayPostgres({ fsync: true });
    const store = await PostgresUserStore.open({ url: server.url, connectTimeoutMs: 1_000 });
    const t = await startTestService({}, store);
    try {
      const admin = t.client();
      const acked: string[] = [];
      const failures = new Map<string, number>();
      let attempts = 0;
      let phase: "before" | "down" | "after" = "before";
      let ackedAtRestart = 0;
      let stopLoad = false;
      const worker = async (w: number): Promise<void> => {
        // Bounded: at most 3000 attempts in all.
        while (!stopLoad && attempts < 3_000) {
          const n = attempts++;
          try {
            const u = await admin.createUser({ username: `load_${w}_${n}`, email: `load_${w}_${n}@example.com` });
            acked.push(u.id);
          } catch (e) {
            const name = e instanceof GrpcError ? statusName(e.code) : String(e);
            failures.set(name, (failures.get(name) ?? 0) + 1);
            if (phase === "down") await new Promise((r) => setTimeout(r, 5));
          }
        }
      };
      const load = Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(worker));
      await until(() => acked.length >= 150);
      phase = "down";
      server.stop("immediate"); // a crash: no checkpoint, recovery replays the WAL
      await until(() => (failures.get("UNAVAILABLE") ?? 0) >= 20 || failures.size > 1 || attempts >= 3_000);
      server.start();
      phase = "after";
      ackedAtRestart = acked.length;
      await until(() => acked.length >= ackedAtRestart + 150 || attempts >= 3_000);
      stopLoad = true;
      await load;

      expect(acked.length).toBeGreaterThan(ackedAtRestart); // it recovered by itself
      expect([...failures.keys()]).toEqual(["UNAVAILABLE"]); // the only failure a client saw
      const missing: string[] = [];
      for (const id of acked) if ((await store.get(id)) === undefined) missing.push(id);
      expect(missing).toEqual([]);
      console.log(`crash under load: ${acked.length} creates acknowledged, all readable after restart; ${failures.get("UNAVAILABLE")} UNAVAILABLE during the outage`);
    } finally {
      await t.close();
      await store.close();
      server.destroy();
    }
  }, 180_000);
});
