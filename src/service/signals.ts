// SIGTERM/SIGINT for the service process (POSIX signal(7)): the first starts the graceful shutdown,
// a genuine second one exits at once. Copies of the first signal are not a second signal.
//
// One stop request can reach node twice: `kill -TERM -PGID` (systemd's group kill, Ctrl-C in a
// terminal) signals every process of the group, and npm, which is in the group, forwards its copy to
// node as well. Those two copies are sent within milliseconds of each other, but a busy event loop may
// handle them far apart. So the same signal counts as a second one only after `duplicateWindowMs` has passed
// AND a poll phase has run since: the window's timer fires in the timers phase, signals already
// delivered are read in the poll phase that follows (and are ignored as copies), and only the check
// phase after it (setImmediate) arms the second-signal exit. However long the loop was blocked,
// a copy that arrived with the first is never taken for a second Ctrl-C. A different signal (SIGINT
// after SIGTERM) is never a copy.

import { constants } from "node:os";
import type { Logger } from "./logger.js";

/** Signals closer than this to the first one are copies of it (npm's forwarded copy comes within ms). */
export const DUPLICATE_SIGNAL_WINDOW_MS = 1_000;

export const SHUTDOWN_SIGNALS = ["SIGTERM", "SIGINT"] as const satisfies readonly NodeJS.Signals[];

export interface SignalTarget {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface ShutdownOnSignalsOptions {
  /** The graceful shutdown: exit 0 when it resolves, 1 when it rejects. */
  readonly shutdown: () => Promise<void>;
  /** Cuts every call and connection at once (on a second signal, just before exiting). */
  readonly force: () => void;
  readonly logger: Logger;
  readonly duplicateWindowMs?: number;
  /** Default `process.exit`. */
  readonly exit?: (code: number) => void;
  /** Default `process`. */
  readonly target?: SignalTarget;
}

/** The exit code of a forced stop: 128 + the signal number, as a shell reports a process killed by it. */
export function forcedExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** Installs the handlers; returns a function that removes them. */
export function shutdownOnSignals(options: ShutdownOnSignalsOptions): () => void {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target: SignalTarget = options.target ?? process;
  const windowMs = options.duplicateWindowMs ?? DUPLICATE_SIGNAL_WINDOW_MS;
  let state: "running" | "copies-ignored" | "armed" = "running";
  let first: NodeJS.Signals | undefined;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (state === "running") {
      state = "copies-ignored";
      first = signal;
      logger.log("info", "signal", { signal });
      setTimeout(() => {
        // Not unref'd: a pending unref'd immediate would let the poll phase block until other I/O.
        setImmediate(() => {
          state = "armed";
          logger.log("debug", "a second signal now stops the process at once", { signal: first });
        });
      }, windowMs).unref();
      options.shutdown().then(
        () => exit(0),
        (err: unknown) => {
          logger.log("error", "shutdown failed", { error: err instanceof Error ? err.message : String(err) });
          exit(1);
        },
      );
      return;
    }
    if (state === "copies-ignored" && signal === first) {
      logger.log("info", "signal ignored: a copy of the first (npm and the process group both deliver one)", { signal, first, window_ms: windowMs });
      return;
    }
    logger.log("warn", "second signal: exiting now, calls in flight are cut", { signal });
    options.force();
    exit(forcedExitCode(signal));
  };

  for (const s of SHUTDOWN_SIGNALS) target.on(s, onSignal);
  return () => {
    for (const s of SHUTDOWN_SIGNALS) target.off(s, onSignal);
  };
}
