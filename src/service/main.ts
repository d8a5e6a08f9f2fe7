// `npm start`: the user service from the environment and flags (src/service/config.ts), one start
// line on stdout, JSON logs on stderr, graceful shutdown on SIGTERM/SIGINT (exit 0).

import { startUserService } from "./app.js";
import { loadConfig } from "./config.js";
import { startBanner } from "./start-banner.js";
import { enableWireTrace } from "../wire/trace.js";

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

let app;
try {
  app = await startUserService({ config: loaded.config });
} catch (err) {
  process.stderr.write(`user service: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

process.stdout.write(startBanner({ ...app, ...(loaded.config.tls === undefined ? {} : { tlsFiles: loaded.config.tls }) }) + "\n");

let signalled = false;
const onSignal = (signal: NodeJS.Signals): void => {
  if (signalled) {
    // A second signal: stop waiting for calls in flight. forceShutdown() cancels every call and
    // destroys every connection synchronously; its promise is not awaited (after a graceful shutdown
    // has closed the listener it may never settle).
    void app.server.forceShutdown();
    process.exit(0);
  }
  signalled = true;
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "signal", signal }) + "\n");
  void app.shutdown().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);
