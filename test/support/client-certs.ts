// Test support: a throw-away CA, server and client certificates made with the openssl CLI for the TLS/mTLS tests.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCerts {
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  /** A second CA that signed nothing we use: trusting only it must fail verification. */
  otherCa: Buffer;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** Generates EC P-256 certificates: server valid for localhost and 127.0.0.1, client with CN "test-client". */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "client-certs-"));
  try {
    const ecKey = (name: string): void => openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name]);
    for (const n of ["ca.key", "other.key", "server.key", "client.key"]) ecKey(n);
    openssl(dir, ["req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=test-ca", "-days", "2", "-out", "ca.pem"]);
    openssl(dir, ["req", "-x509", "-new", "-key", "other.key", "-subj", "/CN=other-ca", "-days", "2", "-out", "other.pem"]);
    writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    writeFileSync(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
    for (const [who, cn] of [
      ["server", "localhost"],
      ["client", "test-client"],
    ]) {
      openssl(dir, ["req", "-new", "-key", `${who}.key`, "-subj", `/CN=${cn}`, "-out", `${who}.csr`]);
      openssl(dir, ["x509", "-req", "-in", `${who}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", `${who}.ext`, "-out", `${who}.pem`]);
    }
    const r = (n: string): Buffer => readFileSync(join(dir, n));
    return {
      ca: r("ca.pem"),
      serverCert: r("server.pem"),
      serverKey: r("server.key"),
      clientCert: r("client.pem"),
      clientKey: r("client.key"),
      otherCa: r("other.pem"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
