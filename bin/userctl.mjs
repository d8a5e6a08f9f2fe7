#!/usr/bin/env node
// userctl: runs src/cli/userctl.ts through tsx's ESM loader (a checkout with devDependencies: always
// the current sources, no build step); where tsx is not installed (a production image after
// `npm ci --omit=dev`, deploy/Dockerfile) it runs the compiled dist/cli/userctl.js instead.
let tsx;
try {
  tsx = await import("tsx/esm/api");
} catch (err) {
  if (err?.code !== "ERR_MODULE_NOT_FOUND") throw err;
  tsx = undefined;
}
if (tsx !== undefined) {
  tsx.register();
  await import("../src/cli/userctl.ts");
} else {
  await import("../dist/cli/userctl.js");
}
