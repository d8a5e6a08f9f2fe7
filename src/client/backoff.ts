// Implements "gRPC Connection Backoff Protocol" (https://github.com/grpc/grpc/blob/master/doc/connection-backoff.md).

/** The parameters of the backoff algorithm, named as in the spec. */
export interface BackoffOptions {
  /** INITIAL_BACKOFF: delay before the first retry. Default 1 s. */
  initialBackoffMs?: number;
  /** MULTIPLIER: factor applied after each failed attempt. Default 1.6. */
  multiplier?: number;
  /** JITTER: the delay is randomized by ± this fraction. Default 0.2. */
  jitter?: number;
  /** MAX_BACKOFF: upper bound of the (un-jittered) delay. Default 120 s. */
  maxBackoffMs?: number;
  /** MIN_CONNECT_TIMEOUT: the least time a connection attempt is given. Default 20 s. */
  minConnectTimeoutMs?: number;
}

export const DEFAULT_INITIAL_BACKOFF_MS = 1_000;
export const DEFAULT_BACKOFF_MULTIPLIER = 1.6;
export const DEFAULT_BACKOFF_JITTER = 0.2;
export const DEFAULT_MAX_BACKOFF_MS = 120_000;
export const DEFAULT_MIN_CONNECT_TIMEOUT_MS = 20_000;

/**
 * The spec's state for one sequence of connection attempts: `next()` gives the delay before the
 * next attempt, `reset()` is called once a connection succeeds. `random` is injectable for tests.
 */
export class Backoff {
  readonly initialMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly maxMs: number;
  readonly minConnectTimeoutMs: number;
  private current: number;

  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.initialMs = options.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.multiplier = options.multiplier ?? DEFAULT_BACKOFF_MULTIPLIER;
    this.jitter = options.jitter ?? DEFAULT_BACKOFF_JITTER;
    this.maxMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.minConnectTimeoutMs = options.minConnectTimeoutMs ?? DEFAULT_MIN_CONNECT_TIMEOUT_MS;
    this.current = this.initialMs;
  }

  /** The delay before the next attempt: current_backoff jittered uniformly in [-jitter, +jitter], then grown. */
  next(): number {
    const base = this.current;
    // "current_backoff = min(current_backoff * MULTIPLIER, MAX_BACKOFF)"
    this.current = Math.min(base * this.multiplier, this.maxMs);
    const spread = base * this.jitter;
    return Math.max(0, base + (this.random() * 2 - 1) * spread);
  }

  /** "The connection deadline is max(current_backoff, MIN_CONNECT_TIMEOUT)" for the coming attempt. */
  connectTimeout(): number {
    return Math.max(this.current, this.minConnectTimeoutMs);
  }

  /** Back to INITIAL_BACKOFF after a successful connection. */
  reset(): void {
    this.current = this.initialMs;
  }
}
