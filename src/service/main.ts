// `npm start`: the user service from the environment and flags (src/service/config.ts), one start
// line on stdout, JSON logs on stderr, graceful shutdown on SIGTERM/SIGINT (exit 0; src/service/signals.ts).
// The log is buffered (src/service/log-writer.ts): it is flushed on every way out (exit, fatal error).

import { startUserService } from "./app.js";
import { loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { flushLogOnExit } from "./process-hooks.js";
import { shutdownOnSignals } from "./signals.js";
import { startBanner } from "./start-banner.js";
import { enableWireTrace } from "../wire/trace.js";
import { enableWireViewer } from "../viewer/index.js";

const loaded = loadConfig(process.env, process.argv.slice(2));
if (!loaded.ok) {
  if ("help" in loaded) {
    process.stdout.write(loaded.help + "\n");
    process.exit(0);
  }
  process.stderr.write(`user service: ${loaded.error}\n`);
  process.exit(2);
}

// Before the server starts: the trace is read once per call and connection (src/wire/trace.ts).
if (loaded.config.trace === true) enableWireTrace();
if (loaded.config.viewer !== undefined) enableWireViewer(loaded.config.viewer);

const logger = createLogger(loaded.config.logLevel);
flushLogOnExit(logger);

let app;
try {
  app = await startUserService({ config: loaded.config, logger });
} catch (err) {
  process.stderr.write(`user service: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

process.stdout.write(startBanner({ ...app, ...(loaded.config.tls === undefined ? {} : { tlsFiles: loaded.config.tls }) }) + "\n");

shutdownOnSignals({ shutdown: () => app.shutdown(), force: () => void app.server.forceShutdown(), logger: app.logger });
