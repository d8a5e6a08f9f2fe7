// Implements the pick_first and round_robin load-balancing policies of gRPC (https://github.com/grpc/grpc/blob/master/doc/load-balancing.md, gRFC A61 "IPv4 and IPv6 Dualstack Backend Support" for pick_first's pass over the addresses and sticky TRANSIENT_FAILURE).
import type { ConnectivityState, Subchannel } from "./subchannel.js";

/** gRFC A61 "Happy Eyeballs": the Connection Attempt Delay of RFC 8305 before pick_first also tries the next address. */
export const CONNECTION_ATTEMPT_DELAY_MS = 250;

/** What a policy needs from its channel. */
export interface LbHelper {
  readonly subchannels: readonly Subchannel[];
  hasWaiters(): boolean;
  /** Ask the resolver for fresh addresses (rate-limited by the resolver). */
  requestResolution(): void;
}

/** A load-balancing policy: picks a READY subchannel per call and says what state the channel is in. */
export interface LoadBalancer {
  /** A READY subchannel for one call, or undefined (hot path: no allocation). */
  pick(): Subchannel | undefined;
  /** Leave IDLE: start connecting. */
  exitIdle(): void;
  /**
   * The subchannel being connected, when calls that do not wait for ready may open their stream on
   * its session at once (node:http2 holds it until the handshake is done), or undefined to queue them.
   */
  connecting(): Subchannel | undefined;
  onSubchannelState(sc: Subchannel): void;
  /** The subchannel list was replaced after a resolution. */
  onAddresses(): void;
  readonly state: ConnectivityState;
  /** Why the channel is in TRANSIENT_FAILURE, for UNAVAILABLE messages. */
  failure(): string;
}

function describeFailures(subs: readonly Subchannel[]): string {
  const now = Date.now();
  const parts = subs.map((s) => {
    const wait = Math.max(0, Math.round(s.retryAt - now));
    return `${s.peer}: ${s.lastFailure}${s.retryAt > now ? ` (next attempt in ${wait} ms)` : ""}`;
  });
  return parts.length === 1 ? parts[0] as string : `all ${parts.length} addresses failed: ${parts.join("; ")}`;
}

/**
 * pick_first: tries the addresses in order and uses the first that connects, for every call.
 * An attempt still running after 250 ms does not hold up the next address (A61 happy eyeballs); a
 * subchannel already backing off is skipped in a pass. When every address has failed the channel
 * is TRANSIENT_FAILURE; subchannels reconnect as their backoff ends while calls wait for them, and
 * the channel goes IDLE when nobody waits (the next call starts a new pass).
 */
export class PickFirst implements LoadBalancer {
  state: ConnectivityState = "idle";
  private selected: Subchannel | undefined;
  /** True while a pass over the addresses runs. */
  private passing = false;
  /** Index of the address the pass tried last (attempts before it may still be running). */
  private index = 0;
  /** gRFC A61 happy eyeballs: starts the next address when the current attempt takes too long. */
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly helper: LbHelper) {}

  pick(): Subchannel | undefined {
    return this.selected;
  }

  connecting(): Subchannel | undefined {
    // The address being tried. Should it fail, the call is retried transparently (the stream never
    // reached a server) on the next address or fails with the reason.
    return this.passing ? this.helper.subchannels[this.index] : undefined;
  }

  exitIdle(): void {
    if (this.selected !== undefined || this.passing || this.helper.subchannels.length === 0) return;
    this.passing = true;
    this.index = 0;
    this.tryFrom();
  }

  private tryFrom(): void {
    this.clearTimer();
    const subs = this.helper.subchannels;
    while (this.index < subs.length) {
      const sc = subs[this.index] as Subchannel;
      if (sc.state === "ready") {
        this.select(sc);
        return;
      }
      if (sc.state === "transient_failure") {
        this.index++;
        continue;
      }
      // State first: requestConnection reports back synchronously.
      this.state = "connecting";
      sc.requestConnection();
      if (this.passing && sc.state === "connecting" && this.index < subs.length - 1) {
        const at = this.index;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          if (this.passing && this.index === at) {
            this.index++;
            this.tryFrom();
          }
        }, CONNECTION_ATTEMPT_DELAY_MS);
        this.timer.unref();
      }
      return;
    }
    this.endPassIfDone();
  }

  /** Every address was tried: wait for attempts still running, else TRANSIENT_FAILURE. */
  private endPassIfDone(): void {
    const subs = this.helper.subchannels;
    if (subs.some((s) => s.state === "connecting")) return;
    this.passing = false;
    this.state = "transient_failure";
    this.helper.requestResolution();
    if (this.helper.hasWaiters()) for (const s of subs) s.requestConnection();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private select(sc: Subchannel): void {
    this.clearTimer();
    this.selected = sc;
    this.passing = false;
    this.state = "ready";
    // One connection is enough: others that connected (or are connecting) meanwhile are let go.
    for (const other of this.helper.subchannels) if (other !== sc && other.current !== undefined) other.retire(other.current);
  }

  onSubchannelState(sc: Subchannel): void {
    const s = sc.state;
    if (sc === this.selected) {
      if (s === "ready") return;
      // A61: the connection in use is gone (closed, GOAWAY, failed): IDLE and re-resolve; the next call
      // (or a waiting one, now) starts a new pass, where other addresses may serve at once.
      // After a failure, a new pass starts at once: it skips this address (backing off), so with no
      // other address the channel is TRANSIENT_FAILURE right away, as it was with one address.
      this.selected = undefined;
      this.helper.requestResolution();
      this.state = "idle";
      if (s === "transient_failure" || this.helper.hasWaiters()) this.exitIdle();
      return;
    }
    if (s === "ready") {
      if (this.selected === undefined) this.select(sc);
      else sc.retire(sc.current as NonNullable<Subchannel["current"]>);
      return;
    }
    if (this.passing && s === "transient_failure") {
      // The address being tried failed: the next one now. An earlier attempt failed: maybe the pass is over.
      if (this.helper.subchannels[this.index] === sc) {
        this.index++;
        this.tryFrom();
      } else if (this.index >= this.helper.subchannels.length) this.endPassIfDone();
      return;
    }
    if (this.state === "transient_failure" && !this.passing && s === "idle") {
      // A backoff ended: reconnect for the waiting calls, else rest until the next call.
      if (this.helper.hasWaiters()) sc.requestConnection();
      else this.state = "idle";
    }
  }

  onAddresses(): void {
    const subs = this.helper.subchannels;
    if (this.selected !== undefined && !subs.includes(this.selected)) this.selected = undefined;
    if (this.selected !== undefined) return;
    // The channel tells us only while it wants a connection: start a pass over the new list.
    this.clearTimer();
    this.passing = false;
    this.state = "idle";
    this.exitIdle();
  }

  failure(): string {
    return describeFailures(this.helper.subchannels.filter((s) => s.state === "transient_failure" || s.lastFailure !== ""));
  }
}

/**
 * round_robin: keeps a connection to every address and spreads calls over the READY ones, one after
 * the other (a pick is an index increment). A subchannel that fails backs off and reconnects on its
 * own; one that goes IDLE (GOAWAY, max connection age) reconnects at once, after asking the resolver
 * for fresh addresses. With health checking only SERVING backends are READY.
 */
export class RoundRobin implements LoadBalancer {
  state: ConnectivityState = "idle";
  private ready: Subchannel[] = [];
  private next = 0;
  private started = false;
  /** Subchannels that failed and have not been READY since: their CONNECTING still counts as TRANSIENT_FAILURE (A61 sticky TF). */
  private readonly failed = new Set<Subchannel>();

  constructor(private readonly helper: LbHelper) {}

  pick(): Subchannel | undefined {
    const r = this.ready;
    const n = r.length;
    if (n === 0) return undefined;
    if (this.next >= n) this.next = 0;
    return r[this.next++];
  }

  connecting(): Subchannel | undefined {
    return undefined;
  }

  exitIdle(): void {
    this.started = true;
    for (const sc of this.helper.subchannels) sc.requestConnection();
    this.update();
  }

  onSubchannelState(sc: Subchannel): void {
    const s = sc.state;
    if (s === "ready") this.failed.delete(sc);
    else if (s === "transient_failure") {
      this.failed.add(sc);
      this.helper.requestResolution();
    } else if (s === "idle" && this.started) {
      if (this.ready.includes(sc)) this.helper.requestResolution();
      sc.requestConnection();
    }
    this.update();
  }

  onAddresses(): void {
    for (const sc of this.failed) if (!this.helper.subchannels.includes(sc)) this.failed.delete(sc);
    if (this.started) for (const sc of this.helper.subchannels) sc.requestConnection();
    this.update();
  }

  private update(): void {
    const ready: Subchannel[] = [];
    let connecting = 0;
    let failed = 0;
    for (const sc of this.helper.subchannels) {
      const s = sc.state;
      if (s === "ready") ready.push(sc);
      else if (s === "transient_failure" || (s !== "shutdown" && this.failed.has(sc))) failed++;
      else if (s === "connecting" || (s === "idle" && this.started)) connecting++;
    }
    this.ready = ready;
    this.state = ready.length > 0 ? "ready" : connecting > 0 ? "connecting" : failed > 0 ? "transient_failure" : this.started && this.helper.subchannels.length === 0 ? "connecting" : "idle";
  }

  failure(): string {
    return describeFailures(this.helper.subchannels.filter((s) => s.state !== "ready"));
  }
}
