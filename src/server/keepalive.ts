// Implements gRPC "Keepalive" for servers: pings to detect dead clients and the ping-rate enforcement policy (GOAWAY ENHANCE_YOUR_CALM "too_many_pings") (https://github.com/grpc/grpc/blob/master/doc/keepalive.md).

import { constants, type ServerHttp2Session } from "node:http2";
import type { GrpcError } from "../wire/grpc-error.js";
import type { ResolvedServerOptions } from "./options.js";

/** Per-connection state the server keeps: live calls, for the "no calls" ping rule. */
export interface SessionState {
  activeCalls: number;
  /** The connection's live calls, unordered (shutdown and max age end them). An array with
   *  swap-removal: a Set of calls cost a third more GC time per unary call under load. */
  readonly calls: ServerCallLike[];
  pingStrikes: number;
  lastPingAt: number;
  /** The highest stream id seen, for GOAWAY's Last-Stream-ID. */
  lastStreamId: number;
  /** How many client pings are let through unchecked (each clearing the strikes) because we sent
   *  HEADERS or DATA frames: one per frame, as grpc-go resets its strikes on every frame it writes.
   *  That keeps grpc-go clients' BDP pings (one per sample of received data) legal. */
  pingsExcused: number;
  /** The remote address, read once when the connection opens: it is gone from the socket after a disconnect. */
  peer: string;
  /** Handlers running now (handler quota, see ServerOptions.maxConcurrentStreams). */
  handlers: number;
  /** Calls whose handler waits for the quota (oldest first); the socket is not read while any wait. */
  waiting: ServerCallLike[] | undefined;
  /** When activeCalls last dropped to 0 (max connection idle). */
  idleSince: number;
  /** Set once the connection is draining (GOAWAY sent: shutdown, max age, max idle). */
  draining: boolean;
  /** Incoming-reset budget left (see connection.ts `countPeerReset`), and when it was last refilled. */
  resetTokens: number;
  resetRefilledAt: number;
  /** The connection itself (a reset stream no longer knows its session). */
  session: ServerHttp2Session;
}

/** The part of a ServerCall the connection state refers to (keeps this module free of call.ts). */
export interface ServerCallLike {
  readonly startable: boolean;
  runHandler(): void;
  close(status?: GrpcError): void;
}

/** grpc-go's defaultPingTimeout: with no calls (and pings not permitted then), a ping within this of the previous one is a strike. */
const IDLE_PING_INTERVAL_MS = 2 * 60 * 60 * 1000;

const TOO_MANY_PINGS = Buffer.from("too_many_pings");

/**
 * Installs keepalive on one connection. Our pings: every `timeMs`, and the connection is closed if
 * the ACK does not arrive within `timeoutMs`. Client pings, with grpc-go's policy: the first ping
 * after we sent headers or data clears the strikes; otherwise a ping sooner than
 * `minPingIntervalMs` after the previous one (2 hours while no call is active, unless
 * `permitWithoutCalls`) is a strike; more than `maxPingStrikes` strikes and the server sends GOAWAY
 * ENHANCE_YOUR_CALM "too_many_pings" and closes the connection. Returns a function that removes
 * the timers.
 */
export function installKeepalive(session: ServerHttp2Session, state: SessionState, options: ResolvedServerOptions): () => void {
  const k = options.keepalive;
  session.on("ping", () => {
    const now = Date.now();
    const last = state.lastPingAt;
    state.lastPingAt = now;
    if (state.pingsExcused > 0) {
      state.pingsExcused--;
      state.pingStrikes = 0;
      return;
    }
    const idle = state.activeCalls === 0 && !k.permitWithoutCalls;
    const minInterval = idle ? IDLE_PING_INTERVAL_MS : k.minPingIntervalMs;
    if (last === 0 || now - last >= minInterval) return;
    if (++state.pingStrikes > k.maxPingStrikes && !session.destroyed && !session.closed) {
      session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, state.lastStreamId, TOO_MANY_PINGS);
      session.close();
    }
  });

  let ackTimer: NodeJS.Timeout | undefined;
  const pingTimer = setInterval(() => {
    if (session.destroyed || session.closed || ackTimer !== undefined) return;
    ackTimer = setTimeout(() => session.destroy(), k.timeoutMs);
    ackTimer.unref();
    try {
      session.ping(() => {
        if (ackTimer !== undefined) clearTimeout(ackTimer);
        ackTimer = undefined;
      });
    } catch {
      // Too many unacknowledged pings in flight, or the session is closing: the ack timer decides.
    }
  }, k.timeMs);
  pingTimer.unref();
  return () => {
    clearInterval(pingTimer);
    if (ackTimer !== undefined) clearTimeout(ackTimer);
  };
}

/** node:http2 writes DATA frames of at most 16 KiB unless the peer raised SETTINGS_MAX_FRAME_SIZE. */
const DATA_FRAME_BYTES = 16 * 1024;

/** Records that we are sending `bytes` of DATA (or a HEADERS frame when 0): client pings it may provoke are excused. */
export function excusePings(state: SessionState, bytes: number): void {
  state.pingsExcused += bytes <= DATA_FRAME_BYTES ? 1 : Math.ceil(bytes / DATA_FRAME_BYTES);
}
