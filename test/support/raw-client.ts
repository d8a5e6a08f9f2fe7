// Test support: a raw node:http2 client call that records the response headers, DATA and trailers,
// for protocol-level tests (malformed input, compression flags, Trailers-Only).

import * as http2 from "node:http2";

export interface RawResponse {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders | undefined;
  data: Buffer;
  /** grpc-status from trailers, or from headers for Trailers-Only. */
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
  rstCode: number | undefined;
}

/** Sends one request on `session` and resolves when the stream closes. */
export function rawCall(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body: Buffer[] | undefined,
  opts: { endStream?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const req = session.request(headers, { endStream: body === undefined && opts.endStream !== false });
    let resHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    req.on("response", (h) => (resHeaders = h));
    req.on("trailers", (t) => (trailers = t));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => {});
    req.on("close", () => {
      const src = trailers ?? resHeaders;
      resolve({
        headers: resHeaders,
        trailers,
        data: Buffer.concat(chunks),
        grpcStatus: src["grpc-status"] as string | undefined,
        grpcMessage: src["grpc-message"] as string | undefined,
        rstCode: req.rstCode,
      });
    });
    if (body !== undefined) {
      for (const b of body) req.write(b);
      if (opts.endStream !== false) req.end();
    }
  });
}

export const GRPC_HEADERS = { ":method": "POST", "content-type": "application/grpc", te: "trailers" } as const;
