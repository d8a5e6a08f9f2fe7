// What `npm start` prints: the address line scripts parse, then commands to paste (src/service/start-banner.ts).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startBanner } from "../../src/service/start-banner.js";

describe("start banner", () => {
  it("plaintext with a generated token: the address line, then userctl and grpcurl with that port and token", () => {
    const lines = startBanner({ host: "0.0.0.0", port: 4321, tls: "none", generatedAdminToken: "-abc_DEF" }).split("\n");
    expect(lines[0]).toBe("user service listening on 0.0.0.0:4321 (h2c); generated admin token: -abc_DEF (set AUTH_TOKENS to choose tokens)");
    const rest = lines.slice(1).join("\n");
    expect(rest).toContain("npm run userctl -- --target localhost:4321 --token=-abc_DEF list");
    expect(rest).toMatch(/grpcurl -plaintext localhost:4321 list/);
    expect(rest).toMatch(/grpcurl -plaintext -H 'authorization: Bearer -abc_DEF' localhost:4321 user\.UserService\/ListUsers/);
  });

  it("with AUTH_TOKENS the first line is unchanged and the commands ask for one of its tokens", () => {
    const lines = startBanner({ host: "127.0.0.1", port: 5, tls: "none", generatedAdminToken: undefined }).split("\n");
    expect(lines[0]).toBe("user service listening on 127.0.0.1:5 (h2c)");
    expect(lines[2]).toContain("--target 127.0.0.1:5 '--token=<a token from AUTH_TOKENS>'");
  });

  it("mutual TLS: points at the CA and client files next to the server certificate", () => {
    const dir = mkdtempSync(join(tmpdir(), "banner-"));
    try {
      for (const f of ["ca.pem", "client.pem", "client-key.pem"]) writeFileSync(join(dir, f), "");
      const tlsFiles = { certFile: join(dir, "server.pem"), keyFile: join(dir, "server-key.pem"), clientCaFile: join(dir, "ca.pem") };
      const text = startBanner({ host: "::", port: 7, tls: "mtls", tlsFiles, generatedAdminToken: "t" });
      expect(text.split("\n")[0]).toBe("user service listening on [::]:7 (mutual TLS); generated admin token: t (set AUTH_TOKENS to choose tokens)");
      expect(text).toContain(`--target localhost:7 --ca ${join(dir, "ca.pem")} --cert ${join(dir, "client.pem")} --key ${join(dir, "client-key.pem")} --token=t list`);
      expect(text).toContain(`-cacert ${join(dir, "ca.pem")} -cert ${join(dir, "client.pem")} -key ${join(dir, "client-key.pem")} localhost:7 list`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
