// Implements PROTOCOL-HTTP2 "Requests": Content-Type → "application/grpc" [("+proto" / "+json" / {custom})] (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

/** Sub-types we can serve: none ("application/grpc") or "proto". */
export type ContentTypeResult = { ok: true; subtype: "proto" } | { ok: false; subtype: string | undefined };

/**
 * Parses a request/response content-type. Anything not starting with "application/grpc" is not
 * gRPC (servers answer HTTP 415). `application/grpc;charset=...` parameters are ignored.
 * A sub-type other than proto (e.g. "+json") is gRPC but not a codec we speak.
 */
const OK_PROTO: ContentTypeResult = { ok: true, subtype: "proto" };

export function parseContentType(value: string | undefined): ContentTypeResult {
  if (value === undefined) return { ok: false, subtype: undefined };
  // Fast path for the two spellings every client sends.
  if (value === "application/grpc" || value === "application/grpc+proto") return OK_PROTO;
  const lower = value.toLowerCase();
  if (!lower.startsWith("application/grpc")) return { ok: false, subtype: undefined };
  let rest = lower.slice("application/grpc".length);
  const semi = rest.indexOf(";");
  if (semi >= 0) rest = rest.slice(0, semi);
  rest = rest.trim();
  if (rest === "" || rest === "+proto") return OK_PROTO;
  if (rest.startsWith("+")) return { ok: false, subtype: rest.slice(1) };
  return { ok: false, subtype: undefined };
}

/** True if the value is some "application/grpc..." content-type, even with an unsupported sub-type. */
export function isGrpcContentType(value: string | undefined): boolean {
  const r = parseContentType(value);
  return r.ok || r.subtype !== undefined;
}
