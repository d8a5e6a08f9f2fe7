// Implements PROTOCOL-HTTP2 "Errors" (the HTTP2 RST_STREAM error code to gRPC status code table) (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md#errors).

import { Status, type StatusCode } from "./status.js";

/** HTTP/2 error codes of RFC 9113 section 7, as carried by RST_STREAM and GOAWAY frames. */
export const Http2ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

const NAMES: readonly string[] = Object.keys(Http2ErrorCode);

/** The spec's name for an HTTP/2 error code (`"CANCEL"`), or `0x…` for a code it does not define. */
export function http2ErrorName(code: number): string {
  return NAMES[code] ?? `0x${code.toString(16)}`;
}

/**
 * The gRPC code for a stream reset by the peer before a status arrived, row by row from the spec's
 * table.
 */
export function grpcCodeForRstStream(http2Code: number): StatusCode {
  switch (http2Code) {
    case Http2ErrorCode.NO_ERROR: // a reset without trailers is still a broken call
    case Http2ErrorCode.PROTOCOL_ERROR:
    case Http2ErrorCode.INTERNAL_ERROR:
    case Http2ErrorCode.FLOW_CONTROL_ERROR:
    case Http2ErrorCode.SETTINGS_TIMEOUT:
    case Http2ErrorCode.FRAME_SIZE_ERROR:
    case Http2ErrorCode.COMPRESSION_ERROR:
    case Http2ErrorCode.CONNECT_ERROR:
      return Status.INTERNAL;
    case Http2ErrorCode.REFUSED_STREAM:
      // The server did no application processing: the spec marks this UNAVAILABLE (safe to retry).
      return Status.UNAVAILABLE;
    case Http2ErrorCode.CANCEL:
      return Status.CANCELLED;
    case Http2ErrorCode.ENHANCE_YOUR_CALM:
      // "with additional error detail provided by runtime to indicate that the exhausted resource is bandwidth"
      return Status.RESOURCE_EXHAUSTED;
    case Http2ErrorCode.INADEQUATE_SECURITY:
      return Status.PERMISSION_DENIED;
    default:
      // STREAM_CLOSED, HTTP_1_1_REQUIRED and unknown codes have no row: treat as INTERNAL.
      return Status.INTERNAL;
  }
}

/** A message for the error built from {@link grpcCodeForRstStream}, naming the HTTP/2 code. */
export function describeRstStream(http2Code: number): string {
  const extra = http2Code === Http2ErrorCode.ENHANCE_YOUR_CALM ? " (the peer says we use too much bandwidth)" : "";
  return `stream reset by the server with HTTP/2 error ${http2ErrorName(http2Code)} (${http2Code})${extra} before a gRPC status was received`;
}
