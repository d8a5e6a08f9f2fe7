// The call log's writer (docs/SERVICE.md "Logging"): lines are buffered and written together, at most
// every 10 ms or every 64 KiB, so a busy server pays one system call for hundreds of calls; never dropped.
//
// Policy, no line lost:
// - write() appends to an in-memory buffer and, with the first line after a flush, arms a timer
//   (`maxDelayMs`, default 10 ms; unref'd, so it never keeps the process alive) that flushes it.
//   (A flush per event-loop turn, as before, wrote a handful of lines per system call under load:
//   1.4 µs of CPU per call in a GetUser profile, a tenth of what the service adds to the transport.)
// - The buffer is bounded: at `maxPendingBytes` (default 64 KiB) write() flushes at once, blocking
//   the caller until the kernel has taken the bytes, rather than growing without bound or dropping.
// - What a kill -9 or a power cut loses is at most the last 10 ms of lines, as with any buffered log
//   (pino's asynchronous destination included); graceful shutdown, process.exit and fatal errors
//   flush (src/service/main.ts, process-hooks.ts).
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

const DEFAULT_MAX_PENDING_BYTES = 64 * 1024;
const DEFAULT_MAX_DELAY_MS = 10;
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

/** Lines batched for up to `maxDelayMs` or `maxPendingBytes`, written with one write(2) to a file
 *  descriptor (default 2, stderr). */
export class BatchedLineWriter implements LineSink {
  /** The pending lines as UTF-8, `used` bytes of it. Each line is copied in as it comes, so the
   *  line strings die young: a string of all pending lines (`pending += line`) kept a tree of
   *  hundreds of string pieces alive across young-generation collections, copied at each. */
  private readonly buf: Buffer;
  private used = 0;
  /** Set while the flush timer is armed. */
  scheduled = false;
  /** Set after a write failed (EBADF, EPIPE…): later lines are discarded instead of throwing in every call. */
  private broken = false;

  constructor(
    readonly fd = 2,
    maxPendingBytes = DEFAULT_MAX_PENDING_BYTES,
    private readonly maxDelayMs = DEFAULT_MAX_DELAY_MS,
  ) {
    this.buf = Buffer.allocUnsafe(maxPendingBytes);
  }

  write(text: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4 bytes).
    const worst = text.length * 3;
    if (worst > this.buf.length - this.used) {
      this.flush();
      if (worst > this.buf.length) return this.writeNow(Buffer.from(text, "utf8"));
    }
    this.used += this.buf.write(text, this.used);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(flushLater, this.maxDelayMs, this).unref();
    }
  }

  flush(): void {
    const used = this.used;
    if (used === 0) return;
    this.used = 0;
    this.writeNow(this.buf.subarray(0, used));
  }

  private writeNow(bytes: Buffer): void {
    if (this.broken) return;
    try {
      writeFully(this.fd, bytes);
    } catch {
      // The log's own destination is gone: nowhere left to report it.
      this.broken = true;
    }
  }
}
