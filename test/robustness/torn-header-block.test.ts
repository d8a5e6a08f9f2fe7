// A node:http2 native abort a client can cause (docs/RELIABILITY.md "Native http2 abort on a torn
// header block"): an unfinished trailer block (RFC 9113 §4.3, HEADERS without END_HEADERS) on a
// stream whose response the client never reads, then the server destroys the session (keepalive
// ping unanswered). Without src/wire/session-pin.ts pinSessionOnEarlyDestroy, node 20.20.2 aborts at the
// next GC: `Http2Session::~Http2Session(): Assertion (current_nghttp2_memory_) == (0)`. The repro runs
// in its own process (scripts/h2-session-memory-abort.ts, forced GCs), since an abort kills it.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/h2-session-memory-abort.ts", import.meta.url));

test("a torn trailer block on a stream with writes in flight, then the session destroyed: no native abort at GC", async () => {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", SCRIPT, "--target", "ours", "--connections", "20"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  expect(err).not.toContain("Assertion failed");
  expect(exit).toEqual({ code: 0, signal: null });
  expect(out).toContain("no abort: 20 connections (target ours)");
}, 120_000);
