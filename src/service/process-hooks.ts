// The service process's last words: the buffered log (src/service/log-writer.ts) is written out on
// every way the process ends — process.exit, the event loop running dry, or a fatal error.

import type { Logger } from "./logger.js";

/** On 'exit', flush the log; on an uncaught exception (or an unhandled rejection, which node turns
 *  into one), log it as `fatal`, flush synchronously and exit 1, as node would without the handler. */
export function flushLogOnExit(logger: Logger): void {
  process.on("exit", () => logger.flush());
  process.on("uncaughtException", (err) => {
    logger.log("error", "fatal", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    logger.flush();
    process.exit(1);
  });
}
