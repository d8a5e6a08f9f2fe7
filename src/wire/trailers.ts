// Implements PROTOCOL-HTTP2 "Responses" → Trailers (Status, Status-Message, grpc-status-details-bin) and Trailers-Only (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { GrpcError } from "./grpc-error.js";
import { Header } from "./headers.js";
import { DEFAULT_MAX_METADATA_SIZE, Metadata, decodeBinaryHeader, encodeBinaryHeader } from "./metadata.js";
import { Status, parseStatusCode, type StatusCode } from "./status.js";
import { decodeStatusMessage, encodeStatusMessage } from "./status-message.js";
import { decodeRpcStatus, encodeRpcStatus, type Any } from "./status-details.js";

/** A call's final status, as carried in trailers. */
export interface CallStatus {
  code: StatusCode;
  message: string;
  metadata: Metadata;
  details: Any[];
}

/**
 * Writes `grpc-status`, `grpc-message` (percent-encoded, omitted when empty),
 * `grpc-status-details-bin` (when there are details) and the trailing metadata into `target`.
 */
export function statusToTrailers(
  code: StatusCode,
  message: string,
  metadata: Metadata | undefined,
  details: readonly Any[] | undefined,
  target: OutgoingHttpHeaders = {},
): OutgoingHttpHeaders {
  if (metadata !== undefined && metadata.size > 0) metadata.toHeaders(target);
  target[Header.grpcStatus] = String(code);
  if (message !== "") target[Header.grpcMessage] = encodeStatusMessage(message);
  if (details !== undefined && details.length > 0) {
    target[Header.grpcStatusDetailsBin] = encodeBinaryHeader(encodeRpcStatus({ code, message, details: [...details] }));
  }
  return target;
}

export type TrailersParseResult = { ok: true; status: CallStatus } | { ok: false; status: CallStatus };

/**
 * Reads the status from received trailers (or a Trailers-Only response's headers). A missing or
 * malformed `grpc-status` yields `ok: false` with an INTERNAL status describing the problem; a
 * value outside 0..16 is UNKNOWN (statuscodes.md). Malformed details are ignored.
 */
export function trailersToStatus(headers: IncomingHttpHeaders, maxMetadataSize: number = DEFAULT_MAX_METADATA_SIZE): TrailersParseResult {
  const md = Metadata.fromHeaders(headers, maxMetadataSize);
  const metadata = md.ok ? md.metadata : new Metadata();
  const rawStatus = headers[Header.grpcStatus];
  const code = parseStatusCode(typeof rawStatus === "string" ? rawStatus : undefined);
  const rawMessage = headers[Header.grpcMessage];
  const message = typeof rawMessage === "string" ? decodeStatusMessage(rawMessage) : "";
  let details: Any[] = [];
  const rawDetails = headers[Header.grpcStatusDetailsBin];
  if (typeof rawDetails === "string") {
    const bytes = decodeBinaryHeader(rawDetails);
    const st = bytes === undefined ? undefined : decodeRpcStatus(bytes);
    if (st !== undefined) details = st.details;
  }
  if (code === undefined) {
    return {
      ok: false,
      status: {
        code: Status.INTERNAL,
        message: rawStatus === undefined ? "response ended without grpc-status" : `malformed grpc-status "${String(rawStatus).slice(0, 16)}"`,
        metadata,
        details: [],
      },
    };
  }
  if (!md.ok) {
    return { ok: false, status: { code: md.tooLarge ? Status.RESOURCE_EXHAUSTED : Status.INTERNAL, message: md.error, metadata, details: [] } };
  }
  return { ok: true, status: { code, message, metadata, details } };
}

/** The GrpcError for a non-OK status. */
export function statusToError(status: CallStatus): GrpcError {
  return new GrpcError(status.code, status.message, { metadata: status.metadata, details: status.details });
}
