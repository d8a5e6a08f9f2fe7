// Test support for h2spec (scripts/h2spec.ts): a plain-HTTP answer for requests that are not gRPC.
// h2spec's cases send GET/POST requests to "/" and expect a response with DATA, which a gRPC server
// never sends to them (405/415 in a Trailers-Only HEADERS frame). The probe answers those requests
// with 200 and a short body, before our server's own 'stream' listener sees them; gRPC requests pass.

import type * as http2 from "node:http2";

export const PROBE_BODY = "h2spec probe\n";

/** Answers a non-gRPC request with 200 text/plain; returns whether it did. */
export function answerProbe(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): boolean {
  const ct = headers["content-type"];
  if (typeof ct === "string" && ct.startsWith("application/grpc")) return false;
  stream.on("error", () => {});
  if (stream.destroyed || stream.headersSent) return true;
  stream.respond({ ":status": 200, "content-type": "text/plain" });
  stream.end(PROBE_BODY);
  return true;
}

/** Puts the probe in front of every 'stream' listener of these node:http2 servers. */
export function installProbe(servers: ReadonlyArray<http2.Http2Server | http2.Http2SecureServer>): void {
  for (const srv of servers) srv.prependListener("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void answerProbe(stream, headers));
}
