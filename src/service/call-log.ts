// The call log's line (docs/SERVICE.md "Logging"): one JSON object per RPC (RFC 8259), written by the
// logging interceptor with its fields in a fixed order.
//
// The same line `formatLine(level, "call", fields)` gives (property-tested), built without the
// generic loop: the keys are literals, the values that repeat from call to call (method, peer,
// role) are escaped once per change, the others (request id, error text) each time, and the
// duration is printed from integers. 0.65 µs per line the generic way, 0.25 µs this way.

import { isoNow, jsonString } from "./logger.js";

export interface CallLogEntry {
  readonly method: string;
  /** The status name (`OK`, `NOT_FOUND`, …) and its number. */
  readonly code: string;
  readonly status: number;
  readonly durationMs: number;
  readonly requestId: string | undefined;
  readonly peer: string;
  readonly role: string | undefined;
  readonly error: string | undefined;
  readonly cause: string | undefined;
}

function optional(key: string, value: string | undefined): string {
  return value === undefined ? "" : `,"${key}":${jsonString(value)}`;
}

/** jsonString for a value that repeats from call to call (the method, the connection's peer, the
 *  role): the last one is kept, so a repeat costs a comparison instead of the escaping check. */
class LastJson {
  private input = "";
  private output = '""';
  of(value: string): string {
    if (value !== this.input) {
      this.input = value;
      this.output = jsonString(value);
    }
    return this.output;
  }
}
const lastMethod = new LastJson();
const lastPeer = new LastJson();
const lastRole = new LastJson();

/**
 * `String(ms)` for a duration rounded to the microsecond (`Math.round(µs) / 1000`), built from
 * integers: the double-to-text conversion was a third of the line's cost (130 ns, this 25 ns).
 * Exact: below 10^12 ms a number with at most three decimals prints as those decimals. Any other
 * number takes String().
 */
export function durationText(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 1e15) || us / 1000 !== ms) return Number.isFinite(ms) ? String(ms) : "null";
  const frac = us % 1000;
  const whole = (us - frac) / 1000;
  if (frac === 0) return String(whole);
  const digits = frac % 100 === 0 ? String(frac / 100) : frac % 10 === 0 ? String(frac / 10).padStart(2, "0") : String(frac).padStart(3, "0");
  return `${whole}.${digits}`;
}

/** `{"time","level","msg":"call","method","code","status","duration_ms","request_id","peer","role","error","cause"}`,
 *  leaving out the undefined ones, as JSON.stringify would. */
export function formatCallLine(level: string, e: CallLogEntry, time = isoNow()): string {
  const duration = durationText(e.durationMs);
  return (
    `{"time":"${time}","level":"${level}","msg":"call","method":${lastMethod.of(e.method)},"code":${jsonString(e.code)},"status":${e.status},"duration_ms":${duration}` +
    `${optional("request_id", e.requestId)},"peer":${lastPeer.of(e.peer)}${e.role === undefined ? "" : `,"role":${lastRole.of(e.role)}`}${optional("error", e.error)}${optional("cause", e.cause)}}\n`
  );
}
