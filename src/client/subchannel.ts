// Implements a subchannel of gRPC's "Connectivity Semantics and API" (one address, one HTTP/2 connection at a time, IDLE/CONNECTING/READY/TRANSIENT_FAILURE/SHUTDOWN) with "gRPC Connection Backoff Protocol", "Client-side Keepalive" and gRFC A17 health checking (https://github.com/grpc/grpc/blob/master/doc/connectivity-semantics-and-api.md, doc/connection-backoff.md, doc/keepalive.md).
import * as http2 from "node:http2";
import * as net from "node:net";
import * as tls from "node:tls";
import { traceSession, wireTrace } from "../wire/trace.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { HealthWatch, type HealthReport } from "./health-watch.js";
import { Keepalive, type KeepaliveOptions } from "./keepalive.js";
import { SessionRecord } from "./session-record.js";
import { describeAddress, type Address } from "./target.js";

/** The states of gRPC's connectivity-semantics document. */
export type ConnectivityState = "idle" | "connecting" | "ready" | "transient_failure" | "shutdown";

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

/** What every subchannel of one channel shares: how to connect, and the channel's bookkeeping. */
export interface SubchannelHost {
  readonly tls: boolean | ChannelTlsOptions | undefined;
  readonly authorityUrl: string;
  /** Host name for SNI when the address is an IP literal (the target's host). */
  readonly targetHost: string | undefined;
  readonly http2Settings: http2.Settings | undefined;
  readonly maxHeaderListSize: number | undefined;
  readonly backoff: BackoffOptions | undefined;
  readonly userAgent: string;
  /** Shared: doubled after a "too_many_pings" GOAWAY from any server. */
  keepalive: KeepaliveOptions | undefined;
  /** gRFC A17 service name, when health checking is on. */
  readonly healthServiceName: string | undefined;
  readonly activeCalls: () => number;
  readonly log: (message: string) => void;
  /** Every state change of a subchannel. */
  readonly onSubchannelState: (sc: Subchannel) => void;
}

/**
 * One address and at most one live HTTP/2 session to it.
 * - `idle`: no session; `requestConnection()` connects.
 * - `connecting`: handshake running (or, with health checking, waiting for the first health report).
 * - `ready`: connected (and, with health checking, SERVING).
 * - `transient_failure`: the attempt failed (backoff timer running), or the backend is not healthy.
 *   When the backoff ends the subchannel goes `idle`, or reconnects at once if a connection was requested meanwhile.
 * - `shutdown`: removed from the channel.
 */
export class Subchannel {
  readonly peer: string;
  private stateValue: ConnectivityState = "idle";
  current: SessionRecord | undefined;
  lastFailure = "";
  retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private connectAfterBackoff = false;
  private readonly backoff: Backoff;
  private health: HealthWatch | undefined;
  private healthy = true;
  private healthTimer: NodeJS.Timeout | undefined;
  private healthBackoff: Backoff | undefined;

  constructor(
    readonly address: Address,
    private readonly host: SubchannelHost,
  ) {
    this.peer = describeAddress(address);
    this.backoff = new Backoff(host.backoff);
  }

  get state(): ConnectivityState {
    return this.stateValue;
  }

  /** The key a channel uses to match subchannels across re-resolutions. */
  get key(): string {
    return this.peer;
  }

  /** Connects now if idle; if backing off, connects as soon as the backoff ends. */
  requestConnection(): void {
    if (this.stateValue === "idle") this.connect();
    else if (this.stateValue === "transient_failure" && this.retryTimer !== undefined) {
      this.connectAfterBackoff = true;
    }
  }

  /** Graceful: no new calls; the session closes once its calls are done. */
  shutdown(): Promise<void> {
    this.clearTimers();
    this.setState("shutdown");
    const rec = this.current;
    this.current = undefined;
    if (rec === undefined || rec.session.destroyed) return Promise.resolve();
    rec.keepalive?.stop();
    // An idle session is unref'd; ref it so the process stays up until the GOAWAY exchange is done.
    rec.session.ref();
    return new Promise((resolve) => rec.session.close(() => resolve()));
  }

  private clearTimers(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.healthTimer !== undefined) clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
    this.health?.stop();
    this.health = undefined;
  }

  private connect(): void {
    const rec = new SessionRecord(this.openSession(), this.peer, Boolean(this.host.tls), this);
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
      if (this.current !== rec) return;
      const ka = this.host.keepalive;
      if (ka !== undefined) {
        rec.keepalive = new Keepalive(session, ka, this.host.activeCalls, (reason) => {
          rec.keepaliveFailure = reason;
          session.destroy();
        });
        rec.keepalive.start();
      }
      if (this.host.healthServiceName !== undefined) {
        // gRFC A17: CONNECTING until the first health report.
        this.healthy = false;
        this.startHealthWatch(rec);
        return;
      }
      this.setState("ready");
    });
    session.once("remoteSettings", () => {
      rec.remoteSettings = true;
      // connection-backoff.md resets the backoff after a successful connection: one that speaks HTTP/2.
      this.backoff.reset();
    });
    session.on("error", (err) => {
      rec.error ??= err;
    });
    session.on("goaway", (code, lastStreamId, opaque) => {
      rec.goawayCode = code;
      rec.goawayLastStreamId = lastStreamId;
      // keepalive.md: a client told "too_many_pings" (ENHANCE_YOUR_CALM) doubles its keepalive time.
      const ka = this.host.keepalive;
      if (code === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM && opaque?.toString() === "too_many_pings" && ka !== undefined) {
        this.host.keepalive = { ...ka, timeMs: (ka.timeMs ?? Infinity) * 2 };
      }
      // No new streams on a session that got GOAWAY: the next call opens a new one.
      this.retire(rec);
    });
    session.once("close", () => {
      clearTimeout(connectTimer);
      this.sessionEnded(rec);
    });
    // An idle session must not keep the process alive; calls ref it (SessionRecord.streamOpened).
    session.unref();
  }

  private openSession(): http2.ClientHttp2Session {
    const a = this.address;
    const tlsOpt = this.host.tls;
    const settings: http2.Settings = { enablePush: false, ...this.host.http2Settings };
    if (this.host.maxHeaderListSize !== undefined) settings.maxHeaderListSize = this.host.maxHeaderListSize;
    // maxSessionMemory: node:http2 counts request bytes queued for flow control against this
    // (default 10 MB) and, past it, drops the headers the server sends: a status refusing a large
    // request (RESOURCE_EXHAUSTED over the server's receive limit) would never be read and the
    // call would wait for its deadline. Request memory is bounded by maxSendMessageSize and
    // writeBufferSize instead; grpc-js sets the same (grpc-node.max_session_memory).
    const base: http2.ClientSessionOptions = { settings, maxHeaderListPairs: 1024, maxSessionMemory: Number.MAX_SAFE_INTEGER };
    if (!tlsOpt) {
      const connect = a.kind === "unix" ? () => net.connect(a.path) : () => net.connect({ host: a.host, port: a.port });
      return http2.connect(this.host.authorityUrl, { ...base, createConnection: connect });
    }
    const o: ChannelTlsOptions = tlsOpt === true ? {} : tlsOpt;
    const secure: tls.ConnectionOptions = {
      ALPNProtocols: ["h2"],
      ...(o.ca !== undefined ? { ca: o.ca } : {}),
      ...(o.cert !== undefined ? { cert: o.cert } : {}),
      ...(o.key !== undefined ? { key: o.key } : {}),
      ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
    };
    const hostName = this.host.targetHost ?? (a.kind === "tcp" ? a.host : undefined);
    const servername = o.serverName ?? (hostName !== undefined && net.isIP(hostName) === 0 ? hostName : undefined);
    if (servername !== undefined) secure.servername = servername;
    const connect = a.kind === "unix" ? () => tls.connect({ ...secure, path: a.path }) : () => tls.connect({ ...secure, host: a.host, port: a.port });
    return http2.connect(this.host.authorityUrl, { ...base, ...(secure as http2.SecureClientSessionOptions), createConnection: connect });
  }

  private startHealthWatch(rec: SessionRecord): void {
    const watch = new HealthWatch(
      this.host.healthServiceName as string,
      (r) => this.onHealth(rec, r),
      (unimplemented) => {
        if (this.health === watch) this.health = undefined;
        if (unimplemented || this.current !== rec || rec.closed) return;
        // A17: the watch failed while the connection lives: start another after a backoff.
        const b = (this.healthBackoff ??= new Backoff(this.host.backoff));
        this.healthTimer = setTimeout(() => {
          this.healthTimer = undefined;
          if (this.current === rec && !rec.closed) this.startHealthWatch(rec);
        }, b.next());
        this.healthTimer.unref();
      },
      this.host.log,
    );
    this.health = watch;
    watch.start(rec.session, this.host.userAgent);
  }

  private onHealth(rec: SessionRecord, r: HealthReport): void {
    if (this.current !== rec) return;
    this.healthy = r.healthy;
    if (r.healthy) {
      this.healthBackoff?.reset();
      this.setState("ready");
    } else {
      this.lastFailure = r.reason;
      this.retryAt = Date.now();
      this.setState("transient_failure");
    }
  }

  /**
   * Stops handing out `rec` (it can open no more streams): the next call gets a new session, and
   * `rec` closes gracefully once its calls are done.
   */
  retire(rec: SessionRecord): void {
    if (this.current === rec) {
      this.current = undefined;
      this.stopHealth();
      if (this.stateValue !== "shutdown") this.setState("idle");
    }
    if (!rec.session.closed && !rec.session.destroyed) rec.session.close();
  }

  private stopHealth(): void {
    this.health?.stop();
    this.health = undefined;
    if (this.healthTimer !== undefined) clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
  }

  /**
   * A session is gone: from its 'close' event, or noticed by a call (node:http2 does not always
   * emit 'close' when a TLS alert kills the socket). Idempotent.
   */
  sessionEnded(rec: SessionRecord): void {
    if (rec.closed) return;
    rec.keepalive?.stop();
    rec.markClosed();
    if (this.current !== rec) return;
    this.current = undefined;
    this.stopHealth();
    if (this.stateValue === "shutdown") return;
    // A connection that never got the server's SETTINGS (not an HTTP/2 server, or TLS expected) is a
    // failure too: it backs off instead of reconnecting at once (round_robin would spin).
    if (rec.connected && rec.remoteSettings && rec.keepaliveFailure === undefined && rec.error === undefined) {
      this.setState("idle");
    } else {
      this.lastFailure = rec.reason();
      this.enterTransientFailure();
    }
  }

  private enterTransientFailure(): void {
    const delay = this.backoff.next();
    this.retryAt = Date.now() + delay;
    this.connectAfterBackoff = false;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stateValue !== "transient_failure") return;
      if (this.connectAfterBackoff) this.connect();
      else this.setState("idle");
    }, delay);
    // Timers never keep the process alive: the channel holds it while calls wait (Channel.enqueue).
    this.retryTimer.unref();
    this.setState("transient_failure");
  }

  private setState(s: ConnectivityState): void {
    if (this.stateValue === s) return;
    // With health checking, a connected but unhealthy subchannel reports TRANSIENT_FAILURE, not READY.
    if (s === "ready" && !this.healthy) s = "transient_failure";
    if (this.stateValue === s) return;
    this.stateValue = s;
    this.host.onSubchannelState(this);
  }
}
