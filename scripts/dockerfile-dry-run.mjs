// Runs deploy/Dockerfile without docker, for machines with no docker daemon (like CI here): every
// stage in its own temporary directory standing in for the image's WORKDIR, COPY from the repository
// (or `--from` an earlier stage), RUN through sh with the stage's ENV, on this machine's node (the
// image's base is node:20-slim, so use Node 20). Then the final CMD is started with PORT=0, the image's
// userctl must get answers from it (health, create), and STOPSIGNAL must end it with exit 0.
// Understands only the instructions deploy/Dockerfile uses; anything else is an error.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const dockerfile = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8");
const work = mkdtempSync(join(tmpdir(), "dockerfile-dry-run-"));
const stages = new Map(); // name → { dir }
let stage;
let cmd;
let stopSignal = "SIGTERM";

function log(line) {
  process.stdout.write(`dry-run: ${line}\n`);
}

try {
  const lines = dockerfile.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    switch (op) {
      case "FROM": {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
        stage = { dir: join(work, `stage${stages.size}`), env: { ...process.env }, workdir: "/" };
        stages.set(m[2] ?? `#${stages.size}`, stage);
        log(`FROM ${m[1]} (host node ${process.version})`);
        break;
      }
      case "WORKDIR":
        stage.workdir = args;
        break;
      case "ENV":
        for (const m of args.matchAll(/(\w+)=(\S+)/g)) stage.env[m[1]] = m[2];
        break;
      case "COPY": {
        const from = /^--from=(\S+)\s+(.*)$/.exec(args);
        const parts = (from ? from[2] : args).split(/\s+/);
        const dest = parts.pop();
        for (const src of parts) {
          const source = from ? join(stages.get(from[1]).dir, src.replace(/^\/app\/?/, "")) : join(ROOT, src);
          const target = join(stage.dir, dest.endsWith("/") ? join(dest, src.split("/").pop()) : dest);
          cpSync(source, target, { recursive: true });
        }
        log(`COPY ${args}`);
        break;
      }
      case "RUN": {
        // An image's npm cache is its own; here it is this machine's, shared: keep it.
        const command = args.replace(/&&\s*npm cache clean --force/, "");
        log(`RUN ${command}${command === args ? "" : "   (npm cache clean skipped: it would clean this machine's cache)"}`);
        const r = spawnSync("sh", ["-c", command], { cwd: stage.dir, env: stage.env, stdio: "inherit" });
        if (r.status !== 0) throw new Error(`RUN ${args} failed (${r.status ?? r.signal})`);
        break;
      }
      case "CMD":
        cmd = JSON.parse(args);
        break;
      case "STOPSIGNAL":
        stopSignal = args;
        break;
      case "USER":
      case "EXPOSE":
        break;
      default:
        throw new Error(`dockerfile-dry-run does not know ${op}`);
    }
  }
  if (stage.workdir !== "/app") throw new Error(`expected WORKDIR /app, got ${stage.workdir}`);

  log(`CMD ${JSON.stringify(cmd)} with PORT=0, then ${stopSignal}`);
  const child = spawn(cmd[0], cmd.slice(1), {
    cwd: stage.dir,
    env: { ...stage.env, PORT: "0", HOST: "127.0.0.1", AUTH_TOKENS: "dry-run=admin" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  const port = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on [^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    exited.then((c) => reject(new Error(`CMD exited (${c}) before listening`)));
  });
  // Calls through the image's own userctl (bin/userctl.mjs: no tsx in the image, so it runs dist/).
  for (const args of [["health"], ["create", "--username", "dry_run", "--email", "dry@example.com"]]) {
    const r = spawnSync(process.execPath, ["bin/userctl.mjs", "--target", `127.0.0.1:${port}`, "--token", "dry-run", ...args], { cwd: stage.dir, env: stage.env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`userctl ${args[0]} exited ${r.status}: ${r.stderr}`);
    log(`userctl ${args[0]}: ${r.stdout.trim()}`);
  }
  child.kill(stopSignal);
  const code = await exited;
  if (code !== 0) throw new Error(`after ${stopSignal} the service exited ${code}, not 0`);
  log(`${stopSignal}: exit 0`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
