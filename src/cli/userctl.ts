// The userctl command (package.json "bin", run through tsx by bin/userctl.mjs): see run.ts and `userctl --help`.
// With --viewer (or WIRE_VIEWER=1) it keeps serving the wire viewer after the command, until Ctrl-C.

import { activeWireViewer } from "../viewer/index.js";
import { runUserctl } from "./run.js";

const code = await runUserctl(process.argv.slice(2), {
  stdin: process.stdin,
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
  env: process.env,
});
process.exitCode = code;

const viewer = activeWireViewer();
const url = await viewer?.url.catch(() => undefined);
if (viewer !== undefined && url !== undefined) {
  process.stderr.write(`userctl: the call is in the wire viewer at ${url} (Ctrl-C to quit)\n`);
  viewer.hold();
  await new Promise((resolve) => process.once("SIGINT", resolve));
  await viewer.close();
}
