// Implements the client channel of gRPC's "Connectivity Semantics and API" over name resolution (doc/naming.md), subchannels and a load-balancing policy chosen by the service config (https://github.com/grpc/grpc/blob/master/doc/connectivity-semantics-and-api.md, doc/service_config.md).
import type * as http2 from "node:http2";
import { DEFAULT_MAX_RECEIVE_MESSAGE_SIZE, DEFAULT_MAX_SEND_MESSAGE_SIZE, DEFAULT_WRITE_BUFFER_SIZE } from "../wire/framing.js";
import { USER_AGENT } from "../wire/headers.js";
import { DEFAULT_MAX_METADATA_SIZE } from "../wire/metadata.js";
import type { BackoffOptions } from "./backoff.js";
import type { KeepaliveOptions } from "./keepalive.js";
import { PickFirst, RoundRobin, type LbHelper, type LoadBalancer } from "./load-balancer.js";
import { DEFAULT_MIN_RESOLUTION_INTERVAL_MS, Resolver, defaultResolve, type ResolveFunction } from "./resolver.js";
import { DEFAULT_SERVICE_CONFIG, methodConfigFor, parseServiceConfig, type MethodConfig, type ServiceConfig, type ServiceConfigJson } from "./service-config.js";
import { SessionRecord } from "./session-record.js";
import { Subchannel, type ChannelTlsOptions, type ConnectivityState, type SubchannelHost } from "./subchannel.js";
import { describeAddress, describeTarget, parseTarget, type Address, type Target } from "./target.js";
import { enableWireViewerFromEnv } from "../viewer/index.js";

export { DEFAULT_MAX_RECEIVE_MESSAGE_SIZE, DEFAULT_MAX_SEND_MESSAGE_SIZE, SessionRecord };
export type { ChannelTlsOptions, ConnectivityState };

export interface ChannelOptions {
  /** TLS (`true` or settings) or plaintext HTTP/2 with prior knowledge (default). */
  tls?: boolean | ChannelTlsOptions;
  /**
   * gRPC service config (JSON text or object, service_config.md): `loadBalancingConfig`
   * (`[{"round_robin": {}}]`; default pick_first), `methodConfig` (`timeout`, `waitForReady`,
   * `retryPolicy`) and `healthCheckConfig` (`{"serviceName": "…"}`, used by round_robin). Invalid: TypeError.
   */
  serviceConfig?: string | ServiceConfigJson;
  /** A custom resolver (e.g. a test's changing list of replicas); default: the target's own scheme. */
  resolve?: ResolveFunction;
  /** Least time between two resolutions of a `dns:` target (or custom resolver). Default 30 s. */
  minResolutionIntervalMs?: number;
  /** Where the channel logs what gRPC says to log (e.g. a health service that is unimplemented). Default: console.warn. */
  log?: (message: string) => void;
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
  /** Reconnection backoff (connection-backoff.md), per address. */
  backoff?: BackoffOptions;
  /** Keepalive pings (keepalive.md). Disabled by default. */
  keepalive?: KeepaliveOptions;
  /** HTTP/2 settings sent to the server, e.g. `initialWindowSize`. */
  http2Settings?: http2.Settings;
}

/** What `Channel.acquire` hands back: a session to open a stream on, or why there is none. */
export type Acquired = SessionRecord | { readonly failure: string };

interface Waiter {
  readonly resolve: (a: Acquired) => void;
  readonly waitForReady: boolean;
  /** The call waiting, if it says when it is over (deadline, cancel): its waiter is then dropped. */
  readonly call: { readonly isDone: boolean } | undefined;
}

/** How often the channel drops waiters whose calls ended while they waited. */
const WAITER_SWEEP_MS = 250;

/**
 * A channel to one target: its resolved addresses, one {@link Subchannel} (connection) per
 * address, and a load-balancing policy (pick_first or round_robin) that picks one per call.
 *
 * States (connectivity-semantics-and-api.md), as the policy aggregates its subchannels:
 * - `idle`: nothing connected. The next call (or `getState(true)`) connects (lazy connect).
 * - `connecting`: resolving or connecting; calls wait for the outcome.
 * - `ready`: a subchannel is READY: calls go out at once.
 * - `transient_failure`: every address failed; subchannels back off. Calls fail fast with
 *   UNAVAILABLE naming the addresses and the causes, except `waitForReady` calls, which wait.
 * - `shutdown`: `close()` was called; new calls fail.
 */
export class Channel {
  readonly target: Target;
  /** The target as error messages name it. */
  readonly peer: string;
  readonly maxReceiveMessageSize: number;
  readonly maxSendMessageSize: number;
  readonly maxMetadataSize: number;
  readonly writeBufferSize: number;
  readonly userAgent: string;
  /** The validated service config (the default: pick_first, no method configs). */
  readonly serviceConfig: ServiceConfig;
  private readonly host: SubchannelHost;
  private readonly lb: LoadBalancer;
  private readonly resolver: Resolver;
  private subchannelList: Subchannel[] = [];
  private stateValue: ConnectivityState = "idle";
  private waiters: Waiter[] = [];
  private activeCalls = 0;
  private resolutionError: string | undefined;
  private wantConnection = false;
  private exitingIdle = false;
  private waitHandle: NodeJS.Timeout | undefined;
  private readonly stateListeners = new Set<(s: ConnectivityState) => void>();
  private readonly options: ChannelOptions;

  constructor(target: string, options: ChannelOptions = {}) {
    enableWireViewerFromEnv(); // WIRE_VIEWER=1 (src/viewer/)
    const parsed = parseTarget(target);
    if ("error" in parsed) throw new TypeError(parsed.error);
    this.target = parsed.target;
    this.peer = describeTarget(this.target);
    this.options = options;
    this.serviceConfig = options.serviceConfig === undefined ? DEFAULT_SERVICE_CONFIG : parseServiceConfig(options.serviceConfig);
    this.maxReceiveMessageSize = options.maxReceiveMessageSize ?? DEFAULT_MAX_RECEIVE_MESSAGE_SIZE;
    this.maxSendMessageSize = options.maxSendMessageSize ?? DEFAULT_MAX_SEND_MESSAGE_SIZE;
    this.maxMetadataSize = options.maxMetadataSize ?? DEFAULT_MAX_METADATA_SIZE;
    this.writeBufferSize = options.writeBufferSize ?? DEFAULT_WRITE_BUFFER_SIZE;
    this.userAgent = `${options.userAgent === undefined ? "" : options.userAgent + " "}${USER_AGENT}`;
    const t = this.target;
    const rr = this.serviceConfig.loadBalancingPolicy === "round_robin";
    this.host = {
      tls: options.tls,
      authorityUrl: `${options.tls ? "https" : "http"}://${t.authority}`,
      targetHost: t.kind === "tcp" || t.kind === "dns" ? t.host : undefined,
      http2Settings: options.http2Settings,
      maxHeaderListSize: options.maxHeaderListSize,
      backoff: options.backoff,
      userAgent: this.userAgent,
      keepalive: options.keepalive,
      // gRFC A17: health checking is a round_robin feature; pick_first does not use it.
      healthServiceName: rr ? this.serviceConfig.healthCheckServiceName : undefined,
      activeCalls: () => this.activeCalls,
      log: options.log ?? ((m) => console.warn(`grpc client: ${m}`)),
      onSubchannelState: (sc) => this.onSubchannelState(sc),
    };
    const self = this;
    const helper: LbHelper = {
      get subchannels() {
        return self.subchannelList;
      },
      hasWaiters: () => this.waiters.length > 0,
      requestResolution: () => this.resolver.request(),
    };
    this.lb = rr ? new RoundRobin(helper) : new PickFirst(helper);
    if (!rr && this.serviceConfig.healthCheckServiceName !== undefined) {
      this.host.log("healthCheckConfig is ignored with pick_first (gRFC A17: health checking is for round_robin)");
    }
    this.resolver = new Resolver(
      t,
      options.resolve ?? defaultResolve,
      options.minResolutionIntervalMs ?? DEFAULT_MIN_RESOLUTION_INTERVAL_MS,
      (r) => this.onResolved(r),
      options.resolve !== undefined,
    );
    // Static targets resolve synchronously: their subchannels exist from the start.
    if (options.resolve === undefined && t.kind !== "dns") this.resolver.request();
  }

  get state(): ConnectivityState {
    return this.stateValue;
  }

  /** connectivity-semantics-and-api.md GetState: the state; with `tryToConnect`, an IDLE channel starts connecting. */
  getState(tryToConnect = false): ConnectivityState {
    if (tryToConnect && this.stateValue === "idle") this.exitIdle();
    return this.stateValue;
  }

  /** Resolves true once the state differs from `current`, or false when `deadline` passes first (WatchConnectivityState). */
  watchState(current: ConnectivityState, deadline: Date | number): Promise<boolean> {
    if (this.stateValue !== current) return Promise.resolve(true);
    return new Promise((resolve) => {
      const ms = typeof deadline === "number" ? deadline - Date.now() : deadline.getTime() - Date.now();
      // No timer for an infinite deadline (setTimeout would clamp it to 1 ms); a far one is capped at node's 2^31-1 ms.
      const timer = Number.isFinite(ms)
        ? setTimeout(() => {
            off();
            resolve(false);
          }, Math.min(Math.max(0, ms), 0x7fffffff))
        : undefined;
      const off = this.onStateChange((s) => {
        if (s === current) return;
        if (timer !== undefined) clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  /** Connects if idle and resolves once the channel is READY; rejects at `deadline` or when the channel shuts down. */
  async waitForReady(deadline?: Date | number): Promise<void> {
    for (;;) {
      const s = this.getState(true);
      if (s === "ready") return;
      if (s === "shutdown") throw new Error(`channel to ${this.peer} is closed`);
      if (!(await this.watchState(s, deadline ?? Infinity))) {
        throw new Error(`channel to ${this.peer} not ready before the deadline (state ${this.stateValue}${this.stateValue === "transient_failure" ? `: ${this.lb.failure()}` : ""})`);
      }
    }
  }

  /** Calls `listener` on every state change; returns a function that unsubscribes. */
  onStateChange(listener: (s: ConnectivityState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Each address and its subchannel's state (for tests, logs and dashboards). */
  subchannelStates(): Array<{ address: string; state: ConnectivityState }> {
    return this.subchannelList.map((s) => ({ address: s.peer, state: s.state }));
  }

  /** The `:scheme` calls use. */
  get secure(): boolean {
    return Boolean(this.options.tls);
  }

  /** The service config's method config for a `:path`, if any. */
  methodConfig(path: string): MethodConfig | undefined {
    return methodConfigFor(this.serviceConfig, path);
  }

  /**
   * A session for a new call: synchronous when the policy has a READY subchannel, a promise while
   * the channel connects (and, for `waitForReady` calls, while it backs off).
   */
  acquire(waitForReady: boolean, call?: { readonly isDone: boolean }): Acquired | Promise<Acquired> {
    const sc = this.lb.pick();
    if (sc !== undefined) {
      const rec = sc.current;
      if (rec !== undefined && !rec.session.destroyed && !rec.session.closed) return rec;
      if (rec !== undefined) sc.sessionEnded(rec);
      if (rec !== undefined && rec === sc.current) sc.retire(rec);
    }
    switch (this.stateValue) {
      case "shutdown":
        return { failure: `channel to ${this.peer} is closed` };
      case "transient_failure":
        // A failed resolution is retried (no more often than the resolver's minimum interval).
        if (this.resolutionError !== undefined) this.resolver.request();
        if (!waitForReady) return { failure: this.failureMessage() };
        return this.enqueue(true, call);
      case "ready":
        // The pick found a dead session: the policy has been told; try again.
        if (this.lb.pick() !== undefined) return this.acquire(waitForReady, call);
        return this.enqueue(waitForReady, call);
      case "idle":
        this.exitIdle();
        if ((this.stateValue as ConnectivityState) === "ready" || ((this.stateValue as ConnectivityState) === "transient_failure" && !waitForReady)) return this.acquire(waitForReady, call);
        return this.connectingOrQueue(waitForReady, call);
      case "connecting":
        return this.connectingOrQueue(waitForReady, call);
    }
  }

  /** While connecting: the connecting session for a call that does not wait for ready (as before LB), else the queue. */
  private connectingOrQueue(waitForReady: boolean, call: { readonly isDone: boolean } | undefined): Acquired | Promise<Acquired> {
    if (!waitForReady) {
      const rec = this.lb.connecting()?.current;
      if (rec !== undefined && !rec.session.destroyed && !rec.session.closed) return rec;
    }
    return this.enqueue(waitForReady, call);
  }

  private failureMessage(): string {
    if (this.resolutionError !== undefined) return `failed to resolve ${this.peer}: ${this.resolutionError}`;
    return `failed to connect to ${this.peer}: ${this.lb.failure()}`;
  }

  private enqueue(waitForReady: boolean, call: { readonly isDone: boolean } | undefined): Promise<Acquired> {
    const p = new Promise<Acquired>((resolve) => this.waiters.push({ resolve, waitForReady, call }));
    if (this.stateValue === "transient_failure") for (const sc of this.subchannelList) sc.requestConnection();
    // A waiting call keeps the process alive, as an open call would (sessions and timers are unref'd):
    // one ref'd handle while anyone waits, which also drops waiters whose calls have ended.
    this.waitHandle ??= setInterval(() => this.sweepWaiters(), WAITER_SWEEP_MS);
    return p;
  }

  private sweepWaiters(): void {
    if (this.waiters.some((w) => w.call?.isDone === true)) this.waiters = this.waiters.filter((w) => w.call?.isDone !== true);
    this.releaseWaitHandle();
  }

  private releaseWaitHandle(): void {
    if (this.waiters.length > 0 || this.waitHandle === undefined) return;
    clearInterval(this.waitHandle);
    this.waitHandle = undefined;
  }

  /** Starts connecting now instead of at the first call. */
  connectNow(): void {
    this.getState(true);
  }

  /** The keepalive time in use (doubled after each "too_many_pings" GOAWAY), or undefined when keepalive is off. */
  get keepaliveTimeMs(): number | undefined {
    return this.host.keepalive?.timeMs;
  }

  /** Call bookkeeping for keepalive's "without calls" rule. */
  callStarted(): void {
    this.activeCalls++;
  }
  callEnded(): void {
    this.activeCalls--;
  }

  /**
   * Closes the channel: no new calls; calls in flight finish, then the connections close. Resolves
   * when every connection is closed.
   */
  async close(): Promise<void> {
    this.resolver.close();
    this.setState("shutdown");
    this.flushWaiters();
    await Promise.all(this.subchannelList.map((s) => s.shutdown()));
  }

  /** Closes the channel at once, cancelling calls in flight. */
  destroy(): void {
    const sessions = this.subchannelList.map((s) => s.current?.session);
    void this.close();
    for (const session of sessions) session?.destroy();
  }

  private exitIdle(): void {
    if (this.stateValue === "shutdown" || this.exitingIdle) return;
    this.exitingIdle = true;
    try {
      this.exitIdleNow();
    } finally {
      this.exitingIdle = false;
    }
  }

  private exitIdleNow(): void {
    this.wantConnection = true;
    if (this.subchannelList.length === 0) {
      // A custom resolver may answer synchronously: onResolved then starts the policy itself.
      this.resolver.request();
      if (this.subchannelList.length === 0) this.setState(this.resolutionError !== undefined ? "transient_failure" : "connecting");
      return;
    }
    this.lb.exitIdle();
    this.updateState();
  }

  private onResolved(r: { addresses: readonly Address[] } | { error: string }): void {
    if (this.stateValue === "shutdown") return;
    if ("error" in r) {
      this.resolutionError = r.error;
      // Keep the addresses we had; with none, the channel cannot connect.
      if (this.subchannelList.length === 0 && this.wantConnection) {
        this.setState("transient_failure");
        this.failFastWaiters();
        // Waiting calls get another resolution once the resolver's minimum interval allows.
        if (this.waiters.length > 0) this.resolver.request();
      }
      return;
    }
    this.resolutionError = undefined;
    const old = new Map(this.subchannelList.map((s) => [s.key, s]));
    const next: Subchannel[] = [];
    for (const a of r.addresses) {
      const key = describeAddress(a);
      if (next.some((s) => s.key === key)) continue;
      const existing = old.get(key);
      old.delete(key);
      next.push(existing ?? new Subchannel(a, this.host));
    }
    this.subchannelList = next;
    for (const gone of old.values()) void gone.shutdown();
    if (this.wantConnection) {
      this.lb.onAddresses();
      this.lb.exitIdle();
      this.updateState();
    }
  }

  private onSubchannelState(sc: Subchannel): void {
    if (this.stateValue === "shutdown") return;
    this.lb.onSubchannelState(sc);
    this.updateState();
  }

  private updateState(): void {
    const s = this.lb.state;
    if (s === "idle") this.wantConnection = false;
    this.setState(s);
    if (this.waiters.length === 0) return;
    if (s === "ready") this.flushWaiters();
    else if (s === "transient_failure") this.failFastWaiters();
    else if (s === "idle") this.exitIdle();
  }

  /** READY (or SHUTDOWN): every waiting call picks now. */
  private flushWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) {
      const a = this.acquire(x.waitForReady, x.call);
      if (a instanceof Promise) void a.then(x.resolve);
      else x.resolve(a);
    }
    this.releaseWaitHandle();
  }

  /** TRANSIENT_FAILURE: calls that do not wait for ready fail now. */
  private failFastWaiters(): void {
    const keep: Waiter[] = [];
    const failure = { failure: this.failureMessage() };
    for (const x of this.waiters) {
      if (x.waitForReady) keep.push(x);
      else x.resolve(failure);
    }
    this.waiters = keep;
    this.releaseWaitHandle();
  }

  private setState(s: ConnectivityState): void {
    if (this.stateValue === s || this.stateValue === "shutdown") return;
    this.stateValue = s;
    for (const l of this.stateListeners) l(s);
  }
}
