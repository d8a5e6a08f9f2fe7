// Implements gRPC name syntax for the targets we support (https://github.com/grpc/grpc/blob/master/doc/naming.md): host:port, dns:///host:port, unix:path, unix:///path.

/** Where a channel connects: a TCP host and port, or a Unix domain socket path. */
export type Target =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number; readonly authority: string }
  | { readonly kind: "unix"; readonly path: string; readonly authority: string };

/** Parses a target string; returns an error message instead of throwing so callers choose the error type. */
export function parseTarget(target: string): { target: Target } | { error: string } {
  if (target.startsWith("unix:")) {
    // "unix:///abs/path" (absolute, with authority) or "unix:path" (relative or absolute).
    const path = target.startsWith("unix://") ? target.slice("unix://".length) : target.slice("unix:".length);
    if (path === "") return { error: `target "${target}" names no socket path` };
    return { target: { kind: "unix", path, authority: "localhost" } };
  }
  let rest = target;
  if (rest.startsWith("dns:///")) rest = rest.slice("dns:///".length);
  else if (rest.startsWith("dns:")) rest = rest.slice("dns:".length);
  let host: string;
  let portText: string;
  if (rest.startsWith("[")) {
    // IPv6 literal: "[::1]:50051".
    const close = rest.indexOf("]");
    if (close < 0) return { error: `target "${target}" has an unterminated IPv6 literal` };
    host = rest.slice(1, close);
    portText = rest.slice(close + 1).replace(/^:/, "");
  } else {
    const colon = rest.lastIndexOf(":");
    host = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? "" : rest.slice(colon + 1);
  }
  if (host === "") return { error: `target "${target}" names no host` };
  // gRPC's default port when none is given.
  const port = portText === "" ? 443 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return { error: `target "${target}" has an invalid port "${portText}"` };
  }
  const authority = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return { target: { kind: "tcp", host, port, authority } };
}

/** How the target appears in error messages ("127.0.0.1:50051", "unix:/tmp/s.sock"). */
export function describeTarget(t: Target): string {
  return t.kind === "unix" ? `unix:${t.path}` : t.authority;
}
