// The standard health service, grpc.health.v1.Health (grpc/grpc doc/health-checking.md): Check and Watch.
//
// Registering it (src/service/main.ts):
//   const health = new HealthService(["user.UserService"]);
//   server.addService(HealthServiceDescriptor, health.implementation);
//   // on SIGTERM/SIGINT, before draining: health.shutdown();

import {
  HealthCheckRequestCodec,
  HealthCheckResponseCodec,
  ServingStatus,
  type HealthCheckRequest,
  type HealthCheckResponse,
} from "../schema/health.js";
import { defineService, rpc, stream, type ServerCallContext, type ServerWriter, type ServiceImplementation } from "../server/types.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Status } from "../wire/status.js";

export { ServingStatus } from "../schema/health.js";

/** The descriptor to register: `/grpc.health.v1.Health/Check` (unary) and `/Watch` (server streaming). */
export const HealthServiceDescriptor = defineService("grpc.health.v1.Health", {
  Check: rpc(HealthCheckRequestCodec, HealthCheckResponseCodec),
  Watch: rpc(HealthCheckRequestCodec, stream(HealthCheckResponseCodec)),
});

export interface HealthShutdownOptions {
  /**
   * After sending NOT_SERVING to every open Watch, end those calls with OK (default true), so a
   * graceful shutdown does not wait its whole grace period for watchers that never hang up.
   * With false they stay open until the client cancels or the server closes them.
   */
  endWatches?: boolean;
}

/** One open Watch call: woken on each change of its service's status. */
interface Watcher {
  wake(): void;
  /** Set by `shutdown({ endWatches: true })`: finish once the latest status is sent. */
  ending: boolean;
}

/**
 * Serving status per service name. `""` stands for the whole server and is SERVING from the start,
 * like each service given to the constructor.
 */
export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<Watcher>>();
  private shuttingDown = false;
  /** Set by `shutdown()` unless `endWatches: false`: Watch calls end after sending NOT_SERVING. */
  private watchesEnded = false;

  /** The handlers to register with {@link HealthServiceDescriptor}. */
  readonly implementation: ServiceImplementation<typeof HealthServiceDescriptor>;

  constructor(services: Iterable<string> = []) {
    this.statuses.set("", ServingStatus.SERVING);
    for (const s of services) this.statuses.set(s, ServingStatus.SERVING);
    this.implementation = {
      Check: (request) => this.check(request),
      Watch: (request, ctx, out) => this.watch(request, ctx, out),
    };
  }

  /**
   * Sets a service's status (registering the service if new) and notifies its watchers. Ignored
   * after {@link shutdown}: a shutting-down server stays NOT_SERVING.
   */
  setStatus(service: string, status: ServingStatus): void {
    if (this.shuttingDown) return;
    this.update(service, status);
  }

  /** A service's status, or undefined if it is not registered. */
  getStatus(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Marks every service (and `""`) NOT_SERVING for good and tells every watcher. */
  shutdown(options: HealthShutdownOptions = {}): void {
    this.shuttingDown = true;
    this.watchesEnded = options.endWatches ?? true;
    for (const service of this.statuses.keys()) this.update(service, ServingStatus.NOT_SERVING);
    if (this.watchesEnded) {
      for (const set of this.watchers.values()) {
        for (const w of set) {
          w.ending = true;
          w.wake();
        }
      }
    }
  }

  /** Number of Watch calls open now. */
  get watchCount(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  /** True once {@link shutdown} has been called. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private update(service: string, status: ServingStatus): void {
    const prior = this.statuses.get(service);
    this.statuses.set(service, status);
    if (prior === status) return;
    const set = this.watchers.get(service);
    if (set) for (const w of set) w.wake();
  }

  private check(request: HealthCheckRequest): HealthCheckResponse {
    const status = this.statuses.get(request.service);
    if (status === undefined) throw new GrpcError(Status.NOT_FOUND, `unknown service "${request.service}"`);
    return { status };
  }

  /**
   * Sends the current status, then the status after each change, until the call ends. Changes
   * that happen while a write waits for flow control are coalesced: the watcher gets the latest
   * status, never a stale one, and never the same status twice in a row.
   */
  private async watch(request: HealthCheckRequest, ctx: ServerCallContext, out: ServerWriter<HealthCheckResponse>): Promise<void> {
    const service = request.service;
    const signal = ctx.signal;
    let wakeUp: (() => void) | undefined;
    const watcher: Watcher = {
      wake() {
        const w = wakeUp;
        wakeUp = undefined;
        w?.();
      },
      ending: this.watchesEnded,
    };
    let set = this.watchers.get(service);
    if (!set) this.watchers.set(service, (set = new Set()));
    set.add(watcher);
    const onAbort = (): void => watcher.wake();
    signal.addEventListener("abort", onAbort);
    try {
      let sent: ServingStatus | undefined;
      for (;;) {
        if (signal.aborted || out.closed) return;
        const current = this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN;
        if (current !== sent) {
          sent = current;
          await out.write({ status: current });
          continue; // the status may have changed while the write waited
        }
        if (watcher.ending) return;
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
        });
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      set.delete(watcher);
      if (set.size === 0 && this.watchers.get(service) === set) this.watchers.delete(service);
    }
  }
}
