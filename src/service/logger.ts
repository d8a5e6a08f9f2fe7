// Structured logging: one JSON object per line, filtered by LOG_LEVEL. The call log (one line per RPC)
// is written by the logging interceptor; this module only formats and filters.

import type { LogLevel } from "./config.js";

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, "silent">): boolean;
  log(level: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields): void;
}

/** A logger writing JSON lines (`{"time":…,"level":…,"msg":…,…fields}`) to `write` (default stderr,
 *  so stdout keeps only the start line). */
export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const min = RANK[level];
  return {
    level,
    enabled: (l) => RANK[l] >= min,
    log(l, msg, fields) {
      if (RANK[l] < min) return;
      write(JSON.stringify({ time: new Date().toISOString(), level: l, msg, ...fields }) + "\n");
    },
  };
}
