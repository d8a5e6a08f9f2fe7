// Implements the server limits and keepalive settings of gRPC (https://github.com/grpc/grpc/blob/master/doc/keepalive.md), with defaults close to grpc-go's.

import type { SecureServerOptions } from "node:http2";
import { DEFAULT_MAX_RECEIVE_MESSAGE_SIZE, DEFAULT_MAX_SEND_MESSAGE_SIZE, DEFAULT_WRITE_BUFFER_SIZE } from "../wire/framing.js";
import { DEFAULT_MAX_METADATA_SIZE } from "../wire/metadata.js";
import type { ServerInterceptor } from "./types.js";

/** Server keepalive (keepalive.md): our pings to idle clients, and how often clients may ping us. */
export interface KeepaliveOptions {
  /** Ping the client after this long without activity. Default 2 hours (grpc-go `Time`). */
  timeMs?: number;
  /** Close the connection if a ping is not acknowledged within this. Default 20 s (grpc-go `Timeout`). */
  timeoutMs?: number;
  /** Minimum interval between client pings; faster pings are strikes. Default 5 minutes (grpc-go `MinTime`). */
  minPingIntervalMs?: number;
  /** Allow client pings when there are no active calls. Default false (grpc-go `PermitWithoutStream`). */
  permitWithoutCalls?: boolean;
  /** Strikes tolerated before GOAWAY ENHANCE_YOUR_CALM "too_many_pings". Default 2 (grpc-go). */
  maxPingStrikes?: number;
}

export interface ServerOptions {
  /** Largest request message accepted (after decompression). Default 4 MiB. */
  maxReceiveMessageSize?: number;
  /** Largest response message sent; larger fails the call with RESOURCE_EXHAUSTED. Default 2^31-1. */
  maxSendMessageSize?: number;
  /** Largest received metadata (HPACK size: name + value + 32 per entry). Default 8 KiB. */
  maxMetadataSize?: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection. Default unlimited (2^32-1), like grpc-go. */
  maxConcurrentStreams?: number;
  /** HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE. Default 16 KiB (more than maxMetadataSize, so oversize metadata gets a status, not a reset). */
  maxHeaderListSize?: number;
  /**
   * Bytes a response stream may hold queued (not yet let out by HTTP/2 flow control) before
   * `write()` returns a promise that waits for 'drain'. Default 256 KiB. Per-stream memory stays
   * below this plus one message.
   */
  writeBufferSize?: number;
  keepalive?: KeepaliveOptions;
  /** Interceptors, outermost first. */
  interceptors?: ServerInterceptor[];
  /** Called with errors that are not sent to anyone (socket errors, non-GrpcError throws). Default: ignore. */
  onError?: (error: unknown) => void;
}

/** TLS for `listen`: node:http2 SecureServerOptions (key, cert, ca, requestCert, rejectUnauthorized…). ALPN is forced to h2. */
export type TlsOptions = Pick<SecureServerOptions, "key" | "cert" | "ca" | "pfx" | "passphrase" | "requestCert" | "rejectUnauthorized" | "ciphers" | "minVersion">;

export interface ListenOptions {
  /** 0 (default) lets the OS choose. */
  port?: number;
  /** A Unix domain socket path instead of a TCP port (`listen` then resolves with 0). */
  path?: string;
  /** Default "127.0.0.1"; use "::" or "0.0.0.0" for all interfaces. */
  host?: string;
  /** TLS (and mTLS with `requestCert` + `ca`); plaintext h2c with prior knowledge when absent. */
  tls?: TlsOptions;
}

export const DEFAULT_KEEPALIVE_TIME_MS = 2 * 60 * 60 * 1000;
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 20_000;
export const DEFAULT_MIN_PING_INTERVAL_MS = 5 * 60 * 1000;
export const DEFAULT_MAX_PING_STRIKES = 2;
export const DEFAULT_MAX_CONCURRENT_STREAMS = 0xffffffff;
export const DEFAULT_MAX_HEADER_LIST_SIZE = 16 * 1024;

/** Options with every default filled in. */
export interface ResolvedServerOptions {
  maxReceiveMessageSize: number;
  maxSendMessageSize: number;
  maxMetadataSize: number;
  maxConcurrentStreams: number;
  maxHeaderListSize: number;
  writeBufferSize: number;
  keepalive: Required<KeepaliveOptions>;
  interceptors: ServerInterceptor[];
  onError: (error: unknown) => void;
}

export function resolveOptions(o: ServerOptions = {}): ResolvedServerOptions {
  const k = o.keepalive ?? {};
  return {
    maxReceiveMessageSize: o.maxReceiveMessageSize ?? DEFAULT_MAX_RECEIVE_MESSAGE_SIZE,
    maxSendMessageSize: o.maxSendMessageSize ?? DEFAULT_MAX_SEND_MESSAGE_SIZE,
    maxMetadataSize: o.maxMetadataSize ?? DEFAULT_MAX_METADATA_SIZE,
    maxConcurrentStreams: o.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
    maxHeaderListSize: o.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST_SIZE,
    writeBufferSize: o.writeBufferSize ?? DEFAULT_WRITE_BUFFER_SIZE,
    keepalive: {
      timeMs: k.timeMs ?? DEFAULT_KEEPALIVE_TIME_MS,
      timeoutMs: k.timeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS,
      minPingIntervalMs: k.minPingIntervalMs ?? DEFAULT_MIN_PING_INTERVAL_MS,
      permitWithoutCalls: k.permitWithoutCalls ?? false,
      maxPingStrikes: k.maxPingStrikes ?? DEFAULT_MAX_PING_STRIKES,
    },
    interceptors: o.interceptors ?? [],
    onError: o.onError ?? (() => {}),
  };
}
