// Implements the headers of a client call in PROTOCOL-HTTP2: "Requests" (Call-Definition) and the checks of "Responses" headers, with the "HTTP to gRPC Status Code Mapping" (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md, doc/http-grpc-status-mapping.md).
import type { IncomingHttpHeaders, IncomingHttpStatusHeader, OutgoingHttpHeaders } from "node:http2";
import { ACCEPT_ENCODING, type Encoding } from "../wire/compression.js";
import { parseContentType } from "../wire/content-type.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Header, HeaderValue } from "../wire/headers.js";
import { describeHttpStatus, grpcCodeForHttpStatus } from "../wire/http-status.js";
import type { Metadata } from "../wire/metadata.js";
import { Status } from "../wire/status.js";
import { formatTimeout } from "../wire/timeout.js";

/** The request headers of a call: `timeoutMs` is what is left of its deadline (undefined: none), `metadata` the custom metadata. */
export function requestHeaders(path: string, userAgent: string, compression: Encoding, timeoutMs: number | undefined, metadata: Metadata | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    [Header.method]: HeaderValue.methodPost,
    [Header.path]: path,
    [Header.contentType]: HeaderValue.contentTypeGrpc,
    [Header.te]: HeaderValue.teTrailers,
    [Header.userAgent]: userAgent,
    [Header.grpcAcceptEncoding]: ACCEPT_ENCODING,
  };
  if (compression !== "identity") headers[Header.grpcEncoding] = compression;
  if (timeoutMs !== undefined) headers[Header.grpcTimeout] = formatTimeout(timeoutMs);
  if (metadata !== undefined && metadata.size > 0) metadata.toHeaders(headers);
  return headers;
}

/**
 * Why response headers that carry no grpc-status do not start a gRPC response: an HTTP status
 * other than 200 (mapped to a gRPC code) or a content-type other than application/grpc. Undefined when they do.
 */
export function responseHeadersError(headers: IncomingHttpHeaders & IncomingHttpStatusHeader, peer: string): GrpcError | undefined {
  const httpStatus = headers[Header.status] ?? 0;
  const contentType = headers[Header.contentType];
  if (httpStatus !== 200) return new GrpcError(grpcCodeForHttpStatus(httpStatus), `${describeHttpStatus(httpStatus, contentType)} from ${peer}`);
  if (!parseContentType(contentType).ok) {
    return new GrpcError(Status.INTERNAL, `unexpected content-type "${contentType ?? ""}" in the response from ${peer}: want application/grpc`);
  }
  return undefined;
}
