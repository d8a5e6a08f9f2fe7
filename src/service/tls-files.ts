// TLS_CERT, TLS_KEY and TLS_CLIENT_CA read and checked at start (RFC 7468 PEM; node:crypto X509Certificate
// and createPrivateKey), so that a missing or bad file stops the service with a message naming the
// setting and the file instead of a bare OpenSSL error ("PEM routines::no start line").

import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import type { TlsOptions } from "../server/options.js";
import type { TlsFiles } from "./config.js";

/** A TLS setting that cannot be used; the message names the setting, its flag and the file. */
export class TlsConfigError extends Error {
  override readonly name = "TlsConfigError";
}

type Setting = "TLS_CERT" | "TLS_KEY" | "TLS_CLIENT_CA";
const FLAG: Readonly<Record<Setting, string>> = { TLS_CERT: "--tls-cert", TLS_KEY: "--tls-key", TLS_CLIENT_CA: "--tls-client-ca" };

function where(setting: Setting, file: string): string {
  return `${setting} (${FLAG[setting]}) file "${file}"`;
}

function why(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function read(setting: Setting, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TlsConfigError(`${where(setting, file)} cannot be read: ${why(err)}`);
  }
}

function certificate(setting: Setting, file: string, pem: Buffer): X509Certificate {
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new TlsConfigError(`${where(setting, file)} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  try {
    return new X509Certificate(pem); // the first certificate of the chain or bundle
  } catch (err) {
    throw new TlsConfigError(`${where(setting, file)} holds a certificate that cannot be parsed: ${why(err)}`);
  }
}

function privateKey(file: string, pem: Buffer): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    const hint = pem.includes("ENCRYPTED") ? " (an encrypted key: decrypt it first, e.g. `openssl pkey -in key.pem -out plain.pem`)" : "";
    throw new TlsConfigError(`${where("TLS_KEY", file)} holds no usable PEM private key${hint}: ${why(err)}`);
  }
}

/** The server's TLS options from the files, or a TlsConfigError saying which setting and file is wrong. */
export function loadTlsFiles(files: TlsFiles): TlsOptions {
  const cert = read("TLS_CERT", files.certFile);
  const key = read("TLS_KEY", files.keyFile);
  const leaf = certificate("TLS_CERT", files.certFile, cert);
  if (!leaf.checkPrivateKey(privateKey(files.keyFile, key))) {
    throw new TlsConfigError(`${where("TLS_KEY", files.keyFile)} is not the private key of the certificate in ${where("TLS_CERT", files.certFile)}`);
  }
  let options: TlsOptions = { cert, key };
  if (files.clientCaFile !== undefined) {
    const ca = read("TLS_CLIENT_CA", files.clientCaFile);
    certificate("TLS_CLIENT_CA", files.clientCaFile, ca);
    options = { ...options, ca, requestCert: true, rejectUnauthorized: true };
  }
  // Whatever OpenSSL still refuses (a key too weak for its security level, say), with the files named.
  try {
    createSecureContext(options);
  } catch (err) {
    const named = [where("TLS_CERT", files.certFile), where("TLS_KEY", files.keyFile)];
    if (files.clientCaFile !== undefined) named.push(where("TLS_CLIENT_CA", files.clientCaFile));
    throw new TlsConfigError(`TLS cannot use ${named.join(", ")}: ${why(err)}`);
  }
  return options;
}
