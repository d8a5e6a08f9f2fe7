// Implements "Client-side Keepalive" (https://github.com/grpc/grpc/blob/master/doc/keepalive.md).
import type { ClientHttp2Session } from "node:http2";

/** Keepalive settings, named after the channel arguments of doc/keepalive.md. */
export interface KeepaliveOptions {
  /** GRPC_ARG_KEEPALIVE_TIME_MS: send a PING after this long. Default: disabled (Infinity), as in gRPC clients. */
  timeMs?: number;
  /** GRPC_ARG_KEEPALIVE_TIMEOUT_MS: close the connection when the PING ack takes longer. Default 20 s. */
  timeoutMs?: number;
  /** GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS: ping even with no call in flight. Default false. */
  permitWithoutCalls?: boolean;
}

export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 20_000;

/**
 * Sends a PING every `timeMs` on one session and destroys the session (so its calls fail
 * UNAVAILABLE and the channel reconnects) when an ack does not arrive within `timeoutMs`.
 * Timers are unref'd: keepalive never keeps the process alive on its own.
 */
export class Keepalive {
  private timer: NodeJS.Timeout | undefined;
  private readonly timeMs: number;
  private readonly timeoutMs: number;
  private readonly permitWithoutCalls: boolean;
  /** Pings acknowledged so far (observable by tests and logs). */
  acks = 0;

  constructor(
    private readonly session: ClientHttp2Session,
    options: KeepaliveOptions,
    private readonly activeCalls: () => number,
    private readonly onTimeout: (reason: string) => void,
  ) {
    this.timeMs = options.timeMs ?? Infinity;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS;
    this.permitWithoutCalls = options.permitWithoutCalls ?? false;
  }

  start(): void {
    if (!Number.isFinite(this.timeMs) || this.timer !== undefined) return;
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.ping(), this.timeMs);
    this.timer.unref();
  }

  private ping(): void {
    if (this.session.destroyed || this.session.closed) return;
    if (!this.permitWithoutCalls && this.activeCalls() === 0) {
      this.schedule();
      return;
    }
    const watchdog = setTimeout(() => {
      this.stop();
      this.onTimeout(`keepalive ping not acknowledged within ${this.timeoutMs} ms`);
    }, this.timeoutMs);
    watchdog.unref();
    const sent = this.session.ping((err) => {
      clearTimeout(watchdog);
      if (err !== null) return; // the session is closing; its own close handling reports it
      this.acks++;
      if (this.timer !== undefined) this.schedule();
    });
    if (!sent) clearTimeout(watchdog);
  }
}
