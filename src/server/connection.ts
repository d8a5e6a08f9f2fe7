// Implements server connection management: the handshake timeout, grpc-go's keepalive.ServerParameters (MaxConnectionIdle, MaxConnectionAge, MaxConnectionAgeGrace) and the two-phase GOAWAY of a graceful close (RFC 9113 §6.8, https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import type { Http2Session, ServerHttp2Session } from "node:http2";
import { constants } from "node:http2";
import type { Socket } from "node:net";
import type { SessionState } from "./keepalive.js";
import type { ResolvedServerOptions } from "./options.js";

/** How long the first GOAWAY's PING may stay unanswered before the second GOAWAY goes out (grpc-go: 1 s). */
export const GOAWAY_PING_TIMEOUT_MS = 1_000;
/** After the final statuses are written, how long the client has to read them before the socket is destroyed. */
export const FLUSH_TIMEOUT_MS = 1_000;
/** Largest stream id: the first GOAWAY's Last-Stream-ID ("any stream you have sent may still be processed"). */
const MAX_STREAM_ID = 0x7fffffff;
/**
 * nghttp2's rate limit on incoming RST_STREAM frames (CVE-2023-44487): a bucket of 1,000 resets
 * refilled at 33 per second; when it is empty, nghttp2 answers GOAWAY(INTERNAL_ERROR) and every call
 * on the connection dies. node 20 cannot change it (`streamResetBurst`/`streamResetRate` arrived in
 * later node versions), so {@link countPeerReset} keeps the same bucket and drains the connection first.
 */
export const NGHTTP2_RESET_BURST = 1_000;
export const NGHTTP2_RESET_RATE_PER_S = 33;
/**
 * Resets left in the bucket when we drain the connection (graceful GOAWAY): well before nghttp2's
 * GOAWAY, with room for nghttp2 refilling in whole seconds. After our GOAWAY nghttp2 no longer
 * applies its limit to the connection, so calls in flight finish; the client reconnects for new ones.
 */
export const RESET_DRAIN_MARGIN = 300;

/**
 * Counts one RST_STREAM the client sent on this connection and drains the connection (two-phase
 * GOAWAY, {@link drainSession}) once its reset budget falls to {@link RESET_DRAIN_MARGIN}. An honest
 * client cancelling many calls then moves to a fresh connection instead of having nghttp2 kill this
 * one under its other calls; an abusive one gets a GOAWAY and no new stream here, as before, and our
 * handler quota plus the skipping of streams reset before their handler remain the rapid-reset defence.
 */
export function countPeerReset(state: SessionState): void {
  const now = Date.now();
  const refill = ((now - state.resetRefilledAt) * NGHTTP2_RESET_RATE_PER_S) / 1_000;
  state.resetTokens = Math.min(NGHTTP2_RESET_BURST, state.resetTokens + refill) - 1;
  state.resetRefilledAt = now;
  if (state.resetTokens <= RESET_DRAIN_MARGIN && !state.draining) drainSession(state.session, state);
}

/** setTimeout fires at once for delays above this. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * Starts a graceful close of one connection, as grpc-go's drain does: GOAWAY(2^31-1, NO_ERROR), then a
 * PING; when the PING is acknowledged (the client has then seen the GOAWAY, so it opens no new stream
 * here) or after {@link GOAWAY_PING_TIMEOUT_MS}, `session.close()`: GOAWAY(last processed stream id),
 * and the connection closes once its streams are done.
 *
 * node:http2 (nghttp2) refuses new streams from the first GOAWAY on: streams the client opened in
 * the race are not processed, and the second GOAWAY's Last-Stream-ID tells the client so (it may
 * retry them elsewhere, gRFC A6 transparent retry). With no call open, nghttp2 stops reading after
 * a GOAWAY (so the PING would never be acknowledged): then the connection is closed at once.
 */
export function drainSession(session: ServerHttp2Session, state: SessionState): void {
  if (state.draining || session.closed || session.destroyed) return;
  state.draining = true;
  if (state.activeCalls === 0) {
    session.close();
    return;
  }
  session.goaway(constants.NGHTTP2_NO_ERROR, MAX_STREAM_ID);
  let done = false;
  const second = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (!session.closed && !session.destroyed) session.close();
  };
  const timer = setTimeout(second, GOAWAY_PING_TIMEOUT_MS);
  timer.unref();
  // The PING must reach the client after the GOAWAY, so that its ACK proves the GOAWAY was read.
  // nghttp2 sends PING frames ahead of a queued GOAWAY (its urgent queue), so ping only once node
  // has written the GOAWAY out (node flushes pending frames in its own setImmediate).
  setImmediate(sendDrainPing, session, second);
}

function sendDrainPing(session: ServerHttp2Session, second: () => void): void {
  if (session.closed || session.destroyed) return second();
  try {
    if (!session.ping(second)) second();
  } catch {
    second();
  }
}

const HANDSHAKE_TIMER: unique symbol = Symbol("grpc.handshakeTimer");

/**
 * Arms the handshake timeout on a new socket (the TCP socket for h2c, the TLS socket once its
 * handshake is done: node's tls `handshakeTimeout` bounds the TLS part): destroyed unless the HTTP/2
 * preface and SETTINGS arrive within `ms`. Set on the socket itself, before node:http2 wraps it in
 * a session: the session's socket proxy refuses destroy(), and a session.destroy() on a connection
 * that never sent its preface leaves the socket open (node waits for a graceful end).
 */
export function armHandshakeTimeout(socket: Socket, ms: number): void {
  if (!Number.isFinite(ms)) return;
  const t = setTimeout(destroySocket, Math.min(ms, MAX_TIMER_MS), socket);
  t.unref();
  (socket as Socket & { [HANDSHAKE_TIMER]?: NodeJS.Timeout })[HANDSHAKE_TIMER] = t;
  socket.once("close", () => clearTimeout(t));
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}

/**
 * Installs the per-connection timers: max idle and max age with its grace, and disarms the
 * handshake timeout when the client's first SETTINGS frame arrives. `onAgeGraceEnd` ends the calls still open
 * (UNAVAILABLE) once the age grace is over. Returns a function that clears every timer.
 */
export function installLifecycle(
  session: ServerHttp2Session,
  state: SessionState,
  options: ResolvedServerOptions,
  onAgeGraceEnd: () => void,
): () => void {
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const t = setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
    t.unref();
    timers.push(t);
    return t;
  };

  // Handshake: armed on the socket by `armHandshakeTimeout`; the client's first SETTINGS frame
  // (right after its preface) disarms it.
  session.once("remoteSettings", () => {
    const t = (session.socket as unknown as { [HANDSHAKE_TIMER]?: NodeJS.Timeout } | undefined)?.[HANDSHAKE_TIMER];
    if (t !== undefined) clearTimeout(t);
  });

  // Idle: one timer, re-armed for the rest of the idle period (no timer work per call; callEnded
  // only records when the connection went idle).
  const idleMs = options.maxConnectionIdleMs;
  let idleTimer: NodeJS.Timeout | undefined;
  if (Number.isFinite(idleMs)) {
    state.idleSince = Date.now();
    const check = (): void => {
      idleTimer = undefined;
      if (state.draining || session.closed || session.destroyed) return;
      const idleFor = Date.now() - state.idleSince;
      if (state.activeCalls === 0 && idleFor >= idleMs) return drainSession(session, state);
      idleTimer = setTimeout(check, Math.min(state.activeCalls === 0 ? idleMs - idleFor : idleMs, MAX_TIMER_MS));
      idleTimer.unref();
    };
    idleTimer = setTimeout(check, Math.min(idleMs, MAX_TIMER_MS));
    idleTimer.unref();
  }

  const ageMs = options.maxConnectionAgeMs;
  if (Number.isFinite(ageMs)) {
    // ±10% jitter, as grpc-go, so connections opened together do not all reconnect together.
    const jittered = ageMs * (0.9 + Math.random() * 0.2);
    later(jittered, () => {
      drainSession(session, state);
      if (Number.isFinite(options.maxConnectionAgeGraceMs)) later(options.maxConnectionAgeGraceMs, onAgeGraceEnd);
    });
  }

  return () => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    for (const t of timers) clearTimeout(t);
    timers.length = 0;
  };
}

/**
 * Stops reading from the connection's socket (libuv readStop on the handle node:http2 consumes).
 * node:http2 has no public way to pause a session; its socket proxy forbids pause(), and
 * Readable.pause() would not stop it anyway, since the native Http2Session reads the handle
 * directly. Used by the handler quota; node restarts reading by itself after a write it paused
 * reading for, so callers re-assert the pause when a new stream arrives while calls still wait.
 */
export function stopReading(session: Http2Session): void {
  const handle = (session.socket as unknown as { _handle?: { readStop?: () => number } } | undefined)?._handle;
  if (handle !== undefined && handle !== null && typeof handle.readStop === "function") handle.readStop();
}

/** Resumes reading after {@link stopReading}. */
export function startReading(session: Http2Session): void {
  if (session.destroyed) return;
  const handle = (session.socket as unknown as { _handle?: { readStart?: () => number } } | undefined)?._handle;
  if (handle !== undefined && handle !== null && typeof handle.readStart === "function") handle.readStart();
}
