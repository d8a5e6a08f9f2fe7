// A node:http2 native abort a hostile SERVER can cause in our client (docs/RELIABILITY.md "Native
// http2 abort on a torn header block"): response HEADERS, then an unfinished trailer block (RFC 9113
// §4.3, HEADERS without END_HEADERS) on a call whose request the server never reads, then the client
// destroys the session (keepalive ping unanswered). Without src/wire/session-pin.ts
// pinSessionOnEarlyDestroy on the client's streams (src/client/session-record.ts openStream), node
// 20.20.2 aborts at the next GC: `Http2Session::~Http2Session(): Assertion (current_nghttp2_memory_) == (0)`.
// The repro runs in its own process (scripts/h2-session-memory-abort.ts --target client, forced GCs),
// since an abort kills it.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/h2-session-memory-abort.ts", import.meta.url));

test("a hostile server tears a trailer block while the request is on the client's socket, then keepalive destroys the session: no native abort at GC", async () => {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", SCRIPT, "--target", "client", "--connections", "20"], {
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
  // The calls failed the way the repro means them to: the client's keepalive destroyed the session.
  expect(out).toContain("keepalive ping not acknowledged");
  expect(out).toContain("no abort: 20 connections (target client)");
}, 120_000);
