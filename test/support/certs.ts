// Test support: a throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate,
// made with the openssl CLI into a temp directory (for TLS and mTLS tests).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCerts {
  caCert: Buffer;
  serverKey: Buffer;
  serverCert: Buffer;
  clientKey: Buffer;
  clientCert: Buffer;
  /** A second CA that signed nothing we trust: for "wrong CA" tests. */
  otherCaCert: Buffer;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** Generates the certificates (EC P-256, valid 1 day). Takes well under a second. */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "grpc-certs-"));
  try {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(dir, ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test-ca"]);
    openssl(dir, ["req", "-x509", ...ec, "-keyout", "other.key", "-out", "other.crt", "-days", "1", "-subj", "/CN=other-ca"]);
    writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n");
    writeFileSync(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
    for (const who of ["server", "client"]) {
      openssl(dir, ["req", "-new", ...ec, "-keyout", `${who}.key`, "-out", `${who}.csr`, "-subj", `/CN=test-${who}`]);
      openssl(dir, ["x509", "-req", "-in", `${who}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${who}.crt`, "-days", "1", "-extfile", `${who}.ext`]);
    }
    const read = (f: string): Buffer => readFileSync(join(dir, f));
    return {
      caCert: read("ca.crt"),
      serverKey: read("server.key"),
      serverCert: read("server.crt"),
      clientKey: read("client.key"),
      clientCert: read("client.crt"),
      otherCaCert: read("other.crt"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
