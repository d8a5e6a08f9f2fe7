// Implements PROTOCOL-HTTP2 "Requests": Timeout → "grpc-timeout" TimeoutValue TimeoutUnit (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

/** Milliseconds per unit: Hours, Minutes, Seconds, milliseconds, microseconds, nanoseconds. */
const UNIT_MS: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1_000,
  m: 1,
  u: 1e-3,
  n: 1e-6,
};

/** The spec's TimeoutValue is "positive integer as ASCII string of at most 8 digits". */
const MAX_VALUE = 99_999_999;

export type TimeoutParseResult = { ok: true; timeoutMs: number } | { ok: false; error: string };

/** Parses a `grpc-timeout` header value into milliseconds (possibly fractional). Never throws. */
export function parseTimeout(value: string): TimeoutParseResult {
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (m === null) {
    return { ok: false, error: `malformed grpc-timeout "${value.slice(0, 32)}": want 1-8 digits and a unit of H, M, S, m, u or n` };
  }
  return { ok: true, timeoutMs: Number(m[1]) * UNIT_MS[m[2]] };
}

/**
 * Formats a timeout in milliseconds with the finest unit whose value fits in 8 digits
 * (rounding up, so a peer never sees a deadline earlier than ours). Negative or zero → "0n"
 * is not allowed by the grammar's "positive", so we send "1n" (already expired).
 */
export function formatTimeout(timeoutMs: number): string {
  if (!(timeoutMs > 0)) return "1n";
  const ns = Math.ceil(timeoutMs * 1e6);
  if (ns <= MAX_VALUE) return `${ns}n`;
  const us = Math.ceil(timeoutMs * 1e3);
  if (us <= MAX_VALUE) return `${us}u`;
  const ms = Math.ceil(timeoutMs);
  if (ms <= MAX_VALUE) return `${ms}m`;
  const s = Math.ceil(timeoutMs / 1e3);
  if (s <= MAX_VALUE) return `${s}S`;
  const min = Math.ceil(timeoutMs / 6e4);
  if (min <= MAX_VALUE) return `${min}M`;
  return `${Math.min(Math.ceil(timeoutMs / 3.6e6), MAX_VALUE)}H`;
}
