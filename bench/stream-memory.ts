// Measures the memory one client can pin on our server (issue 10, docs/TRANSPORT.md "Limits"):
// one connection opens `--streams` bidi calls (default: the server's maxConcurrentStreams, 100) and on
// each sends a message prefix declaring `--declared` bytes followed by `--sent` bytes of it, never
// finishing it. The server runs in a child process with --expose-gc; we read its memory after GC
// before and after. Run: npx tsx bench/stream-memory.ts [--streams 100] [--sent 4194303] [--declared 4194304]

import { fork, type ChildProcess } from "node:child_process";
import * as http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

interface Mem {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const MiB = 1024 * 1024;

async function serverMain(): Promise<void> {
  const { Server, defineService } = await import("../src/server/index.js");
  const { PayloadCodec } = await import("./lib/echo-codec.js");
  const Echo = defineService("bench.Echo", {
    Bidi: { kind: "bidi_streaming", requestCodec: PayloadCodec, responseCodec: PayloadCodec },
  });
  const server = new Server().addService(Echo, {
    async Bidi(requests) {
      for await (const _ of requests) {
        // never completes: the client sends only part of one message
      }
    },
  });
  const port = await server.listen();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on("message", (m: string) => {
    if (m !== "measure") return;
    for (let i = 0; i < 3; i++) gc?.();
    const u = process.memoryUsage();
    process.send?.({ rss: u.rss, heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers });
  });
  process.send?.({ port });
}

function measure(child: ChildProcess): Promise<Mem> {
  return new Promise((resolve) => {
    child.once("message", (m) => resolve(m as Mem));
    child.send("measure");
  });
}

async function settleMem(child: ChildProcess): Promise<Mem> {
  let last = await measure(child);
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await measure(child);
    if (Math.abs(now.rss - last.rss) < 2 * MiB && Math.abs(now.arrayBuffers - last.arrayBuffers) < MiB) return now;
    last = now;
  }
}

const fmt = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      streams: { type: "string", default: "100" },
      sent: { type: "string", default: String(4 * MiB - 1) },
      declared: { type: "string", default: String(4 * MiB) },
    },
  });
  const streams = Number(values.streams);
  const sent = Number(values.sent);
  const declared = Number(values.declared);
  const child = fork(fileURLToPath(import.meta.url), ["--server"], { execArgv: ["--expose-gc", "--import", "tsx"], stdio: "inherit" });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once("message", (m) => resolve(m as { port: number })));
  const before = await settleMem(child);
  const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: 1 << 20 } });
  await new Promise<void>((r) => session.once("remoteSettings", () => r()));
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(declared, 1);
  const body = Buffer.alloc(sent, 0x61);
  const writes: Array<Promise<void>> = [];
  for (let i = 0; i < streams; i++) {
    const req = session.request({ ":method": "POST", ":path": "/bench.Echo/Bidi", "content-type": "application/grpc", te: "trailers" });
    req.on("error", () => {});
    writes.push(new Promise<void>((resolve) => req.write(Buffer.concat([prefix, body]), () => resolve())));
  }
  await Promise.all(writes);
  const after = await settleMem(child);
  const d = (k: keyof Mem): number => after[k] - before[k];
  console.log(`streams ${streams}, each: prefix declaring ${declared} B, then ${sent} B of it`);
  console.log(`server after GC: rss +${fmt(d("rss"))}, heapUsed +${fmt(d("heapUsed"))}, external +${fmt(d("external"))} (arrayBuffers +${fmt(d("arrayBuffers"))})`);
  console.log(`per stream: rss +${(d("rss") / streams / 1024).toFixed(1)} KiB, heap+external +${((d("heapUsed") + d("external")) / streams / 1024).toFixed(1)} KiB`);
  session.destroy();
  child.kill();
}

if (process.argv.includes("--server")) void serverMain();
else void main();
