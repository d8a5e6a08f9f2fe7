// Implements "HTTP to gRPC Status Code Mapping" (https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md).

import { Status, type StatusCode } from "./status.js";

/**
 * The gRPC code a client reports when a response carries no `grpc-status`, chosen from the HTTP
 * `:status` an intermediary (or a non-gRPC server) sent. The spec's table is for clients only, and
 * only when `grpc-status` is absent: a present `grpc-status` always wins.
 */
export function grpcCodeForHttpStatus(httpStatus: number): StatusCode {
  // 1xx informational headers should have been skipped by the HTTP layer; seeing one as the final
  // status means the response is broken.
  if (httpStatus >= 100 && httpStatus < 200) return Status.INTERNAL;
  switch (httpStatus) {
    case 400:
      return Status.INTERNAL;
    case 401:
      return Status.UNAUTHENTICATED;
    case 403:
      return Status.PERMISSION_DENIED;
    case 404:
      return Status.UNIMPLEMENTED;
    case 429: // Too Many Requests
    case 502: // Bad Gateway
    case 503: // Service Unavailable
    case 504: // Gateway Timeout
      return Status.UNAVAILABLE;
    default:
      return Status.UNKNOWN;
  }
}

/** A message naming the HTTP status, for the `GrpcError` built from {@link grpcCodeForHttpStatus}. */
export function describeHttpStatus(httpStatus: number, contentType: string | undefined): string {
  const ct = contentType === undefined ? "no content-type" : `content-type "${contentType}"`;
  return `received HTTP status ${httpStatus} (${ct}) without grpc-status: not a gRPC response`;
}
