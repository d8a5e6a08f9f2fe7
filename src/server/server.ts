// Implements the gRPC server of PROTOCOL-HTTP2 on node:http2: request validation, routing, limits, TLS/h2c and graceful shutdown (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { ACCEPT_ENCODING, parseEncoding } from "../wire/compression.js";
import { CONTENT_TYPE, isGrpcContentType } from "../wire/content-type.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Header } from "../wire/headers.js";
import { checkRawMetadata } from "../wire/metadata.js";
import { Status, type StatusCode } from "../wire/status.js";
import { encodeStatusMessage } from "../wire/status-message.js";
import { parseTimeout } from "../wire/timeout.js";
import { RESPOND_END_OPTIONS, ServerCall, type CallHost } from "./call.js";
import { startCall } from "./dispatch.js";
import { CallTrace, traceSession, wireTrace } from "../wire/trace.js";
import { enableWireViewerFromEnv } from "../viewer/index.js";
import { installKeepalive, type SessionState } from "./keepalive.js";
import { resolveOptions, type ListenOptions, type ResolvedServerOptions, type ServerOptions } from "./options.js";
import { Router } from "./router.js";
import type { ServiceDescriptor, ServiceImplementation } from "./types.js";

const STATE: unique symbol = Symbol("grpc.sessionState");
type TrackedSession = http2.ServerHttp2Session & { [STATE]?: SessionState; [STOP]?: () => void };
const STOP: unique symbol = Symbol("grpc.sessionStop");

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
  /** Live calls, as an intrusive doubly-linked list through ServerCall.livePrev/liveNext (no Set
   *  hashing or table rehashes per call). */
  private liveHead: ServerCall | undefined = undefined;
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
    const srv =
      options.tls !== undefined
        ? http2.createSecureServer({ ...options.tls, ...common, allowHTTP1: false, ALPNProtocols: ["h2"] })
        : http2.createServer(common);
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
    if (options.tls !== undefined) srv.on("tlsClientError", (err: Error) => this.options.onError(err));
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
   * Graceful shutdown: stop listening, send GOAWAY so clients open no new calls, let calls in
   * flight finish for up to `graceMs`, then cancel the rest and close every connection.
   */
  shutdown(graceMs: number = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
    if (this.shutdownPromise !== undefined) return this.shutdownPromise;
    this.draining = true;
    const closed = this.closeListeners();
    for (const s of this.sessions) if (!s.closed && !s.destroyed) s.close();
    this.shutdownPromise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.forceShutdown(), graceMs);
      closed.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.shutdownPromise;
  }

  /** Cancels every call (CANCELLED, RST_STREAM) and closes every connection now. */
  forceShutdown(): Promise<void> {
    this.draining = true;
    const closed = this.closeListeners();
    const err = new GrpcError(Status.UNAVAILABLE, "server shutting down");
    const live: ServerCall[] = [];
    for (let c = this.liveHead; c !== undefined; c = c.liveNext) live.push(c);
    for (const call of live) call.cancel(err);
    for (const s of this.sessions) s.destroy();
    return closed;
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

  // ---- CallHost ----------------------------------------------------------------------------------

  callEnded(call: ServerCall): void {
    if (!call.live) return;
    call.live = false;
    const prev = call.livePrev;
    const next = call.liveNext;
    if (prev !== undefined) prev.liveNext = next;
    else this.liveHead = next;
    if (next !== undefined) next.livePrev = prev;
    call.livePrev = call.liveNext = undefined;
    if (call.connState !== undefined) call.connState.activeCalls--;
  }

  // ---- connections and streams -------------------------------------------------------------------

  private onSession(session: TrackedSession): void {
    if (this.draining) {
      session.close();
      return;
    }
    const state: SessionState = { activeCalls: 0, pingStrikes: 0, lastPingAt: 0, lastStreamId: 0, pingsExcused: 0, peer: formatPeer(session) };
    session[STATE] = state;
    if (wireTrace.enabled) traceSession(session, "server");
    session[STOP] = installKeepalive(session, state, this.options);
    this.sessions.add(session);
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
    let trace: CallTrace | undefined;
    if (wireTrace.enabled) {
      trace = new CallTrace("server", String(headers[Header.path]), `on HTTP/2 stream ${stream.id}`);
      trace.session(stream.session, stream.id);
      trace.headers("in", "HEADERS", headers, stream.endAfterHeaders);
    }
    const method = headers[Header.method];
    if (method !== "POST") {
      return earlyHttpError(stream, 405, `method ${String(method)} is not allowed: gRPC uses POST`, trace);
    }
    const contentType = headers[Header.contentType];
    if (!isGrpcContentType(contentType)) {
      return earlyHttpError(stream, 415, `invalid gRPC request content-type "${String(contentType)}"`, trace);
    }
    const path = headers[Header.path] ?? "";
    const route = this.router.get(path);
    if (route === undefined) return earlyStatus(stream, Status.UNIMPLEMENTED, this.router.explainMiss(path), trace);
    const enc = parseEncoding(headers[Header.grpcEncoding] as string | undefined);
    if (!enc.ok) return earlyStatus(stream, enc.code, enc.message, trace);
    let timeoutMs: number | undefined;
    const rawTimeout = headers[Header.grpcTimeout];
    if (rawTimeout !== undefined) {
      const t = parseTimeout(rawTimeout as string);
      if (!t.ok) return earlyStatus(stream, Status.INTERNAL, t.error, trace);
      timeoutMs = t.timeoutMs;
    }
    const bad = checkRawMetadata(rawHeaders, this.options.maxMetadataSize);
    if (bad !== undefined) return earlyStatus(stream, bad.tooLarge ? Status.RESOURCE_EXHAUSTED : Status.INTERNAL, bad.error, trace);
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
    const head = this.liveHead;
    call.live = true;
    call.liveNext = head;
    if (head !== undefined) head.livePrev = call;
    this.liveHead = call;
    if (st !== undefined) {
      st.activeCalls++;
      const id = stream.id ?? 0;
      if (id > st.lastStreamId) st.lastStreamId = id;
    }
    startCall(call, this.options.interceptors);
  }
}

function noop(): void {}

/** A refusal before any gRPC processing, with an HTTP status (405, 415) and grpc-status INTERNAL, like grpc-go. */
function earlyHttpError(stream: http2.ServerHttp2Stream, httpStatus: number, message: string, trace?: CallTrace): void {
  stream.on("error", noop);
  if (stream.destroyed || stream.headersSent) return;
  const headers = {
    [Header.status]: httpStatus,
    [Header.contentType]: CONTENT_TYPE,
    [Header.grpcStatus]: String(Status.INTERNAL),
    [Header.grpcMessage]: encodeStatusMessage(message),
  };
  if (trace !== undefined) trace.headers("out", "TRAILERS-ONLY", headers);
  stream.respond(headers, RESPOND_END_OPTIONS);
  if (!stream.readableEnded) {
    if (trace !== undefined) trace.reset(http2.constants.NGHTTP2_NO_ERROR);
    stream.close(http2.constants.NGHTTP2_NO_ERROR);
  }
}

/** A Trailers-Only response (HTTP 200, status in the one HEADERS frame). */
function earlyStatus(stream: http2.ServerHttp2Stream, code: StatusCode, message: string, trace?: CallTrace): void {
  stream.on("error", noop);
  if (stream.destroyed || stream.headersSent) return;
  const headers = {
    [Header.status]: 200,
    [Header.contentType]: CONTENT_TYPE,
    [Header.grpcAcceptEncoding]: ACCEPT_ENCODING,
    [Header.grpcStatus]: String(code),
    [Header.grpcMessage]: encodeStatusMessage(message),
  };
  if (trace !== undefined) trace.headers("out", "TRAILERS-ONLY", headers);
  stream.respond(headers, RESPOND_END_OPTIONS);
  // The client may still be sending: reset its half with NO_ERROR, as grpc-go does.
  if (!stream.readableEnded) {
    if (trace !== undefined) trace.reset(http2.constants.NGHTTP2_NO_ERROR);
    stream.close(http2.constants.NGHTTP2_NO_ERROR);
  }
}

/** `host:port` of the client, `[v6]:port` for IPv6, as gRPC peers print it. */
function formatPeer(session: http2.ServerHttp2Session): string {
  const sock = session.socket;
  const addr = sock?.remoteAddress;
  if (addr === undefined) return "unknown";
  return addr.includes(":") ? `[${addr}]:${sock.remotePort}` : `${addr}:${sock.remotePort}`;
}
