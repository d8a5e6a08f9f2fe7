// TLS and mutual TLS, configured the way an operator does: TLS_CERT/TLS_KEY files, TLS_CLIENT_CA.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/schema/user.js";
import { Status } from "../../src/wire/status.js";
import { makeTestCerts, type TestCerts } from "../support/certs.js";
import { grpcError, startTestService } from "./support.js";

let certs: TestCerts;
let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  certs = makeTestCerts();
  dir = mkdtempSync(join(tmpdir(), "user-svc-tls-"));
  writeFileSync(file("server.crt"), certs.serverCert);
  writeFileSync(file("server.key"), certs.serverKey);
  writeFileSync(file("ca.crt"), certs.caCert);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("TLS", () => {
  it("serves over TLS to a client that trusts the CA, and refuses plaintext", async () => {
    const t = await startTestService({ tls: { certFile: file("server.crt"), keyFile: file("server.key") } });
    try {
      expect(t.app.tls).toBe("tls");
      const c = t.client("admin", { tls: { ca: certs.caCert } });
      const u = await c.createUser({ username: "tls_user", email: "tls@example.com", role: Role.ROLE_ADMIN });
      expect((await c.getUser(u.id)).username).toBe("tls_user");
      const wrongCa = t.client("admin", { tls: { ca: certs.otherCaCert } });
      expect((await grpcError(wrongCa.getUser(u.id))).code).toBe(Status.UNAVAILABLE);
      const plain = t.client("admin");
      // The server drops a plaintext connection; our client reports it as UNAVAILABLE or (when node
      // surfaces it as a stream reset) CANCELLED. Either way nothing is served in clear text.
      const pe = await grpcError(plain.getUser(u.id));
      expect([Status.UNAVAILABLE, Status.CANCELLED]).toContain(pe.code);
    } finally {
      await t.close();
    }
  });

  it("with TLS_CLIENT_CA requires a client certificate signed by it (mutual TLS)", async () => {
    const t = await startTestService({ tls: { certFile: file("server.crt"), keyFile: file("server.key"), clientCaFile: file("ca.crt") } });
    try {
      expect(t.app.tls).toBe("mtls");
      const withCert = t.client("user", { tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey } });
      expect((await grpcError(withCert.getUser("nobody"))).code).toBe(Status.NOT_FOUND); // got through TLS and auth
      const noCert = t.client("user", { tls: { ca: certs.caCert } });
      expect((await grpcError(noCert.getUser("nobody"))).code).toBe(Status.UNAVAILABLE);
    } finally {
      await t.close();
    }
  });
});
