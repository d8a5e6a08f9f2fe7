// Implements the server limits and keepalive settings of gRPC (https://github.com/grpc/grpc/blob/master/doc/keepalive.md), with defaults close to grpc-go's.

import { readFileSync } from "node:fs";
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
  /**
   * HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection, and the per-connection handler quota.
   * Default 100 ({@link DEFAULT_MAX_CONCURRENT_STREAMS}).
   *
   * Why 100: RFC 9113 §6.5.2 recommends no less than 100 so as not to limit parallelism, and it is
   * nghttp2's (nghttpd's) default; Go's x/net/http2 server uses 250, grpc-go and grpc-java default
   * to unlimited (2^32-1), which is what let five connections pin 3.6 GiB here. With 100, the
   * memory one connection can pin stays near 100 × (maxReceiveMessageSize + writeBufferSize)
   * (docs/TRANSPORT.md "Limits"); a client that wants more parallelism opens more connections,
   * which maxConnections bounds.
   *
   * On the wire: advertised in our first SETTINGS frame. Enforced by nghttp2: a stream opened
   * beyond it before the client has acknowledged our SETTINGS gets RST_STREAM(REFUSED_STREAM);
   * after the acknowledgement it is a protocol violation, and node closes the connection with
   * GOAWAY (node reports nghttp2's error as INTERNAL_ERROR). Clients that honour SETTINGS (every gRPC
   * client, node's http2) queue instead.
   *
   * Handler quota (grpc-go's fix for CVE-2023-44487, "rapid reset"): at most this many handlers run
   * at once per connection, counted from handler start to handler return (not to stream close: a
   * reset stream frees its HTTP/2 slot at once, while its handler may still run). A call that would
   * exceed it waits, and the server stops reading that connection's socket until a handler returns.
   * So handlers that outlive their stream (ignoring `ctx.signal`) stall their own connection only.
   * Handlers start one event-loop turn after their request is ready, so a RST_STREAM that arrived in
   * the same read as the request (the rapid-reset pattern) is seen first and the handler never runs.
   *
   * Reset budget: nghttp2 also limits the RST_STREAM frames a connection may send (1,000, refilled at
   * 33/s; then GOAWAY(INTERNAL_ERROR), every call on it lost). node 20 cannot raise that limit (the
   * `streamResetBurst`/`streamResetRate` options of later node versions do not exist in 20.20), and it
   * hits honest clients that cancel many calls. So the server keeps the same bucket per connection
   * and drains the connection (graceful two-phase GOAWAY, calls in flight finish) when 300 resets
   * are left (`countPeerReset` in connection.ts); after our GOAWAY nghttp2 stops applying its limit
   * and refuses new streams, so the quota and reset-before-handler skipping stay the abuse bound.
   */
  maxConcurrentStreams?: number;
  /**
   * A new connection must complete its TLS handshake, and then send the HTTP/2 preface and SETTINGS,
   * each within this. Default 20 s ({@link DEFAULT_HANDSHAKE_TIMEOUT_MS}).
   *
   * Why 20 s: grpc-go's ConnectionTimeout is 120 s, node's tls handshakeTimeout 120 s. A real
   * client needs a few round trips (well under a second, a few seconds on a bad mobile link); at
   * 120 s an attacker holds N idle sockets with N/120 new ones per second, at 20 s it needs six
   * times as many. On the wire: the socket is closed (TCP FIN; no GOAWAY before a preface). For
   * TLS, node's `tlsClientError` reports the timeout (to `onError`, with the peer address).
   */
  handshakeTimeoutMs?: number;
  /**
   * Most open TCP connections per listening port; beyond it node closes a newly accepted socket at
   * once (before TLS or any HTTP/2 frame: the client sees the connection closed), instead of the
   * process running out of file descriptors and failing every accept with EMFILE. Default
   * ({@link defaultMaxConnections}): 90% of the process's open-file soft limit (read from
   * /proc/self/limits), at most 10,000; 10,000 where the limit cannot be read.
   */
  maxConnections?: number;
  /**
   * Close a connection that has had no call for this long: GOAWAY(NO_ERROR), then close. Default
   * infinite, as grpc-go's keepalive.ServerParameters.MaxConnectionIdle.
   */
  maxConnectionIdleMs?: number;
  /**
   * Close a connection after about this long, so that long-lived clients reconnect (and re-resolve,
   * rebalancing over new replicas). Jittered by ±10% per connection, as grpc-go does. At that age:
   * GOAWAY(2^31-1, NO_ERROR) and a PING, then on the PING's ACK (or after 1 s) GOAWAY(last stream
   * id): calls in flight continue, new ones go to a new connection. Default infinite, as grpc-go's
   * MaxConnectionAge.
   */
  maxConnectionAgeMs?: number;
  /**
   * After `maxConnectionAgeMs`, calls still open get this long to finish; then each gets trailers
   * grpc-status UNAVAILABLE "connection max age reached" and the connection is closed. Default
   * infinite (grpc-go's MaxConnectionAgeGrace).
   */
  maxConnectionAgeGraceMs?: number;
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
  /** Called with errors that are not sent to anyone (socket errors, non-GrpcError throws, failed TLS
   *  handshakes: "TLS handshake with <peer> failed: …", the peer on the error's `peer`). Default: ignore. */
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
export const DEFAULT_MAX_CONCURRENT_STREAMS = 100;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 20_000;
/** Cap on the default of `maxConnections`. */
export const MAX_DEFAULT_CONNECTIONS = 10_000;

/**
 * The default `maxConnections`: 90% of this process's soft RLIMIT_NOFILE (the other 10% are left
 * for files, the listener, logs, outgoing connections), at most {@link MAX_DEFAULT_CONNECTIONS}.
 * Node has no getrlimit; on Linux /proc/self/limits has it. Elsewhere: MAX_DEFAULT_CONNECTIONS.
 */
export function defaultMaxConnections(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "latin1"));
    if (m === null || m[1] === "unlimited") return MAX_DEFAULT_CONNECTIONS;
    return Math.max(1, Math.min(MAX_DEFAULT_CONNECTIONS, Math.floor(Number(m[1]) * 0.9)));
  } catch {
    return MAX_DEFAULT_CONNECTIONS;
  }
}
export const DEFAULT_MAX_HEADER_LIST_SIZE = 16 * 1024;

/** Options with every default filled in. */
export interface ResolvedServerOptions {
  maxReceiveMessageSize: number;
  maxSendMessageSize: number;
  maxMetadataSize: number;
  maxConcurrentStreams: number;
  maxHeaderListSize: number;
  writeBufferSize: number;
  handshakeTimeoutMs: number;
  maxConnections: number;
  maxConnectionIdleMs: number;
  maxConnectionAgeMs: number;
  maxConnectionAgeGraceMs: number;
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
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    maxConnections: o.maxConnections ?? defaultMaxConnections(),
    maxConnectionIdleMs: o.maxConnectionIdleMs ?? Infinity,
    maxConnectionAgeMs: o.maxConnectionAgeMs ?? Infinity,
    maxConnectionAgeGraceMs: o.maxConnectionAgeGraceMs ?? Infinity,
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
