// Compiles src/ to dist/ with tsc (tsconfig.build.json): `npm run build`. With --if-stale (the first
// step of `npm start`) it compiles only when a source or config file is newer than the last build,
// so an unchanged tree starts in ~0.1 s instead of tsc's ~2 s no-op.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const STAMP = join(ROOT, "dist", ".build-stamp");
const INPUT_FILES = ["tsconfig.json", "tsconfig.build.json", "package-lock.json"];

function mtimeOrZero(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newestInput() {
  let newest = 0;
  for (const f of INPUT_FILES) newest = Math.max(newest, mtimeOrZero(join(ROOT, f)));
  const stack = [join(ROOT, "src")];
  while (stack.length > 0) {
    const dir = stack.pop();
    newest = Math.max(newest, mtimeOrZero(dir)); // a deleted or renamed file changes its directory
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else newest = Math.max(newest, mtimeOrZero(p));
    }
  }
  return newest;
}

if (process.argv.includes("--if-stale") && mtimeOrZero(STAMP) > newestInput()) process.exit(0);

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const result = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
if (result.status !== 0) {
  process.stderr.write(`build: tsc failed (${result.status ?? result.signal}); dist/ was not updated\n`);
  process.exit(result.status ?? 1);
}
mkdirSync(dirname(STAMP), { recursive: true });
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
