// A random, often broken server against our client: whatever the :status, content-type, headers,
// messages, trailers or resets it sends, every call settles (a response, or a GrpcError whose code is
// one of the 17), nothing throws past the call, and the channel goes on working.
// (PROTOCOL-HTTP2 Responses; http-grpc-status-mapping.md; statuscodes.md.)
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, GrpcError } from "../../src/client/index.js";
import { grpcCodeForHttpStatus } from "../../src/wire/http-status.js";
import { EchoCodec, Methods, type Echo } from "../support/client-echo.js";

/** What the server does with the next call. */
interface Script {
  status: number;
  contentType: string | undefined;
  encoding: string | undefined;
  trailersOnly: boolean;
  headerStatus: string | undefined;
  messages: Array<{ kind: "echo" | "gzip" | "garbage" | "lie"; text: string; bytes: Uint8Array }>;
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
  details: string | undefined;
  metadata: Array<[string, string]>;
  end: "trailers" | "reset" | "plain-end" | "destroy-session";
  rstCode: number;
}

const script: fc.Arbitrary<Script> = fc.record({
  status: fc.constantFrom(200, 200, 200, 200, 400, 401, 403, 404, 429, 500, 502, 503, 504, 302),
  contentType: fc.constantFrom<string | undefined>("application/grpc", "application/grpc", "application/grpc+proto", "text/html", undefined),
  encoding: fc.constantFrom<string | undefined>(undefined, undefined, "identity", "gzip", "br"),
  trailersOnly: fc.boolean(),
  headerStatus: fc.constantFrom<string | undefined>(undefined, undefined, "0", "5"),
  messages: fc.array(
    fc.record({
      kind: fc.constantFrom("echo", "echo", "gzip", "garbage", "lie"),
      text: fc.string({ maxLength: 20 }),
      bytes: fc.uint8Array({ maxLength: 12 }),
    }),
    { maxLength: 3 },
  ),
  grpcStatus: fc.constantFrom<string | undefined>("0", "0", "0", "2", "5", "13", "16", "17", "99", "-1", "abc", "", undefined),
  grpcMessage: fc.constantFrom<string | undefined>(undefined, "plain", "caf%C3%A9", "%zz%", "%"),
  details: fc.constantFrom<string | undefined>(undefined, "CAUSBGJvb20=", "not base64!", "AAAA"),
  metadata: fc.array(fc.tuple(fc.constantFrom("x-a", "x-b-bin", "grpc-foo", "x-c"), fc.constantFrom("v", "AAE=", "!!", "")), { maxLength: 3 }),
  end: fc.constantFrom("trailers", "trailers", "trailers", "reset", "plain-end", "destroy-session"),
  rstCode: fc.constantFrom(0, 1, 2, 7, 8, 11),
});

function body(m: Script["messages"][number]): Buffer {
  const payload = EchoCodec.encode({ text: m.text, n: 1 });
  const out = (flag: number, p: Buffer | Uint8Array, len = p.length): Buffer => {
    const b = Buffer.alloc(5 + p.length);
    b[0] = flag;
    b.writeUInt32BE(len, 1);
    b.set(p, 5);
    return b;
  };
  switch (m.kind) {
    case "echo":
      return out(0, payload);
    case "gzip":
      return out(1, gzipSync(payload));
    case "garbage":
      return out(0, m.bytes);
    case "lie":
      return out(0, m.bytes, m.bytes.length + 3);
  }
}

let next: Script;
let server: http2.Http2Server;
let port: number;

function play(stream: http2.ServerHttp2Stream, s: Script): void {
  const headers: http2.OutgoingHttpHeaders = { ":status": s.status };
  if (s.contentType !== undefined) headers["content-type"] = s.contentType;
  if (s.encoding !== undefined) headers["grpc-encoding"] = s.encoding;
  for (const [k, v] of s.metadata) headers[k] = v;
  const trailers: http2.OutgoingHttpHeaders = {};
  if (s.grpcStatus !== undefined) trailers["grpc-status"] = s.grpcStatus;
  if (s.grpcMessage !== undefined) trailers["grpc-message"] = s.grpcMessage;
  if (s.details !== undefined) trailers["grpc-status-details-bin"] = s.details;
  if (s.end === "destroy-session") {
    stream.session?.destroy();
    return;
  }
  if (s.trailersOnly) {
    stream.respond({ ...headers, ...trailers }, { endStream: true });
    return;
  }
  if (s.headerStatus !== undefined) headers["grpc-status"] = s.headerStatus;
  stream.respond(headers, { waitForTrailers: s.end === "trailers" });
  if (s.end === "trailers") stream.on("wantTrailers", () => stream.sendTrailers(trailers));
  for (const m of s.messages) stream.write(body(m));
  if (s.end === "reset") stream.close(s.rstCode);
  else stream.end();
}

beforeAll(async () => {
  server = http2.createServer();
  server.on("stream", (stream) => {
    stream.on("error", () => {});
    stream.resume();
    stream.on("end", () => play(stream, next));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

/** Settles with "ok" or the GrpcError's code; anything else (another error type, a hang) fails. */
async function outcome(p: Promise<unknown>): Promise<string> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the call did not settle within 5 s")), 5_000));
  try {
    await Promise.race([p, timeout]);
    return "ok";
  } catch (err) {
    if (!(err instanceof GrpcError)) throw err;
    expect(err.code).toBeGreaterThanOrEqual(0);
    expect(err.code).toBeLessThanOrEqual(16);
    expect(err.code).not.toBe(0);
    return String(err.code);
  }
}

describe("our client against a random, often broken server", () => {
  it("every call settles with a response or a GrpcError of a valid code, and the channel keeps working", async () => {
    const channel = new Channel(`127.0.0.1:${port}`, { backoff: { initialBackoffMs: 10, maxBackoffMs: 50, minConnectTimeoutMs: 1000 } });
    const client = new Client(channel);
    const seen = new Map<string, number>();
    try {
      await fc.assert(
        fc.asyncProperty(script, fc.constantFrom("unary", "serverStream"), async (s, kind) => {
          next = s;
          const call =
            kind === "unary"
              ? client.unary(Methods.unary, { text: "hi", n: 1 }, { waitForReady: true })
              : (async () => {
                  const out: Echo[] = [];
                  for await (const m of client.serverStreaming(Methods.serverStream, { text: "hi", n: 1 }, { waitForReady: true })) out.push(m);
                  return out;
                })();
          const o = await outcome(call);
          seen.set(o, (seen.get(o) ?? 0) + 1);
          // A well-formed OK answer must come back as a success.
          const wellFormed =
            s.end === "trailers" && !s.trailersOnly && s.status === 200 && s.contentType?.startsWith("application/grpc") === true &&
            s.encoding === undefined && s.headerStatus === undefined && s.grpcStatus === "0" && s.details === undefined &&
            s.metadata.every(([k, v]) => !k.startsWith("grpc-") && (!k.endsWith("-bin") || v === "AAE=" || v === "")) &&
            s.messages.length === (kind === "unary" ? 1 : s.messages.length) && s.messages.every((m) => m.kind === "echo");
          if (wellFormed) expect(o).toBe("ok");
          // Trailers-Only answers are exact: no grpc-status → the HTTP status mapping; a valid one → that code.
          // (Malformed -bin metadata or status details turn any status into INTERNAL, as in grpc-go.)
          const cleanMetadata = s.metadata.every(([k, v]) => !k.startsWith("grpc-") && (!k.endsWith("-bin") || v === "AAE=" || v === ""));
          if (s.end !== "destroy-session" && s.trailersOnly && cleanMetadata && s.details === undefined) {
            if (s.grpcStatus === undefined && s.status !== 200) expect(o).toBe(String(grpcCodeForHttpStatus(s.status)));
            if (s.status === 200 && s.contentType?.startsWith("application/grpc") === true && ["2", "5", "13", "16"].includes(s.grpcStatus ?? "")) {
              expect(o).toBe(s.grpcStatus);
            }
          }
        }),
        { numRuns: 500, seed: Number(process.env.FUZZ_SEED ?? 20261203), endOnFailure: true },
      );
      if (process.env.FUZZ_VERBOSE) console.log(Object.fromEntries(seen));
      expect(seen.get("ok") ?? 0).toBeGreaterThan(0);
      expect(seen.size).toBeGreaterThan(4);
      // After all that, a good answer still gets through on the same channel.
      next = { status: 200, contentType: "application/grpc", encoding: undefined, trailersOnly: false, headerStatus: undefined, messages: [{ kind: "echo", text: "fine", bytes: new Uint8Array() }], grpcStatus: "0", grpcMessage: undefined, details: undefined, metadata: [], end: "trailers", rstCode: 0 };
      expect(await client.unary(Methods.unary, { text: "x", n: 1 }, { waitForReady: true })).toEqual({ text: "fine", n: 1 });
    } finally {
      channel.destroy();
    }
  });
});
