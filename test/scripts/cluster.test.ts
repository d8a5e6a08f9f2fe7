// `npm run cluster` (scripts/cluster.ts) as a user runs it: it prints a target, a service config
// file and a token that work with our client; Ctrl-C (SIGINT) stops the replicas and the database.

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { describe, expect, it } from "vitest";
import { UserServiceClient } from "../../src/service/user-client.js";

describe("npm run cluster", () => {
  it("prints a working ipv4: target and service config for two replicas, and cleans up on Ctrl-C", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/cluster.ts", "--replicas", "2"], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      let out = "";
      child.stdout.setEncoding("utf8");
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: string) => {
          out += d;
          if (out.includes("Ctrl-C")) resolve();
        });
        void exited.then((code) => reject(new Error(`cluster exited ${code}: ${out}`)));
      });
      const target = /^ {2}(ipv4:\S+)$/m.exec(out)?.[1];
      const configFile = /^ {2}(\S+\.json)$/m.exec(out)?.[1];
      const token = /USERCTL_TOKEN=(\S+)/.exec(out)?.[1];
      const dbPort = /DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
      expect([target, configFile, token, dbPort].every((x) => x !== undefined), out).toBe(true);
      expect(target!.split(",").length).toBe(2);

      const client = new UserServiceClient({ target: target!, token: token!, serviceConfig: readFileSync(configFile!, "utf8") });
      const u = await client.createUser({ username: "via_cluster", email: "via_cluster@example.com" });
      expect((await client.getUser(u.id)).username).toBe("via_cluster");
      client.channel.destroy();

      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(existsSync(configFile!)).toBe(false);
      // The database is gone: nothing listens on its port any more.
      const refused = await new Promise<boolean>((resolve) => {
        const s = createConnection({ host: "127.0.0.1", port: Number(dbPort) });
        s.once("connect", () => {
          s.destroy();
          resolve(false);
        });
        s.once("error", () => resolve(true));
      });
      expect(refused).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});
