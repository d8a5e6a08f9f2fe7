// TLS_CERT / TLS_KEY / TLS_CLIENT_CA problems stop the service with a message naming the setting and
// the file (src/service/tls-files.ts), and `npm start`'s program exits 2 with it.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTlsFiles } from "../../src/service/tls-files.js";
import { makeTestCerts } from "../support/certs.js";

let dir: string;
const file = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tls-files-"));
  const c = makeTestCerts();
  writeFileSync(file("server.crt"), c.serverCert);
  writeFileSync(file("server.key"), c.serverKey);
  writeFileSync(file("client.key"), c.clientKey);
  writeFileSync(file("ca.crt"), c.caCert);
  writeFileSync(file("garbage.pem"), "this is not PEM\n");
  writeFileSync(file("broken.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadTlsFiles", () => {
  it("accepts a matching certificate and key, and a client CA", () => {
    const o = loadTlsFiles({ certFile: file("server.crt"), keyFile: file("server.key"), clientCaFile: file("ca.crt") });
    expect(o.requestCert).toBe(true);
    expect(o.rejectUnauthorized).toBe(true);
  });

  const cases: Array<[string, { certFile: string; keyFile: string; clientCaFile?: string }, RegExp]> = [
    ["a missing certificate", { certFile: "missing.crt", keyFile: "server.key" }, /^TLS_CERT \(--tls-cert\) file ".*missing\.crt" cannot be read: ENOENT/],
    ["a missing key", { certFile: "server.crt", keyFile: "missing.key" }, /^TLS_KEY \(--tls-key\) file ".*missing\.key" cannot be read: ENOENT/],
    ["a certificate file without PEM", { certFile: "garbage.pem", keyFile: "server.key" }, /^TLS_CERT \(--tls-cert\) file ".*garbage\.pem" holds no PEM certificate/],
    ["a broken certificate", { certFile: "broken.crt", keyFile: "server.key" }, /^TLS_CERT \(--tls-cert\) file ".*broken\.crt" holds a certificate that cannot be parsed/],
    ["certificate and key swapped", { certFile: "server.key", keyFile: "server.crt" }, /^TLS_CERT \(--tls-cert\) file ".*server\.key" holds no PEM certificate/],
    ["a key file without a key", { certFile: "server.crt", keyFile: "garbage.pem" }, /^TLS_KEY \(--tls-key\) file ".*garbage\.pem" holds no usable PEM private key/],
    ["the key of another certificate", { certFile: "server.crt", keyFile: "client.key" }, /^TLS_KEY \(--tls-key\) file ".*client\.key" is not the private key of the certificate in TLS_CERT \(--tls-cert\) file ".*server\.crt"/],
    ["a missing client CA", { certFile: "server.crt", keyFile: "server.key", clientCaFile: "nope.crt" }, /^TLS_CLIENT_CA \(--tls-client-ca\) file ".*nope\.crt" cannot be read/],
    ["a client CA without PEM", { certFile: "server.crt", keyFile: "server.key", clientCaFile: "garbage.pem" }, /^TLS_CLIENT_CA \(--tls-client-ca\) file ".*garbage\.pem" holds no PEM certificate/],
  ];
  for (const [name, files, message] of cases) {
    it(`names the setting and the file: ${name}`, () => {
      const abs = { certFile: file(files.certFile), keyFile: file(files.keyFile), ...(files.clientCaFile === undefined ? {} : { clientCaFile: file(files.clientCaFile) }) };
      expect(() => loadTlsFiles(abs)).toThrow(message);
    });
  }
});

describe("the service process", () => {
  for (const [env, setting] of [
    [() => ({ TLS_CERT: file("missing.crt"), TLS_KEY: file("server.key") }), "TLS_CERT"],
    [() => ({ TLS_CERT: file("server.crt"), TLS_KEY: file("garbage.pem") }), "TLS_KEY"],
  ] as const) {
    it(`exits 2 with a message naming ${setting} and its file, not a bare OpenSSL error`, async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/service/main.ts", "--port", "0", "--host", "127.0.0.1"], {
        env: { ...process.env, AUTH_TOKENS: "t=admin", ...env() },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      expect(code).toBe(2);
      expect(err).toMatch(new RegExp(`^user service: cannot start: ${setting} \\(--tls-[a-z]+\\) file "${dir}/`));
    }, 60_000);
  }
});
