// Child processes of the harness: servers and load generators pinned to their own core
// (taskset), started and stopped cleanly, with CPU time and peak RSS read from /proc.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";

const TICK_S = 0.01; // USER_HZ is 100 on Linux

/** Cores: the server gets one, the load generator the other (when there are two). */
export const CPUS = os.cpus().length;
export const SERVER_CPU = "0";
export const LOADGEN_CPU = CPUS > 1 ? "1" : "0";
export const HAS_TASKSET = existsSync("/usr/bin/taskset") || existsSync("/bin/taskset");

/** Every child still running, so an interrupted harness leaves no server behind. */
const live = new Set<ChildProcess>();
let trapped = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (trapped) return;
  trapped = true;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      for (const c of live) c.kill("SIGKILL");
      process.exit(130);
    });
  }
}

export function pinned(cpu: string, cmd: string, args: string[]): [string, string[]] {
  return HAS_TASKSET ? ["taskset", ["-c", cpu, cmd, ...args]] : [cmd, args];
}

/** CPU seconds (user + system) a process has used so far; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * TICK_S; // fields 14 and 15: utime, stime
  } catch {
    return undefined;
  }
}

/** CPU seconds all processes of the machine have used (busy time of every core, /proc/stat). */
export function machineBusySeconds(): number {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - f[3] - f[4]) * TICK_S; // minus idle and iowait
  } catch {
    return NaN;
  }
}

/** Peak resident set (VmHWM) in MiB since the last resetPeakRss. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resets VmHWM to the current RSS (Linux clear_refs "5"), so each run gets its own peak. */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    // Not permitted: the peak then covers the server's whole life, which the report says.
  }
}

export interface ServerProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  stderrTail(): string;
  /** Undefined while it runs; then how it ended ("exit code 1", "signal SIGKILL"). */
  exitReason(): string | undefined;
  stop(): Promise<void>;
}

/** The last `max` bytes of a file ("" when it cannot be read). */
function fileTail(file: string, max: number): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, "r");
    try {
      const buf = Buffer.alloc(Math.min(size, max));
      readSync(fd, buf, 0, buf.length, size - buf.length);
      return buf.toString();
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}

/** Starts a server (pinned to SERVER_CPU) that prints "LISTENING <port>" (or a line containing the port). */
export function startServer(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  portPattern = /LISTENING (\d+)/,
  timeoutMs = 30_000,
  /** Send the server's stderr (its log) to this file instead of a pipe to the harness; removed at stop. */
  stderrFile?: string,
): Promise<ServerProcess> {
  const [c, a] = pinned(SERVER_CPU, cmd, args);
  const fd = stderrFile !== undefined ? openSync(stderrFile, "w") : undefined;
  const child = spawn(c, a, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", fd ?? "pipe"] });
  if (fd !== undefined) closeSync(fd);
  track(child);
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const tail = (): string => (stderrFile !== undefined ? fileTail(stderrFile, 4000) : err);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name}: no port announced within ${timeoutMs} ms\n${out}\n${tail()}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening:\n${out}\n${tail()}`));
    });
    child.stdout!.on("data", (d: Buffer) => {
      if (out.length < 10_000) out += d.toString();
      const m = portPattern.exec(out);
      if (m !== null && child.pid !== undefined) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        out = "";
        let ended: string | undefined;
        child.on("exit", (code, signal) => {
          ended = signal !== null ? `signal ${signal}` : `exit code ${code}`;
        });
        resolve({
          name,
          port: Number(m[1]),
          pid: child.pid,
          stderrTail: tail,
          exitReason: () => ended,
          stop: async () => {
            await stopChild(child);
            if (stderrFile !== undefined) rmSync(stderrFile, { force: true });
          },
        });
      }
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export interface GeneratorOutput {
  stdout: string;
  stderr: string;
  code: number | null;
  /** Wall time between the generator's measurement markers (or spawn and exit). */
  measuredS: number;
  /** The server's CPU seconds between the same two instants. */
  serverCpuS: number;
  /** The generator's own CPU seconds (whole run, from bash `times`, or its own report). */
  generatorCpuS?: number;
  /** CPU seconds the whole machine used between the same two instants. */
  machineBusyS: number;
}

/**
 * Runs a load generator pinned to LOADGEN_CPU. `startMarker`/`endMarker` are stdout patterns at
 * which the measured period begins and ends (h2load's warm-up messages, our loadgen's lines); the
 * server's CPU is sampled at those instants. With `times`, the command runs under bash, whose
 * `times` builtin reports the generator's CPU time exactly.
 */
export function runGenerator(
  cmd: string,
  args: string[],
  serverPid: number,
  opts: { startMarker?: RegExp; endMarker?: RegExp; times?: boolean; env?: NodeJS.ProcessEnv; onTick?: () => void } = {},
): Promise<GeneratorOutput> {
  let [c, a] = [cmd, args];
  if (opts.times === true) {
    a = ["-c", '"$@"; rc=$?; echo "@@TIMES"; times; exit $rc', "bench", c, ...a];
    c = "bash";
  }
  [c, a] = pinned(LOADGEN_CPU, c, a);
  const child = spawn(c, a, { env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  let stdout = "";
  let stderr = "";
  let tStart = performance.now();
  let cpuStart = cpuSeconds(serverPid) ?? 0;
  let busyStart = machineBusySeconds();
  let busyEnd = NaN;
  let tEnd: number | undefined;
  let cpuEnd: number | undefined;
  let started = opts.startMarker === undefined;
  const tick = opts.onTick !== undefined ? setInterval(opts.onTick, 250) : undefined;
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
    if (!started && opts.startMarker!.test(stdout)) {
      started = true;
      tStart = performance.now();
      cpuStart = cpuSeconds(serverPid) ?? 0;
      busyStart = machineBusySeconds();
    }
    if (tEnd === undefined && opts.endMarker !== undefined && started && opts.endMarker.test(stdout)) {
      tEnd = performance.now();
      cpuEnd = cpuSeconds(serverPid) ?? cpuStart;
      busyEnd = machineBusySeconds();
    }
  });
  child.stderr!.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      if (tick !== undefined) clearInterval(tick);
      if (tEnd === undefined) {
        tEnd = performance.now();
        cpuEnd = cpuSeconds(serverPid) ?? cpuStart;
        busyEnd = machineBusySeconds();
      }
      let generatorCpuS: number | undefined;
      const at = stdout.lastIndexOf("@@TIMES");
      if (at >= 0) {
        const lines = stdout.slice(at).trim().split("\n");
        generatorCpuS = parseTimes(lines[2] ?? "");
        stdout = stdout.slice(0, at);
      }
      resolve({ stdout, stderr, code, measuredS: (tEnd - tStart) / 1000, serverCpuS: cpuEnd! - cpuStart, generatorCpuS, machineBusyS: busyEnd - busyStart });
    });
  });
}

/** Parses a bash `times` line, "0m1.234s 0m0.056s" (children's user and system), into seconds. */
function parseTimes(line: string): number | undefined {
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)];
  if (parts.length !== 2) return undefined;
  return parts.reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
}
