// The call log's writer (docs/SERVICE.md "Logging"): lines are buffered and written together, one
// write(2) per event-loop turn, so a busy server pays one system call for many calls; never dropped.
//
// Policy, no line lost:
// - write() appends to an in-memory buffer and, once per turn, schedules a flush (setImmediate: it
//   runs after the turn's I/O callbacks, so every call finished in that turn shares one write).
// - The buffer is bounded: past `maxPendingBytes` (default 1 MiB) write() flushes at once, blocking
//   the caller until the kernel has taken the bytes, rather than growing without bound or dropping.
// - The write itself is synchronous (fs.writeSync on the file descriptor): a line is either still in
//   the buffer or in the kernel, never in flight on another thread, so flush() at exit (graceful or
//   fatal, see src/service/main.ts) always knows what is left. A full non-blocking pipe (EAGAIN) is
//   waited out, 1 ms at a time, never skipped.
//
// Why not an asynchronous write on libuv's thread pool (pino's `destination({ sync: false })`):
// measured in bench/log-writer.ts and the service benchmark (docs/BENCHMARKS.md "User service"), the
// hand-off to a pool thread costs more CPU than the write it moves, and under `npm run bench` the
// whole process is pinned to one core, where the pool thread runs anyway.

import { writeSync } from "node:fs";

export interface LineSink {
  /** Queues `text` (one or more whole lines, each ending in "\n"). */
  write(text: string): void;
  /** Writes everything queued, synchronously. Safe in 'exit' and 'uncaughtException' handlers. */
  flush(): void;
}

const DEFAULT_MAX_PENDING_BYTES = 1 << 20;
const waitCell = typeof SharedArrayBuffer === "function" ? new Int32Array(new SharedArrayBuffer(4)) : undefined;

function sleepMs(ms: number): void {
  if (waitCell !== undefined) Atomics.wait(waitCell, 0, 0, ms);
}

/** Writes all of `buf` to `fd`, retrying partial writes and EAGAIN (a full non-blocking pipe). */
export function writeFully(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      sleepMs(1);
    }
  }
}

function flushLater(w: BatchedLineWriter): void {
  w.scheduled = false;
  w.flush();
}

/** Lines batched per event-loop turn, written with one write(2) to a file descriptor (default 2, stderr). */
export class BatchedLineWriter implements LineSink {
  private pending = "";
  /** Set while a flush is scheduled for the end of this turn. */
  scheduled = false;
  /** Set after a write failed (EBADF, EPIPE…): later lines are discarded instead of throwing in every call. */
  private broken = false;

  constructor(
    readonly fd = 2,
    private readonly maxPendingBytes = DEFAULT_MAX_PENDING_BYTES,
  ) {}

  write(text: string): void {
    this.pending += text;
    // String length counts UTF-16 units, a lower bound of the UTF-8 bytes: close enough for a bound.
    if (this.pending.length >= this.maxPendingBytes) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(flushLater, this);
    }
  }

  flush(): void {
    const text = this.pending;
    if (text === "") return;
    this.pending = "";
    if (this.broken) return;
    try {
      // A string goes to write(2) without a Buffer of ours (node encodes it in C++); a partial write
      // (rare: a pipe or a full disk) finishes from a Buffer.
      let n: number;
      try {
        n = writeSync(this.fd, text);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
        n = 0;
      }
      if (n !== text.length || n !== Buffer.byteLength(text)) {
        const bytes = Buffer.from(text, "utf8");
        if (n < bytes.length) writeFully(this.fd, bytes.subarray(n));
      }
    } catch {
      // The log's own destination is gone: nowhere left to report it.
      this.broken = true;
    }
  }
}
