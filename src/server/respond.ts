// Implements the server's response header blocks of PROTOCOL-HTTP2 "Responses": Response-Headers, Trailers, and the one Trailers-Only responder (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { ACCEPT_ENCODING } from "../wire/compression.js";
import type { GrpcError } from "../wire/grpc-error.js";
import { Header, HeaderValue } from "../wire/headers.js";
import type { Metadata } from "../wire/metadata.js";
import type { StatusCode } from "../wire/status.js";
import { statusToTrailers } from "../wire/trailers.js";
import type { CallTrace } from "../wire/trace.js";

/**
 * The Response-Headers as a fresh object, for a response that adds headers (metadata,
 * grpc-encoding). Written as a literal on purpose: a copy made with `{ ...RESPONSE_HEADERS }` that
 * then gets one more key took V8 ~500 ns (the spread's map is migrated on the first added
 * property), a literal ~25 ns.
 */
export function responseHeaders(): OutgoingHttpHeaders {
  return {
    [Header.status]: 200,
    [Header.contentType]: HeaderValue.contentTypeGrpc,
    [Header.grpcAcceptEncoding]: ACCEPT_ENCODING,
  };
}

// Shared, immutable header objects: node:http2 copies them in respond()/sendTrailers().
export const RESPONSE_HEADERS: OutgoingHttpHeaders = responseHeaders();
export const OK_TRAILERS: OutgoingHttpHeaders = { [Header.grpcStatus]: "0" };
/**
 * respond() options. `sendDate: false` (the option node's own compat layer passes for
 * `response.sendDate = false`) drops the `date` header node adds by default: gRPC does not use it
 * (PROTOCOL-HTTP2 Response-Headers), grpc-go and grpc-java do not send it, and it is the 5th entry
 * of the dictionary node builds in processHeaders, which grows it: a profile showed 2 µs per call.
 * `endStream: false` although it is the default: respond() copies the options (`{ ...options }`) and
 * then sets `endStream` on the copy; a spread clone that then gets a property added outlives young
 * GCs in this V8 (scripts/gc-hunt/spread-repro.mjs), and that clone was ~95 of the ~100 bytes per
 * call the service still promoted (scripts/gc-hunt/svc-gc.sh: 103 → 6–9 B per call).
 */
export const RESPOND_OPTIONS = { endStream: false, waitForTrailers: true, sendDate: false };
const RESPOND_END_OPTIONS = { endStream: true, sendDate: false };

/**
 * Trailers-Only: one HEADERS frame with END_STREAM carrying the status (`grpc-status`,
 * `grpc-message`, `grpc-status-details-bin`, trailing metadata). With an `httpStatus` other than 200
 * (405, 415: a request that is not gRPC at all, answered as grpc-go does) only content-type goes
 * with it. If the client is still sending, its half is reset with NO_ERROR afterwards, as grpc-go does.
 */
export function respondTrailersOnly(
  stream: ServerHttp2Stream,
  code: StatusCode,
  message: string,
  metadata: Metadata | undefined,
  details: GrpcError["details"] | undefined,
  trace: CallTrace | undefined,
  httpStatus = 200,
): void {
  const headers: OutgoingHttpHeaders =
    httpStatus === 200 ? responseHeaders() : { [Header.status]: httpStatus, [Header.contentType]: HeaderValue.contentTypeGrpc };
  statusToTrailers(code, message, metadata, details, headers);
  if (trace !== undefined) trace.headers("out", "TRAILERS-ONLY", headers);
  stream.respond(headers, RESPOND_END_OPTIONS);
  if (!stream.readableEnded) {
    if (trace !== undefined) trace.reset(constants.NGHTTP2_NO_ERROR);
    stream.close(constants.NGHTTP2_NO_ERROR);
  }
}

function noop(): void {}

/** A refusal before any call exists (bad method, content-type, path, encoding, timeout, metadata). */
export function refuse(stream: ServerHttp2Stream, code: StatusCode, message: string, trace: CallTrace | undefined, httpStatus = 200): void {
  stream.on("error", noop);
  if (stream.destroyed || stream.headersSent) return;
  respondTrailersOnly(stream, code, message, undefined, undefined, trace, httpStatus);
}

/** Resets the client's half with NO_ERROR after our trailers went out (it was still sending). */
export function closeNoError(stream: ServerHttp2Stream): void {
  if (!stream.destroyed && !stream.closed) stream.close(constants.NGHTTP2_NO_ERROR);
}
