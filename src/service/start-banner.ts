// What `npm start` prints on stdout once it listens: the address line (scripts parse its format:
// `user service listening on HOST:PORT (mode)`), then ready-to-paste userctl and grpcurl commands.

import { existsSync } from "node:fs";
import path from "node:path";
import type { TlsFiles } from "./config.js";

export interface BannerInfo {
  readonly host: string;
  readonly port: number;
  readonly tls: "none" | "tls" | "mtls";
  readonly tlsFiles?: TlsFiles;
  /** Set when AUTH_TOKENS was not given. */
  readonly generatedAdminToken: string | undefined;
}

/** A file next to the server's certificate (as `npm run certs` writes them), else a placeholder. */
function sibling(tls: TlsFiles | undefined, name: string, placeholder: string): string {
  if (tls === undefined) return placeholder;
  const candidate = path.join(path.dirname(tls.certFile), name);
  if (!existsSync(candidate)) return placeholder;
  const rel = path.relative(process.cwd(), candidate);
  return rel.startsWith("..") ? candidate : rel;
}

/** Quotes a shell word when it needs it. */
function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The lines `npm start` prints; the first is the address line. */
export function startBanner(info: BannerInfo): string {
  const bound = info.host.includes(":") ? `[${info.host}]` : info.host;
  const mode = info.tls === "none" ? "h2c" : info.tls === "tls" ? "TLS" : "mutual TLS";
  const generated = info.generatedAdminToken === undefined ? "" : `; generated admin token: ${info.generatedAdminToken} (set AUTH_TOKENS to choose tokens)`;
  // A wildcard bind is reached through localhost (the name `npm run certs` puts in the server certificate).
  const reach = info.host === "0.0.0.0" || info.host === "::" || info.host === "" ? "localhost" : bound;
  const target = `${reach}:${info.port}`;
  const token = info.generatedAdminToken ?? "<a token from AUTH_TOKENS>";

  const ctlTls: string[] = [];
  const curlTls: string[] = [];
  if (info.tls === "none") curlTls.push("-plaintext");
  else {
    const ca = sibling(info.tlsFiles, "ca.pem", "<CA that signed TLS_CERT>");
    ctlTls.push("--ca", ca);
    curlTls.push("-cacert", ca);
    if (info.tls === "mtls") {
      const cert = sibling(info.tlsFiles, "client.pem", "<client cert>");
      const key = sibling(info.tlsFiles, "client-key.pem", "<client key>");
      ctlTls.push("--cert", cert, "--key", key);
      curlTls.push("-cert", cert, "-key", key);
    }
  }
  const userctl = ["npm", "run", "userctl", "--", "--target", target, ...ctlTls, `--token=${token}`, "list"].map(sh).join(" ");
  // scripts/install-peers.sh (npm run peers:install) puts grpcurl in .peers/bin.
  const curlBin = ".peers/bin/grpcurl";
  const curlMissing = !existsSync(curlBin);
  const grpcurl = [curlBin, ...curlTls, "-H", `authorization: Bearer ${token}`, target, "user.UserService/ListUsers"].map(sh).join(" ");
  const health = [curlBin, ...curlTls, target, "list"].map(sh).join(" ");
  return [
    `user service listening on ${bound}:${info.port} (${mode})${generated}`,
    "next, in another terminal:",
    `  ${userctl}`,
    `  ${health}    # the services, through reflection${curlMissing ? " (get grpcurl: bash scripts/install-peers.sh grpcurl)" : ""}`,
    `  ${grpcurl}`,
  ].join("\n");
}
