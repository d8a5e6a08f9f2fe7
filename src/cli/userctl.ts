// The userctl command (package.json "bin", run through tsx by bin/userctl.mjs): see run.ts and `userctl --help`.

import { runUserctl } from "./run.js";

// The client channel unrefs its HTTP/2 session, even while a call is in flight; this timer keeps the
// process alive until the command is done (otherwise Node exits 13 with the call still pending).
const keepAlive = setInterval(() => undefined, 1 << 30);
try {
  process.exitCode = await runUserctl(process.argv.slice(2), {
    stdin: process.stdin,
    out: (line) => process.stdout.write(line + "\n"),
    err: (line) => process.stderr.write(line + "\n"),
    env: process.env,
  });
} finally {
  clearInterval(keepAlive);
}
