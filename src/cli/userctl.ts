// The userctl command (package.json "bin", run through tsx by bin/userctl.mjs): see run.ts and `userctl --help`.

import { runUserctl } from "./run.js";

process.exitCode = await runUserctl(process.argv.slice(2), {
  stdin: process.stdin,
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
  env: process.env,
});
