// A node:http2 native abort a hostile peer can cause (docs/RELIABILITY.md "Native http2 abort on a torn
// header block"): an unfinished trailer block (RFC 9113 §4.3, HEADERS without END_HEADERS) on a stream
// one of whose writes the peer never reads, then the session destroyed (keepalive ping unanswered).
// - Server side: a hostile client tears its request's trailer block; our server's keepalive destroys the session.
// - Client side: a hostile server tears the response's trailer block while the request is on the
//   client's socket; our client's keepalive destroys the session.
// Without src/wire/session-pin.ts pinSessionOnEarlyDestroy (server: onStream; client:
// src/client/session-record.ts openStream), node 20.20.2 aborts at the next GC:
// `Http2Session::~Http2Session(): Assertion (current_nghttp2_memory_) == (0)`. Each repro runs in its
// own process (scripts/h2-session-memory-abort.ts, forced GCs), since an abort kills it.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/h2-session-memory-abort.ts", import.meta.url));

/** Runs the repro against `target` with 20 connections; its stdout once it exited cleanly. */
async function reproOutput(target: "ours" | "client"): Promise<string> {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", SCRIPT, "--target", target, "--connections", "20"], {
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
  return out;
}

test("server: a torn trailer block on a stream with writes in flight, then the session destroyed: no native abort at GC", async () => {
  expect(await reproOutput("ours")).toContain("no abort: 20 connections (target ours)");
}, 120_000);

test("client: a hostile server tears a trailer block while the request is on the client's socket, then keepalive destroys the session: no native abort at GC", async () => {
  const out = await reproOutput("client");
  // The calls failed the way the repro means them to: the client's keepalive destroyed the session.
  expect(out).toContain("keepalive ping not acknowledged");
  expect(out).toContain("no abort: 20 connections (target client)");
}, 120_000);
