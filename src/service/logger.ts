// Structured logging: one JSON object per line, filtered by LOG_LEVEL. The call log (one line per RPC)
// is written by the logging interceptor; this module formats and filters, src/service/log-writer.ts
// buffers and writes (RFC 8259 for the JSON text).

import type { LogLevel } from "./config.js";
import { BatchedLineWriter, type LineSink } from "./log-writer.js";

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, "silent">): boolean;
  log(level: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields): void;
  /** Writes `line`, one JSON line already formatted (src/service/call-log.ts), if `level` is enabled. */
  writeLine(level: Exclude<LogLevel, "silent">, line: string): void;
  /** Writes every buffered line now, synchronously (graceful shutdown, fatal errors, process exit). */
  flush(): void;
}

// Characters JSON.stringify would escape (quote, backslash, controls) or rewrite (lone surrogates).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal: the common case (nothing to escape) without JSON.stringify's call. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

let lastMs = -1;
let lastIso = "";
/** new Date().toISOString(), made once per millisecond. */
export function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** One log line, exactly what `JSON.stringify({ time, level, msg, ...fields }) + "\n"` gives for the
 *  field types allowed (undefined fields left out, non-finite numbers as null), built by hand. */
export function formatLine(level: string, msg: string, fields: LogFields | undefined, time = isoNow()): string {
  let line = `{"time":"${time}","level":"${level}","msg":${jsonString(msg)}`;
  if (fields !== undefined) {
    for (const k in fields) {
      const v = fields[k];
      if (v === undefined) continue;
      line += `,${jsonString(k)}:${typeof v === "string" ? jsonString(v) : typeof v === "number" ? (Number.isFinite(v) ? String(v) : "null") : v ? "true" : "false"}`;
    }
  }
  return line + "}\n";
}

/** A logger writing JSON lines (`{"time":…,"level":…,"msg":…,…fields}`) to `sink`: by default stderr
 *  through a BatchedLineWriter (so stdout keeps only the start line); a function receives each line. */
export function createLogger(level: LogLevel, sink: LineSink | ((line: string) => void) = new BatchedLineWriter(2)): Logger {
  const min = RANK[level];
  const out: LineSink = typeof sink === "function" ? { write: sink, flush: () => undefined } : sink;
  return {
    level,
    enabled: (l) => RANK[l] >= min,
    log(l, msg, fields) {
      if (RANK[l] < min) return;
      out.write(formatLine(l, msg, fields));
    },
    writeLine(l, line) {
      if (RANK[l] >= min) out.write(line);
    },
    flush: () => out.flush(),
  };
}
