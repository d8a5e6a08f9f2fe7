// Implements gRPC name syntax (https://github.com/grpc/grpc/blob/master/doc/naming.md): host:port, dns:[//authority/]host[:port], ipv4:addr[:port][,…], ipv6:addr|[addr]:port[,…], unix:path, unix:///abs.
import * as net from "node:net";

/** One address a subchannel connects to: a TCP host (name or IP literal) and port, or a Unix socket. */
export type Address =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "unix"; readonly path: string };

/**
 * Where a channel connects.
 * - `tcp`: a plain `host:port`, one address; node:http2 resolves the name as it connects (as before).
 * - `unix`: one Unix domain socket.
 * - `dns`: `dns:///host:port`, every A/AAAA record of the name (node:dns), re-resolved over time.
 * - `list`: `ipv4:`/`ipv6:` literal addresses, fixed.
 * `authority` is the `:authority` calls send.
 */
export type Target =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number; readonly authority: string }
  | { readonly kind: "unix"; readonly path: string; readonly authority: string }
  | { readonly kind: "dns"; readonly host: string; readonly port: number; readonly authority: string }
  | { readonly kind: "list"; readonly scheme: "ipv4" | "ipv6"; readonly addresses: readonly Address[]; readonly authority: string };

/** gRPC's default port when a target names none (naming.md). */
const DEFAULT_PORT = 443;

type HostPort = { host: string; port: number } | { error: string };

/** "host", "host:port", "[v6]", "[v6]:port" → host and port (443 when absent). */
function splitHostPort(text: string, target: string, defaultPort = DEFAULT_PORT): HostPort {
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return { error: `target "${target}" has an unterminated IPv6 literal` };
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) return { error: `target "${target}" has text after the IPv6 literal: "${after}"` };
    portText = after.slice(1);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon >= 0 && text.indexOf(":") !== colon) return { error: `target "${target}": an IPv6 address with a port must be in brackets ("[${text}]:port")` };
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? "" : text.slice(colon + 1);
  }
  if (host === "") return { error: `target "${target}" names no host` };
  const port = portText === "" ? defaultPort : Number(portText);
  if (!/^\d*$/.test(portText) || !Number.isInteger(port) || port < 0 || port > 65535) {
    return { error: `target "${target}" has an invalid port "${portText}"` };
  }
  return { host, port };
}

function authorityOf(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `ipv4:a:p,b:p` / `ipv6:[a]:p,b` → literal addresses, each checked with net.isIP. */
function parseList(scheme: "ipv4" | "ipv6", body: string, target: string): { target: Target } | { error: string } {
  if (body === "") return { error: `target "${target}" lists no addresses` };
  const family = scheme === "ipv4" ? 4 : 6;
  const addresses: Address[] = [];
  for (const part of body.split(",")) {
    // naming.md: an ipv6 address without a port needs no brackets ("ipv6:::1"); with a port it does.
    const hp = scheme === "ipv6" && !part.startsWith("[") ? { host: part, port: DEFAULT_PORT } : splitHostPort(part, target);
    if ("error" in hp) return hp;
    if (net.isIP(hp.host) !== family) return { error: `target "${target}": "${hp.host}" is not an IPv${family} address` };
    addresses.push({ kind: "tcp", host: hp.host, port: hp.port });
  }
  const first = addresses[0] as { host: string; port: number };
  return { target: { kind: "list", scheme, addresses, authority: authorityOf(first.host, first.port) } };
}

/** Parses a target string; returns an error message instead of throwing so callers choose the error type. */
export function parseTarget(target: string): { target: Target } | { error: string } {
  if (target.trim() !== target || target === "") return { error: `target "${target}" is empty or has surrounding spaces` };
  if (target.startsWith("unix:")) {
    // "unix:///abs/path" (absolute, with an empty authority) or "unix:path" (relative or absolute).
    if (target.startsWith("unix://") && !target.startsWith("unix:///")) return { error: `target "${target}": unix:// takes no authority; use unix:///absolute/path or unix:path` };
    const path = target.startsWith("unix://") ? target.slice("unix://".length) : target.slice("unix:".length);
    if (path === "") return { error: `target "${target}" names no socket path` };
    return { target: { kind: "unix", path, authority: "localhost" } };
  }
  if (target.startsWith("ipv4:")) return parseList("ipv4", target.slice(5), target);
  if (target.startsWith("ipv6:")) return parseList("ipv6", target.slice(5), target);
  if (target.startsWith("dns:")) {
    let rest = target.slice(4);
    if (rest.startsWith("//")) {
      // dns://[dns-server]/host:port: we use the system resolver, so the authority must be empty.
      const slash = rest.indexOf("/", 2);
      if (slash < 0) return { error: `target "${target}" names no host (dns:///host:port)` };
      if (slash !== 2) return { error: `target "${target}": a DNS server authority ("${rest.slice(2, slash)}") is not supported; use dns:///host:port` };
      rest = rest.slice(slash + 1);
    }
    const hp = splitHostPort(rest, target);
    if ("error" in hp) return hp;
    return { target: { kind: "dns", host: hp.host, port: hp.port, authority: authorityOf(hp.host, hp.port) } };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(target);
  if (scheme !== null) return { error: `target "${target}" has an unsupported scheme "${scheme[1]}:" (use dns:, ipv4:, ipv6:, unix: or host:port)` };
  const hp = splitHostPort(target, target);
  if ("error" in hp) return hp;
  return { target: { kind: "tcp", host: hp.host, port: hp.port, authority: authorityOf(hp.host, hp.port) } };
}

/** How an address appears in error messages ("127.0.0.1:50051", "unix:/tmp/s.sock"). */
export function describeAddress(a: Address): string {
  return a.kind === "unix" ? `unix:${a.path}` : authorityOf(a.host, a.port);
}

/** How the target appears in error messages ("127.0.0.1:50051", "unix:/tmp/s.sock", "dns:///db:5432", "ipv4:a:1,b:2"). */
export function describeTarget(t: Target): string {
  switch (t.kind) {
    case "unix":
      return `unix:${t.path}`;
    case "tcp":
      return t.authority;
    case "dns":
      return `dns:///${t.authority}`;
    case "list":
      return `${t.scheme}:${t.addresses.map(describeAddress).join(",")}`;
  }
}
