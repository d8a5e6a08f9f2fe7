// Implements the "richer error model" of https://grpc.io/docs/guides/error/: a google.rpc.Status (googleapis google/rpc/status.proto) carried as the `grpc-status-details-bin` Binary-Header of PROTOCOL-HTTP2 "Responses" → Trailers.

import { StatusCodec, type Any, type Status as RpcStatus } from "../schema/google-rpc.js";

export type { Any, RpcStatus };
export { TYPE_URL_PREFIX, packAny, unpackAny, anyIs } from "../schema/google-rpc.js";

/** The part of a message codec the details helpers need (every `MessageCodec` from src/codec fits). */
export interface DetailCodec<T> {
  readonly typeName: string;
  encode(message: T): Buffer;
  decode(bytes: Uint8Array): T;
}

/** The type name an Any carries: the part of `type_url` after the last '/'. */
export function anyTypeName(any: Any): string {
  return any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1);
}

/** Serializes a google.rpc.Status for `grpc-status-details-bin`. */
export function encodeRpcStatus(st: RpcStatus): Buffer {
  return StatusCodec.encode(st);
}

/** Parses a google.rpc.Status; `undefined` if the bytes are not one (a receiver ignores bad details). */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus | undefined {
  try {
    return StatusCodec.decode(bytes);
  } catch {
    return undefined;
  }
}
