// Implements the client channel of PROTOCOL-HTTP2 (one HTTP/2 connection per target) with "gRPC Connection Backoff Protocol" and "Client-side Keepalive" (https://github.com/grpc/grpc/blob/master/doc/connection-backoff.md, doc/keepalive.md).
import * as http2 from "node:http2";
import * as net from "node:net";
import * as tls from "node:tls";
import { DEFAULT_MAX_RECEIVE_MESSAGE_SIZE, DEFAULT_MAX_SEND_MESSAGE_SIZE, DEFAULT_WRITE_BUFFER_SIZE } from "../wire/framing.js";
import { USER_AGENT } from "../wire/headers.js";
import { DEFAULT_MAX_METADATA_SIZE } from "../wire/metadata.js";
import { traceSession, wireTrace } from "../wire/trace.js";
import { enableWireViewerFromEnv } from "../viewer/index.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { Keepalive, type KeepaliveOptions } from "./keepalive.js";
import { describeTarget, parseTarget, type Target } from "./target.js";

export { DEFAULT_MAX_RECEIVE_MESSAGE_SIZE, DEFAULT_MAX_SEND_MESSAGE_SIZE };

/** TLS settings. `true` means TLS with the system roots. Client certificate (`cert` + `key`) gives mTLS. */
export interface ChannelTlsOptions {
  /** Trusted root certificates (PEM); default: Node's bundled roots. */
  ca?: string | Buffer;
  /** Client certificate chain (PEM), for mutual TLS. */
  cert?: string | Buffer;
  /** Client private key (PEM), for mutual TLS. */
  key?: string | Buffer;
  /** Name checked against the server certificate (SNI); default: the target host. */
  serverName?: string;
  /** Default true. Setting false disables certificate checks (tests only). */
  rejectUnauthorized?: boolean;
}

export interface ChannelOptions {
  /** TLS (`true` or settings) or plaintext HTTP/2 with prior knowledge (default). */
  tls?: boolean | ChannelTlsOptions;
  /** Largest response message accepted, after decompression. Default 4 MiB; larger is RESOURCE_EXHAUSTED. */
  maxReceiveMessageSize?: number;
  /** Largest request message sent; larger fails the call with RESOURCE_EXHAUSTED. Default 2^31-1. */
  maxSendMessageSize?: number;
  /** Largest received header or trailer block, counted as HPACK does (name + value + 32 per entry). Default 8 KiB. */
  maxMetadataSize?: number;
  /**
   * Bytes a request stream may hold that HTTP/2 flow control has not let out before a streaming
   * call's `write()` waits for 'drain'. Default 256 KiB (as the server's `writeBufferSize`).
   */
  writeBufferSize?: number;
  /** Largest response header/trailer block accepted (HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE). Default: node's. */
  maxHeaderListSize?: number;
  /** Prefix of the `user-agent` header. */
  userAgent?: string;
  /** Reconnection backoff (connection-backoff.md). */
  backoff?: BackoffOptions;
  /** Keepalive pings (keepalive.md). Disabled by default. */
  keepalive?: KeepaliveOptions;
  /** HTTP/2 settings sent to the server, e.g. `initialWindowSize`. */
  http2Settings?: http2.Settings;
}

/** The states of gRPC's connectivity-semantics document; `ready` includes "connecting and usable". */
export type ConnectivityState = "idle" | "connecting" | "ready" | "transient_failure" | "shutdown";

/**
 * One HTTP/2 session and what we learned about it. Calls keep the record they started on so their
 * error messages can say why that connection failed.
 */
export class SessionRecord {
  connected = false;
  error: Error | undefined;
  goawayCode: number | undefined;
  keepaliveFailure: string | undefined;
  keepalive: Keepalive | undefined;
  /** True once the session emitted 'close' (its error, if any, is known by then). */
  closed = false;
  private closeWaiters: Array<() => void> | undefined;
  private streams = 0;
  constructor(readonly session: http2.ClientHttp2Session) {}

  /**
   * Stream bookkeeping: the session is ref'd while it carries a call (a pending call keeps the
   * process alive, as a pending socket read would) and unref'd when idle (an idle channel does not).
   */
  streamOpened(): void {
    if (this.streams++ === 0 && !this.session.destroyed) this.session.ref();
  }
  streamClosed(): void {
    if (--this.streams === 0 && !this.session.destroyed) this.session.unref();
  }

  /** Runs `fn` once the session has closed (at once if it has). */
  afterClose(fn: () => void): void {
    if (this.closed) fn();
    else (this.closeWaiters ??= []).push(fn);
  }

  /** Called by the channel on the session's 'close' event. */
  markClosed(): void {
    this.closed = true;
    const w = this.closeWaiters;
    this.closeWaiters = undefined;
    if (w !== undefined) for (const fn of w) fn();
  }

  /** Why this connection ended (or could not start), for UNAVAILABLE messages. */
  reason(): string {
    if (this.keepaliveFailure !== undefined) return this.keepaliveFailure;
    if (this.error !== undefined) {
      const code = (this.error as NodeJS.ErrnoException).code;
      return code !== undefined && !this.error.message.includes(code) ? `${code}: ${this.error.message}` : this.error.message;
    }
    if (this.goawayCode !== undefined) return `server sent GOAWAY (code ${this.goawayCode})`;
    return this.connected ? "connection closed" : "connection closed before the HTTP/2 handshake completed";
  }
}

/** What `Channel.acquire` hands back: a session to open a stream on, or why there is none. */
export type Acquired = SessionRecord | { readonly failure: string };

/**
 * A channel to one target over one HTTP/2 session, shared by every call.
 *
 * States (each transition is in one method below):
 * - `idle`: no session. The next call connects (lazy connect).
 * - `connecting`: a session exists and its handshake runs; calls may already open streams on it
 *   (node:http2 queues them until the connection is up).
 * - `ready`: connected. Keepalive pings run.
 * - `transient_failure`: the last attempt failed; a backoff timer is running. Calls fail fast with
 *   UNAVAILABLE naming the peer and the cause, except `waitForReady` calls, which wait.
 * - `shutdown`: `close()` was called; new calls fail.
 */
export class Channel {
  readonly target: Target;
  /** The peer as error messages name it. */
  readonly peer: string;
  readonly maxReceiveMessageSize: number;
  readonly maxSendMessageSize: number;
  readonly maxMetadataSize: number;
  readonly writeBufferSize: number;
  readonly userAgent: string;
  private readonly authorityUrl: string;
  private readonly backoff: Backoff;
  private readonly options: ChannelOptions;
  private stateValue: ConnectivityState = "idle";
  private current: SessionRecord | undefined;
  private lastFailure = "";
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  private waiters: Array<(r: Acquired) => void> = [];
  private activeCalls = 0;
  private readonly stateListeners = new Set<(s: ConnectivityState) => void>();
  private keepaliveOptions: KeepaliveOptions | undefined;

  constructor(target: string, options: ChannelOptions = {}) {
    enableWireViewerFromEnv(); // WIRE_VIEWER=1 (src/viewer/)
    const parsed = parseTarget(target);
    if ("error" in parsed) throw new TypeError(parsed.error);
    this.target = parsed.target;
    this.peer = describeTarget(this.target);
    this.options = options;
    this.maxReceiveMessageSize = options.maxReceiveMessageSize ?? DEFAULT_MAX_RECEIVE_MESSAGE_SIZE;
    this.maxSendMessageSize = options.maxSendMessageSize ?? DEFAULT_MAX_SEND_MESSAGE_SIZE;
    this.maxMetadataSize = options.maxMetadataSize ?? DEFAULT_MAX_METADATA_SIZE;
    this.writeBufferSize = options.writeBufferSize ?? DEFAULT_WRITE_BUFFER_SIZE;
    this.userAgent = `${options.userAgent === undefined ? "" : options.userAgent + " "}${USER_AGENT}`;
    this.backoff = new Backoff(options.backoff);
    this.keepaliveOptions = options.keepalive;
    const scheme = options.tls ? "https" : "http";
    this.authorityUrl = `${scheme}://${this.target.authority}`;
  }

  get state(): ConnectivityState {
    return this.stateValue;
  }

  /** Calls `listener` on every state change; returns a function that unsubscribes. */
  onStateChange(listener: (s: ConnectivityState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** The `:scheme` calls use. */
  get secure(): boolean {
    return Boolean(this.options.tls);
  }

  /**
   * A session for a new call: synchronous in the common case (ready or connecting), a promise for
   * `waitForReady` calls while the channel backs off.
   */
  acquire(waitForReady: boolean): Acquired | Promise<Acquired> {
    switch (this.stateValue) {
      case "ready":
      case "connecting": {
        const rec = this.current as SessionRecord;
        if (rec.session.destroyed || rec.session.closed) {
          this.sessionEnded(rec);
          return this.acquire(waitForReady);
        }
        // waitForReady calls wait for the handshake: if this attempt fails they wait for the next.
        return this.stateValue === "connecting" && waitForReady ? this.waitForConnection() : rec;
      }
      case "idle": {
        const rec = this.connect();
        return waitForReady ? this.waitForConnection() : rec;
      }
      case "shutdown":
        return { failure: `channel to ${this.peer} is closed` };
      case "transient_failure":
        if (!waitForReady) {
          const wait = Math.max(0, Math.round(this.retryAt - Date.now()));
          return { failure: `failed to connect to ${this.peer}: ${this.lastFailure} (next attempt in ${wait} ms)` };
        }
        // A waiting call keeps the process alive until the next attempt, as an open call would.
        this.retryTimer?.ref();
        return this.waitForConnection();
    }
  }

  /** Resolves with the session once one is ready (or with a failure when the channel closes). */
  private waitForConnection(): Promise<Acquired> {
    return new Promise<Acquired>((resolve) => this.waiters.push(resolve));
  }

  /** Starts connecting now instead of at the first call. */
  connectNow(): void {
    if (this.stateValue === "idle") this.connect();
  }

  /** The keepalive time in use (doubled after each "too_many_pings" GOAWAY), or undefined when keepalive is off. */
  get keepaliveTimeMs(): number | undefined {
    return this.keepaliveOptions?.timeMs;
  }

  /** Call bookkeeping for keepalive's "without calls" rule. */
  callStarted(): void {
    this.activeCalls++;
  }
  callEnded(): void {
    this.activeCalls--;
  }

  /**
   * Closes the channel: no new calls; calls in flight finish, then the session closes. Resolves
   * when the connection is closed.
   */
  close(): Promise<void> {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.setState("shutdown");
    this.flushWaiters({ failure: `channel to ${this.peer} is closed` });
    const rec = this.current;
    this.current = undefined;
    if (rec === undefined || rec.session.destroyed) return Promise.resolve();
    rec.keepalive?.stop();
    // An idle session is unref'd; ref it so the process stays up until the GOAWAY exchange is done
    // and the promise settles (else `await channel.close()` at top level exits with code 13).
    rec.session.ref();
    return new Promise((resolve) => rec.session.close(() => resolve()));
  }

  /** Closes the channel at once, cancelling calls in flight. */
  destroy(): void {
    const rec = this.current;
    void this.close();
    rec?.session.destroy();
  }

  private connect(): SessionRecord {
    const rec = new SessionRecord(this.openSession());
    this.current = rec;
    this.setState("connecting");
    const session = rec.session;
    if (wireTrace.enabled) traceSession(session, "client");
    const connectTimer = setTimeout(() => {
      rec.error = new Error(`connection attempt timed out after ${this.backoff.connectTimeout()} ms`);
      session.destroy();
    }, this.backoff.connectTimeout());
    connectTimer.unref();
    session.once("connect", () => {
      clearTimeout(connectTimer);
      rec.connected = true;
      this.backoff.reset();
      if (this.current !== rec) return;
      this.setState("ready");
      this.flushWaiters(rec);
      if (this.keepaliveOptions !== undefined) {
        rec.keepalive = new Keepalive(session, this.keepaliveOptions, () => this.activeCalls, (reason) => {
          rec.keepaliveFailure = reason;
          session.destroy();
        });
        rec.keepalive.start();
      }
    });
    session.on("error", (err) => {
      rec.error ??= err;
    });
    session.on("goaway", (code, _lastStreamId, opaque) => {
      rec.goawayCode = code;
      // keepalive.md: a client told "too_many_pings" (ENHANCE_YOUR_CALM) doubles its keepalive time.
      if (code === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM && opaque?.toString() === "too_many_pings" && this.keepaliveOptions !== undefined) {
        const t = this.keepaliveOptions.timeMs ?? Infinity;
        this.keepaliveOptions = { ...this.keepaliveOptions, timeMs: t * 2 };
      }
      // No new streams on a session that got GOAWAY: the next call opens a new one.
      if (this.current === rec) {
        this.current = undefined;
        this.setState("idle");
      }
    });
    session.once("close", () => {
      clearTimeout(connectTimer);
      this.sessionEnded(rec);
    });
    // An idle session must not keep the process alive; calls ref it (SessionRecord.streamOpened).
    session.unref();
    return rec;
  }

  private openSession(): http2.ClientHttp2Session {
    const t = this.target;
    const tlsOpt = this.options.tls;
    const settings: http2.Settings = { enablePush: false, ...this.options.http2Settings };
    const base: http2.ClientSessionOptions = {
      settings,
      maxHeaderListPairs: 1024,
    };
    if (this.options.maxHeaderListSize !== undefined) settings.maxHeaderListSize = this.options.maxHeaderListSize;
    if (!tlsOpt) {
      if (t.kind === "unix") {
        return http2.connect(this.authorityUrl, { ...base, createConnection: () => net.connect(t.path) });
      }
      return http2.connect(this.authorityUrl, base);
    }
    const o: ChannelTlsOptions = tlsOpt === true ? {} : tlsOpt;
    const secure: http2.SecureClientSessionOptions = {
      ...base,
      ALPNProtocols: ["h2"],
      ...(o.ca !== undefined ? { ca: o.ca } : {}),
      ...(o.cert !== undefined ? { cert: o.cert } : {}),
      ...(o.key !== undefined ? { key: o.key } : {}),
      ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
    };
    const servername = o.serverName ?? (t.kind === "tcp" && net.isIP(t.host) === 0 ? t.host : undefined);
    if (servername !== undefined) secure.servername = servername;
    if (t.kind === "unix") {
      return http2.connect(this.authorityUrl, {
        ...secure,
        createConnection: () => tls.connect({ ...secure, path: t.path } as tls.ConnectionOptions),
      });
    }
    return http2.connect(this.authorityUrl, secure);
  }

  /**
   * Stops handing out `rec` (it can open no more streams): the next call gets a new session, and
   * `rec` closes gracefully once its calls are done.
   */
  retire(rec: SessionRecord): void {
    if (this.current === rec) {
      this.current = undefined;
      if (this.stateValue !== "shutdown") this.setState("idle");
    }
    if (!rec.session.closed && !rec.session.destroyed) rec.session.close();
  }

  /**
   * A session is gone: from its 'close' event, or noticed by a call or by `acquire` (node:http2
   * does not always emit 'close' when a TLS alert kills the socket). Idempotent.
   */
  sessionEnded(rec: SessionRecord): void {
    if (rec.closed) return;
    rec.keepalive?.stop();
    rec.markClosed();
    if (this.current !== rec) return;
    this.current = undefined;
    if (this.stateValue === "shutdown") return;
    if (rec.connected && rec.keepaliveFailure === undefined && rec.error === undefined) {
      this.setState("idle");
    } else {
      this.lastFailure = rec.reason();
      this.enterTransientFailure();
    }
  }

  private enterTransientFailure(): void {
    const delay = this.backoff.next();
    this.retryAt = Date.now() + delay;
    this.setState("transient_failure");
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stateValue !== "transient_failure") return;
      if (this.waiters.length > 0) {
        // The waiting calls go out once this attempt connects (or wait for the one after).
        this.connect();
      } else {
        // Nobody waits: go idle so the next call connects at once, without holding a socket open.
        this.setState("idle");
      }
    }, delay);
    if (this.waiters.length === 0) this.retryTimer.unref();
  }

  private flushWaiters(r: Acquired): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve(r);
  }

  private setState(s: ConnectivityState): void {
    if (this.stateValue === s) return;
    this.stateValue = s;
    for (const l of this.stateListeners) l(s);
  }
}
