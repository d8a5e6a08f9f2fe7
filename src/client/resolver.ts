// Implements the resolver half of gRPC name resolution (https://github.com/grpc/grpc/blob/master/doc/naming.md): a target becomes a list of addresses, re-resolved on demand but no more often than a minimum interval (grpc's min_time_between_resolutions).
import { lookup } from "node:dns/promises";
import type { Address, Target } from "./target.js";

/** A custom resolver: called at the first connection and on each re-resolution; returns the addresses to use. */
export type ResolveFunction = (target: Target) => Promise<readonly Address[]> | readonly Address[];

/** grpc-core's default min_time_between_resolutions (GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS). */
export const DEFAULT_MIN_RESOLUTION_INTERVAL_MS = 30_000;

/** Every A/AAAA record of a name (getaddrinfo, so /etc/hosts counts), families interleaved as below. */
export async function resolveDns(host: string, port: number): Promise<Address[]> {
  const records = await lookup(host, { all: true, verbatim: true });
  return interleaveFamilies(records).map((r) => ({ kind: "tcp", host: r.address, port }));
}

/**
 * gRFC A61 (after RFC 8305 section 4): the resolver's order, but alternating IPv6 and IPv4 starting
 * with the family of the first address, so pick_first tries the other family early when one is broken.
 */
export function interleaveFamilies<T extends { family: number }>(records: readonly T[]): T[] {
  if (records.length < 3) return [...records];
  const first = records[0]?.family;
  const same = records.filter((r) => r.family === first);
  const other = records.filter((r) => r.family !== first);
  const out: T[] = [];
  for (let i = 0; i < Math.max(same.length, other.length); i++) {
    if (i < same.length) out.push(same[i] as T);
    if (i < other.length) out.push(other[i] as T);
  }
  return out;
}

/** The addresses of a target, as the default resolver finds them. */
export function defaultResolve(target: Target): Promise<readonly Address[]> | readonly Address[] {
  switch (target.kind) {
    case "tcp":
      return [{ kind: "tcp", host: target.host, port: target.port }];
    case "unix":
      return [{ kind: "unix", path: target.path }];
    case "list":
      return target.addresses;
    case "dns":
      return resolveDns(target.host, target.port);
  }
}

/**
 * Resolves one target, at most once per `minIntervalMs`: `request()` asks for a re-resolution
 * (a connection failed, a server went away); one asked for too soon runs when the interval is up.
 * Results and errors go to `onResult`. Static targets are resolved once.
 */
export class Resolver {
  private lastAt = -Infinity;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Static targets never change: one resolution is enough. */
  private readonly isStatic: boolean;

  constructor(
    private readonly target: Target,
    private readonly resolve: ResolveFunction,
    private readonly minIntervalMs: number,
    private readonly onResult: (result: { addresses: readonly Address[] } | { error: string }) => void,
    custom: boolean,
  ) {
    this.isStatic = !custom && target.kind !== "dns";
  }

  /** Resolves now if allowed, else once the minimum interval has passed since the last resolution. */
  request(): void {
    if (this.closed || this.running || this.timer !== undefined) return;
    if (this.isStatic && this.lastAt !== -Infinity) return;
    const wait = this.lastAt + this.minIntervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.request();
      }, wait);
      this.timer.unref();
      return;
    }
    this.run();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private run(): void {
    this.running = true;
    this.lastAt = Date.now();
    let out: Promise<readonly Address[]> | readonly Address[];
    try {
      out = this.resolve(this.target);
    } catch (err) {
      out = Promise.reject(err);
    }
    const done = (r: { addresses: readonly Address[] } | { error: string }): void => {
      this.running = false;
      if (!this.closed) this.onResult(r);
    };
    if (!(out instanceof Promise)) {
      done(checked(out));
      return;
    }
    out.then(
      (a) => done(checked(a)),
      (err: unknown) => done({ error: `could not resolve ${this.target.authority}: ${errorText(err)}` }),
    );
  }
}

function checked(a: readonly Address[]): { addresses: readonly Address[] } | { error: string } {
  return a.length === 0 ? { error: "the resolver returned no addresses" } : { addresses: a };
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
