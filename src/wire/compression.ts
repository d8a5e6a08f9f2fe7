// Implements gRPC "Compression" (per-message, Compressed-Flag + grpc-encoding) (https://github.com/grpc/grpc/blob/master/doc/compression.md).

import * as zlib from "node:zlib";
import { Status, type StatusCode } from "./status.js";

/** Message encodings we implement. "deflate" is the zlib format (RFC 1950), "gzip" RFC 1952. */
export type Encoding = "identity" | "gzip" | "deflate";
export const SUPPORTED_ENCODINGS: readonly Encoding[] = ["identity", "deflate", "gzip"];
/** The value we send in `grpc-accept-encoding`. */
export const ACCEPT_ENCODING = SUPPORTED_ENCODINGS.join(",");

export function isSupportedEncoding(name: string): name is Encoding {
  return name === "identity" || name === "gzip" || name === "deflate";
}

/** Parses a `grpc-accept-encoding` list ("gzip, identity") into the encodings we also support. */
export function parseAcceptEncoding(value: string | undefined): Encoding[] {
  if (value === undefined) return [];
  const out: Encoding[] = [];
  for (const part of value.split(",")) {
    const name = part.trim();
    if (isSupportedEncoding(name)) out.push(name);
  }
  return out;
}

export type EncodingResult = { ok: true; encoding: Encoding } | { ok: false; code: StatusCode; message: string };

/**
 * Validates a received `grpc-encoding`. Absent means identity. An encoding we do not support is
 * UNIMPLEMENTED, and the caller should advertise {@link ACCEPT_ENCODING} in its answer.
 */
const RESULTS: Readonly<Record<Encoding, EncodingResult>> = {
  identity: { ok: true, encoding: "identity" },
  gzip: { ok: true, encoding: "gzip" },
  deflate: { ok: true, encoding: "deflate" },
};

export function parseEncoding(value: string | undefined): EncodingResult {
  // Shared, frozen-by-convention results: no allocation per call.
  if (value === undefined || value === "") return RESULTS.identity;
  const name = value.trim();
  if (isSupportedEncoding(name)) return RESULTS[name];
  return {
    ok: false,
    code: Status.UNIMPLEMENTED,
    message: `grpc-encoding "${name.slice(0, 32)}" is not supported (supported: ${ACCEPT_ENCODING})`,
  };
}

/** Compresses one message payload. Synchronous: messages are small and this keeps their order trivially. */
export function compress(encoding: Encoding, data: Uint8Array): Buffer {
  switch (encoding) {
    case "gzip":
      return zlib.gzipSync(data);
    case "deflate":
      return zlib.deflateSync(data);
    default:
      return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
}

export type DecompressResult = { ok: true; data: Buffer } | { ok: false; code: StatusCode; message: string };

/**
 * Decompresses one message with the inflated size bounded by `maxSize` *while inflating*
 * (zlib's `maxOutputLength`), so a zip bomb costs at most `maxSize` bytes of memory.
 * A compressed message when the stream's encoding is identity is INTERNAL (compression.md).
 */
export function decompress(encoding: Encoding, data: Buffer, maxSize: number): DecompressResult {
  if (encoding === "identity") {
    return { ok: false, code: Status.INTERNAL, message: "received a compressed message but grpc-encoding is identity or absent" };
  }
  // maxOutputLength must be >= 1; one byte over the limit is enough to detect oversize.
  const opts: zlib.ZlibOptions = { maxOutputLength: Math.max(1, Math.min(maxSize + 1, 0x7fffffff)) };
  let out: Buffer;
  try {
    out = encoding === "gzip" ? zlib.gunzipSync(data, opts) : zlib.inflateSync(data, opts);
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      return { ok: false, code: Status.RESOURCE_EXHAUSTED, message: `decompressed message larger than max (limit ${maxSize})` };
    }
    return { ok: false, code: Status.INTERNAL, message: `could not decompress ${encoding} message: ${(err as Error).message}` };
  }
  if (out.length > maxSize) {
    return { ok: false, code: Status.RESOURCE_EXHAUSTED, message: `decompressed message larger than max (${out.length} vs. ${maxSize})` };
  }
  return { ok: true, data: out };
}
