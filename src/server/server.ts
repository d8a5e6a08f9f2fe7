// Implements the gRPC server of PROTOCOL-HTTP2 on node:http2: request validation, routing, limits, TLS/h2c and graceful shutdown (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { parseEncoding } from "../wire/compression.js";
import { isGrpcContentType } from "../wire/content-type.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Header } from "../wire/headers.js";
import { checkRawMetadata } from "../wire/metadata.js";
import { Status } from "../wire/status.js";
import { parseTimeout } from "../wire/timeout.js";
import { ServerCall, type CallHost } from "./call.js";
import { refuse } from "./respond.js";
import { startCall } from "./dispatch.js";
import { CallTrace, traceSession, wireTrace } from "../wire/trace.js";
import { enableWireViewerFromEnv } from "../viewer/index.js";
import { installKeepalive, type SessionState } from "./keepalive.js";
import type { Socket } from "node:net";
import { FLUSH_TIMEOUT_MS, armHandshakeTimeout, countPeerReset, drainSession, NGHTTP2_RESET_BURST, installLifecycle, startReading, stopReading } from "./connection.js";
import { resolveOptions, type ListenOptions, type ResolvedServerOptions, type ServerOptions } from "./options.js";
import { Router } from "./router.js";
import type { ServiceDescriptor, ServiceImplementation } from "./types.js";
import { pinSessionOnEarlyDestroy } from "../wire/session-pin.js";
import { keepStreamTablesYoung } from "../wire/young-stream-tables.js";

const STATE: unique symbol = Symbol("grpc.sessionState");
type TrackedSession = http2.ServerHttp2Session & { [STATE]?: SessionState; [STOP]?: () => void };
const STOP: unique symbol = Symbol("grpc.sessionStop");
const PEER: unique symbol = Symbol("grpc.peer");

/** Default grace period of `shutdown()`. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/**
 * A gRPC server. Register services with `addService`, then `listen`. Each `listen` opens one
 * port (plaintext h2c with prior knowledge, or TLS with ALPN h2).
 */
export class Server implements CallHost {
  readonly options: ResolvedServerOptions;
  private readonly router = new Router();
  private readonly listeners: Array<http2.Http2Server | http2.Http2SecureServer> = [];
  private readonly sessions = new Set<TrackedSession>();
  /** Live calls whose connection has no state (none in practice); the others are in their
   *  connection's `SessionState.calls`. */
  private readonly unattached: ServerCall[] = [];
  private draining = false;
  private shutdownPromise: Promise<void> | undefined;
  private listenersClosed: Promise<void> | undefined;

  constructor(options: ServerOptions = {}) {
    this.options = resolveOptions(options);
    enableWireViewerFromEnv(); // WIRE_VIEWER=1 (src/viewer/)
  }

  /** Registers a service. The implementation's keys are the descriptor's method keys. */
  addService<S extends ServiceDescriptor>(descriptor: S, implementation: ServiceImplementation<S>): this {
    this.router.add(descriptor, implementation);
    return this;
  }

  /** Names of the registered services (e.g. for reflection and health). */
  serviceNames(): string[] {
    return this.router.serviceNames();
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(options: ListenOptions = {}): Promise<number> {
    if (this.draining) return Promise.reject(new Error("server is shut down"));
    const settings: http2.Settings = {
      maxConcurrentStreams: this.options.maxConcurrentStreams,
      maxHeaderListSize: this.options.maxHeaderListSize,
    };
    const common = { settings, maxSessionMemory: 64 };
    const hs = this.options.handshakeTimeoutMs;
    const srv =
      options.tls !== undefined
        ? http2.createSecureServer({
            ...options.tls,
            ...common,
            allowHTTP1: false,
            ALPNProtocols: ["h2"],
            // The TLS half of the handshake timeout (node's default is 120 s); 0 would mean none.
            handshakeTimeout: Number.isFinite(hs) ? Math.max(1, hs) : 0x7fffffff,
          })
        : http2.createServer(common);
    // node's net.Server closes a socket accepted beyond this at once (before TLS or the preface).
    srv.maxConnections = this.options.maxConnections;
    // Prepended: runs before node:http2 makes the session (h2c: on 'connection'; TLS: once the
    // handshake is done, on 'secureConnection').
    srv.prependListener(options.tls !== undefined ? "secureConnection" : "connection", (socket: Socket) =>
      armHandshakeTimeout(socket, this.options.handshakeTimeoutMs),
    );
    srv.on("session", (s: http2.ServerHttp2Session) => this.onSession(s));
    srv.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) =>
      this.onStream(stream, headers, rawHeaders),
    );
    // A connection that breaks the protocol (e.g. garbage instead of the preface): drop it.
    srv.on("sessionError", (err: Error, session: http2.ServerHttp2Session | undefined) => {
      this.options.onError(err);
      session?.destroy();
    });
    srv.on("unknownProtocol", (socket: { destroy(): void }) => socket.destroy());
    if (options.tls !== undefined) {
      // The peer of a failed handshake: read when the TCP connection is accepted, since the socket
      // has often lost its address by the time tlsClientError fires (timeout, client hang-up).
      srv.prependListener("connection", (socket: Socket & { [PEER]?: string }) => {
        socket[PEER] = formatAddress(socket.remoteAddress, socket.remotePort);
      });
      srv.on("tlsClientError", (err: Error, socket: Socket & { _parent?: Socket & { [PEER]?: string } }) => {
        const peer = socket._parent?.[PEER] ?? formatAddress(socket.remoteAddress, socket.remotePort);
        this.options.onError(Object.assign(new Error(`TLS handshake with ${peer} failed: ${err.message}`, { cause: err }), { peer }));
      });
    }
    this.listeners.push(srv);
    return new Promise<number>((resolve, reject) => {
      srv.once("error", reject);
      const onListening = (): void => {
        srv.off("error", reject);
        srv.on("error", (err: Error) => this.options.onError(err));
        const addr = srv.address();
        resolve(addr !== null && typeof addr === "object" ? (addr as AddressInfo).port : 0);
      };
      if (options.path !== undefined) srv.listen(options.path, onListening);
      else srv.listen(options.port ?? 0, options.host ?? "127.0.0.1", onListening);
    });
  }

  /**
   * Graceful shutdown, as grpc-go's GracefulStop: stop listening; on every connection GOAWAY(2^31-1)
   * and a PING, then GOAWAY(last stream id) once the PING is acknowledged or after 1 s (see
   * connection.ts `drainSession`), so no new call starts; calls in flight may finish for up to
   * `graceMs`. When the grace ends, every call still open gets grpc-status UNAVAILABLE "server
   * shutting down" (in trailers after its headers, or Trailers-Only) and its handler's `ctx.signal`
   * aborts; the connections close once those statuses are written (at most 1 s later they are
   * destroyed). Resolves when every connection is closed.
   */
  shutdown(graceMs: number = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
    if (this.shutdownPromise !== undefined) return this.shutdownPromise;
    this.draining = true;
    const closed = this.closeListeners();
    for (const s of this.sessions) {
      const st = s[STATE];
      if (st !== undefined) drainSession(s, st);
      else if (!s.closed && !s.destroyed) s.close();
    }
    this.shutdownPromise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.endEverything(), graceMs);
      closed.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.shutdownPromise;
  }

  /**
   * Ends every call now with grpc-status UNAVAILABLE "server shutting down" (trailers, or
   * Trailers-Only where no headers went out: never a bare RST_STREAM, so clients may retry) and
   * aborts every handler's signal; then closes every connection (destroyed after at most 1 s if a
   * client does not read the statuses). Resolves when the listeners and connections are closed.
   */
  forceShutdown(): Promise<void> {
    this.draining = true;
    const closed = this.closeListeners();
    this.endEverything();
    return closed;
  }

  private endEverything(): void {
    const err = new GrpcError(Status.UNAVAILABLE, "server shutting down");
    for (const call of [...this.unattached]) call.close(err);
    for (const s of this.sessions) {
      const st = s[STATE];
      if (st !== undefined) for (const call of [...st.calls]) call.close(err);
      closeAfterFlush(s);
    }
  }

  /** Max connection age: the grace is over; end this connection's calls with UNAVAILABLE and close it. */
  private endSession(session: TrackedSession): void {
    const st = session[STATE];
    const err = new GrpcError(Status.UNAVAILABLE, "connection max age reached");
    if (st !== undefined) for (const call of [...st.calls]) call.close(err);
    closeAfterFlush(session);
  }

  /** Closes the listeners once; later callers (forceShutdown after shutdown) share the same promise,
   *  so none waits for a 'close' event that has already fired. */
  private closeListeners(): Promise<void> {
    this.listenersClosed ??= Promise.all(
      this.listeners.map(
        (srv) =>
          new Promise<void>((resolve) => {
            if (!srv.listening) {
              // close() on a stopped server calls back with an error; wait for its sessions via 'close'.
              if (this.sessions.size === 0) return resolve();
              srv.once("close", () => resolve());
              return;
            }
            srv.close(() => resolve());
          }),
      ),
    ).then(() => undefined);
    return this.listenersClosed;
  }

  /** How many calls are live (tests wait for the server to see a reset). */
  private get liveCalls(): number {
    let n = this.unattached.length;
    for (const s of this.sessions) n += s[STATE]?.calls.length ?? 0;
    return n;
  }

  // ---- CallHost ----------------------------------------------------------------------------------

  callEnded(call: ServerCall): void {
    const st = call.connState;
    const list = st?.calls ?? this.unattached;
    const i = list.indexOf(call);
    if (i < 0) return;
    const last = list.pop()!;
    if (i < list.length) list[i] = last;
    if (st !== undefined && --st.activeCalls === 0) st.idleSince = Date.now();
  }

  /**
   * Starts the call's handler, or queues it when its connection already runs
   * `maxConcurrentStreams` handlers (the handler quota). A call that ended before its handler could
   * start (reset by the client, failed, expired) never runs it.
   */
  admit(call: ServerCall): void {
    if (!call.startable) return;
    const st = call.connState;
    if (st !== undefined) {
      if (st.handlers >= this.options.maxConcurrentStreams || st.waiting !== undefined) {
        (st.waiting ??= []).push(call);
        // Stop reading this connection until a handler returns (grpc-go blocks its reader the same
        // way): no new frames, hence no new streams, are taken from this client meanwhile.
        stopReading(st.session);
        return;
      }
      st.handlers++;
    }
    call.runHandler();
  }

  handlerReturned(call: ServerCall): void {
    const st = call.connState;
    if (st === undefined) return;
    st.handlers--;
    const waiting = st.waiting;
    if (waiting === undefined) return;
    while (st.handlers < this.options.maxConcurrentStreams && waiting.length > 0) {
      const next = waiting.shift()!;
      if (!next.startable) continue; // reset or failed while it waited: its handler never runs
      st.handlers++;
      next.runHandler();
    }
    if (waiting.length === 0) {
      st.waiting = undefined;
      startReading(st.session);
    }
  }

  // ---- connections and streams -------------------------------------------------------------------

  private onSession(session: TrackedSession): void {
    if (this.draining) {
      session.close();
      return;
    }
    const state: SessionState = {
      activeCalls: 0,
      calls: [],
      pingStrikes: 0,
      lastPingAt: 0,
      lastStreamId: 0,
      pingsExcused: 0,
      peer: formatPeer(session),
      handlers: 0,
      waiting: undefined,
      idleSince: 0,
      draining: false,
      resetTokens: NGHTTP2_RESET_BURST,
      resetRefilledAt: Date.now(),
      session,
    };
    session[STATE] = state;
    if (wireTrace.enabled) traceSession(session, "server");
    const stopKeepalive = installKeepalive(session, state, this.options);
    const stopLifecycle = installLifecycle(session, state, this.options, () => this.endSession(session));
    session[STOP] = () => {
      stopKeepalive();
      stopLifecycle();
    };
    this.sessions.add(session);
    session.on("stream", countResetBeforeHandler);
    session.on("error", (err: Error) => {
      this.options.onError(err);
      session.destroy();
    });
    session.on("close", () => {
      session[STOP]?.();
      this.sessions.delete(session);
    });
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, rawHeaders: string[]): void {
    // Frees this connection's native session only after the stream's, if torn down early (a node:http2 abort otherwise).
    pinSessionOnEarlyDestroy(stream);
    // Keeps node's per-session stream tables young, or every closed stream is promoted (see the module).
    keepStreamTablesYoung(stream.session);
    // Reset by the client before we saw it (HEADERS and RST_STREAM in one read): nothing to run.
    if (stream.destroyed || stream.closed) {
      stream.on("error", noop); // a reset with a code other than CANCEL is also emitted as 'error'
      return;
    }
    let trace: CallTrace | undefined;
    if (wireTrace.enabled) {
      trace = new CallTrace("server", String(headers[Header.path]), `on HTTP/2 stream ${stream.id}`);
      trace.session(stream.session, stream.id);
      trace.headers("in", "HEADERS", headers, stream.endAfterHeaders);
    }
    const method = headers[Header.method];
    if (method !== "POST") {
      return refuse(stream, Status.INTERNAL, `method ${String(method)} is not allowed: gRPC uses POST`, trace, 405);
    }
    const contentType = headers[Header.contentType];
    if (!isGrpcContentType(contentType)) {
      return refuse(stream, Status.INTERNAL, `invalid gRPC request content-type "${String(contentType)}"`, trace, 415);
    }
    const path = headers[Header.path] ?? "";
    const route = this.router.get(path);
    if (route === undefined) return refuse(stream, Status.UNIMPLEMENTED, this.router.explainMiss(path), trace);
    const enc = parseEncoding(headers[Header.grpcEncoding] as string | undefined);
    if (!enc.ok) return refuse(stream, enc.code, enc.message, trace);
    let timeoutMs: number | undefined;
    const rawTimeout = headers[Header.grpcTimeout];
    if (rawTimeout !== undefined) {
      const t = parseTimeout(rawTimeout as string);
      if (!t.ok) return refuse(stream, Status.INTERNAL, t.error, trace);
      timeoutMs = t.timeoutMs;
    }
    const bad = checkRawMetadata(rawHeaders, this.options.maxMetadataSize);
    if (bad !== undefined) return refuse(stream, bad.tooLarge ? Status.RESOURCE_EXHAUSTED : Status.INTERNAL, bad.error, trace);
    const st = (stream.session as TrackedSession | undefined)?.[STATE];
    const call = new ServerCall(
      this,
      st,
      stream,
      route,
      headers,
      rawHeaders,
      enc.encoding,
      headers[Header.grpcAcceptEncoding] as string | undefined,
      timeoutMs,
    );
    if (trace !== undefined) call.trace = trace;
    if (st === undefined) this.unattached.push(call);
    else {
      st.calls.push(call);
      st.activeCalls++;
      const id = stream.id ?? 0;
      if (id > st.lastStreamId) st.lastStreamId = id;
      // Calls wait for the handler quota, so reading should be stopped: node restarts reading
      // after some writes (see connection.ts stopReading); stop it again.
      if (st.waiting !== undefined) stopReading(st.session);
    }
    startCall(call);
  }
}

function noop(): void {}

/** `host:port` of the client, `[v6]:port` for IPv6, as gRPC peers print it. */
function formatPeer(session: http2.ServerHttp2Session): string {
  const sock = session.socket;
  return formatAddress(sock?.remoteAddress, sock?.remotePort);
}

function formatAddress(addr: string | undefined, port: number | undefined): string {
  if (addr === undefined) return "unknown";
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Graceful close (GOAWAY; the connection closes once its streams have written their statuses),
 *  then destroy if the client has not let that happen within FLUSH_TIMEOUT_MS. */
function closeAfterFlush(session: http2.ServerHttp2Session): void {
  if (session.destroyed) return;
  if (!session.closed) session.close();
  const t = setTimeout(() => session.destroy(), FLUSH_TIMEOUT_MS);
  t.unref();
  session.once("close", () => clearTimeout(t));
}

/** A stream the client reset in the same read as its HEADERS (it never reaches a handler) still spends the connection's reset budget. */
function countResetBeforeHandler(this: TrackedSession, stream: http2.ServerHttp2Stream): void {
  if (!stream.closed && !stream.destroyed) return;
  // Answered by us (an early Trailers-Only refusal, say): the close was ours, not the client's reset.
  if (stream.headersSent || stream.rstCode === undefined || stream.rstCode === http2.constants.NGHTTP2_NO_ERROR) return;
  const st = this[STATE];
  if (st !== undefined) countPeerReset(st);
}
