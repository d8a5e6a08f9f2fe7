// Implements the interop client of gRPC's interop test descriptions (https://github.com/grpc/grpc/blob/master/doc/interop-test-descriptions.md "Client"): the official flags and every test case that needs no cloud account or xDS.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Channel } from "../client/channel.js";
import type { ChannelOptions } from "../client/channel.js";
import { Client } from "../client/client.js";
import { clientMethods } from "../client/types.js";
import type { CallOptions } from "../client/types.js";
import type { SimpleRequest, StreamingOutputCallRequest, StreamingInputCallRequest } from "../schema/interop.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Metadata } from "../wire/metadata.js";
import { Status } from "../wire/status.js";
import type { StatusCode } from "../wire/status.js";
import { boolFlag, parseFlags } from "./flags.js";
import { TestService, UnimplementedService } from "./test-service.js";

const TEST_CERTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/interop/certs");

export interface InteropClientOptions {
  serverHost: string;
  serverPort: number;
  useTls?: boolean;
  /** Trust only the gRPC test CA (test/interop/certs/ca.pem) instead of the system roots. */
  useTestCa?: boolean;
  /** Name to verify the server certificate against (the test certificate is for *.test.google.fr). */
  serverHostOverride?: string;
}

const T = clientMethods(TestService);
const U = clientMethods(UnimplementedService);

class CaseFailure extends Error {
  override name = "CaseFailure";
}

function check(cond: boolean, what: string): asserts cond {
  if (!cond) throw new CaseFailure(what);
}

function zeros(n: number): Uint8Array {
  return new Uint8Array(n);
}

function simple(init: Partial<SimpleRequest>): SimpleRequest {
  return { responseType: 0, responseSize: 0, fillUsername: false, fillOauthScope: false, fillServerId: false, fillGrpclbRouteType: false, ...init };
}

function streamingOut(init: Partial<StreamingOutputCallRequest>): StreamingOutputCallRequest {
  return { responseType: 0, responseParameters: [], ...init };
}

const params = (size: number): { size: number; intervalUs: number } => ({ size, intervalUs: 0 });

const LARGE = (): SimpleRequest => simple({ responseSize: 314159, payload: { type: 0, body: zeros(271828) } });

/** Runs `fn`, which must fail with `code` (and `message`, when given). */
async function expectStatus(fn: () => Promise<unknown>, code: StatusCode, message?: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    check(err instanceof GrpcError, `want status ${code}, got ${String(err)}`);
    check(err.code === code, `want status ${code}, got ${err.code} (${err.rawMessage})`);
    if (message !== undefined) check(err.rawMessage === message, `want message ${JSON.stringify(message)}, got ${JSON.stringify(err.rawMessage)}`);
    return;
  }
  throw new CaseFailure(`call succeeded, want status ${code}`);
}

type Case = (client: Client, channel: Channel) => Promise<void>;

const cases: Record<string, Case> = {
  async empty_unary(c) {
    const res = await c.unary(T.EmptyCall, {});
    check(res !== undefined && res !== null, "no response");
  },

  async large_unary(c) {
    const res = await c.unary(T.UnaryCall, LARGE());
    check(res.payload?.body.byteLength === 314159, `response body ${res.payload?.body.byteLength} bytes, want 314159`);
  },

  async client_compressed_unary(c) {
    const expect = (value: boolean): SimpleRequest => ({ ...LARGE(), expectCompressed: { value } });
    await expectStatus(() => c.unary(T.UnaryCall, expect(true)), Status.INVALID_ARGUMENT);
    const r1 = await c.unary(T.UnaryCall, expect(true), { compression: "gzip" });
    check(r1.payload?.body.byteLength === 314159, "compressed call: wrong response size");
    const r2 = await c.unary(T.UnaryCall, expect(false));
    check(r2.payload?.body.byteLength === 314159, "uncompressed call: wrong response size");
  },

  // The Compressed-Flag of each response message is read with onResponseEnvelope.
  async server_compressed_unary(c) {
    for (const value of [true, false]) {
      const flags: boolean[] = [];
      const res = await c.unary(T.UnaryCall, { ...LARGE(), responseCompressed: { value } }, { onResponseEnvelope: (compressed) => flags.push(compressed) });
      check(res.payload?.body.byteLength === 314159, `response_compressed=${value}: wrong response size`);
      check(flags.join() === String(value), `response_compressed=${value}: Compressed-Flag ${flags.map(Number).join()}`);
    }
  },

  async client_streaming(c) {
    const call = c.clientStreaming(T.StreamingInputCall);
    for (const n of [27182, 8, 1828, 45904]) await call.write({ payload: { type: 0, body: zeros(n) } });
    const res = await call.closeAndRecv();
    check(res.aggregatedPayloadSize === 74922, `aggregated_payload_size ${res.aggregatedPayloadSize}, want 74922`);
  },

  // The call compresses; the second message opts out ({ compress: false }), as the description asks.
  async client_compressed_streaming(c) {
    const req = (value: boolean, n: number): StreamingInputCallRequest => ({ expectCompressed: { value }, payload: { type: 0, body: zeros(n) } });
    await expectStatus(async () => {
      const probe = c.clientStreaming(T.StreamingInputCall);
      await probe.write(req(true, 27182)).catch(() => undefined);
      return probe.closeAndRecv();
    }, Status.INVALID_ARGUMENT);
    const call = c.clientStreaming(T.StreamingInputCall, { compression: "gzip" });
    await call.write(req(true, 27182));
    await call.write(req(false, 45904), { compress: false });
    const res = await call.closeAndRecv();
    check(res.aggregatedPayloadSize === 73086, `aggregated_payload_size ${res.aggregatedPayloadSize}, want 73086`);
  },

  async server_streaming(c) {
    const sizes = [31415, 9, 2653, 58979];
    const got: number[] = [];
    for await (const r of c.serverStreaming(T.StreamingOutputCall, streamingOut({ responseParameters: sizes.map(params) }))) got.push(r.payload?.body.byteLength ?? -1);
    check(got.join() === sizes.join(), `sizes ${got.join()}, want ${sizes.join()}`);
  },

  async server_compressed_streaming(c) {
    const req = streamingOut({
      responseParameters: [
        { size: 31415, intervalUs: 0, compressed: { value: true } },
        { size: 92653, intervalUs: 0, compressed: { value: false } },
      ],
    });
    const got: number[] = [];
    const flags: number[] = [];
    for await (const r of c.serverStreaming(T.StreamingOutputCall, req, { onResponseEnvelope: (compressed) => flags.push(Number(compressed)) })) {
      got.push(r.payload?.body.byteLength ?? -1);
    }
    check(got.join() === "31415,92653", `sizes ${got.join()}, want 31415,92653`);
    check(flags.join() === "1,0", `Compressed-Flags ${flags.join()}, want 1,0`);
  },

  async ping_pong(c) {
    const call = c.bidiStreaming(T.FullDuplexCall);
    const it = call[Symbol.asyncIterator]();
    const steps: Array<[number, number]> = [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]];
    for (const [size, body] of steps) {
      await call.write(streamingOut({ responseParameters: [params(size)], payload: { type: 0, body: zeros(body) } }));
      const r = await it.next();
      check(!r.done, `stream ended before the response of size ${size}`);
      check(r.value.payload?.body.byteLength === size, `response ${r.value.payload?.body.byteLength} bytes, want ${size}`);
    }
    call.end();
    const last = await it.next();
    check(last.done === true, "more than four responses");
  },

  async empty_stream(c) {
    const call = c.bidiStreaming(T.FullDuplexCall);
    call.end();
    let n = 0;
    for await (const _ of call) n++;
    check(n === 0, `${n} responses, want 0`);
  },

  async custom_metadata(c) {
    const TRAILING = Buffer.from([0xab, 0xab, 0xab]);
    const md = (): Metadata => new Metadata().set("x-grpc-test-echo-initial", "test_initial_metadata_value").set("x-grpc-test-echo-trailing-bin", TRAILING);
    const verify = (what: string, headers: Metadata | undefined, trailers: Metadata | undefined): void => {
      check(headers?.get("x-grpc-test-echo-initial") === "test_initial_metadata_value", `${what}: x-grpc-test-echo-initial missing from the headers`);
      const t = trailers?.get("x-grpc-test-echo-trailing-bin");
      check(t !== undefined && Buffer.compare(t, TRAILING) === 0, `${what}: x-grpc-test-echo-trailing-bin missing from the trailers`);
    };
    let headers: Metadata | undefined;
    let trailers: Metadata | undefined;
    const opts: CallOptions = { metadata: md(), onHeader: (h) => (headers = h), onTrailer: (t) => (trailers = t) };
    await c.unary(T.UnaryCall, LARGE(), opts);
    verify("UnaryCall", headers, trailers);
    const call = c.bidiStreaming(T.FullDuplexCall, { metadata: md() });
    await call.write(streamingOut({ responseParameters: [params(314159)], payload: { type: 0, body: zeros(271828) } }));
    call.end();
    let n = 0;
    for await (const r of call) if (r.payload?.body.byteLength === 314159) n++;
    check(n === 1, `FullDuplexCall: ${n} responses of 314159 bytes, want 1`);
    verify("FullDuplexCall", await call.headers, await call.trailers);
  },

  async status_code_and_message(c) {
    const responseStatus = { code: 2, message: "test status message" };
    await expectStatus(() => c.unary(T.UnaryCall, simple({ responseStatus })), Status.UNKNOWN, responseStatus.message);
    await expectStatus(async () => {
      const call = c.bidiStreaming(T.FullDuplexCall);
      await call.write(streamingOut({ responseStatus }));
      call.end();
      for await (const _ of call) {
        // drain
      }
    }, Status.UNKNOWN, responseStatus.message);
  },

  async special_status_message(c) {
    const message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
    await expectStatus(() => c.unary(T.UnaryCall, simple({ responseStatus: { code: 2, message } })), Status.UNKNOWN, message);
  },

  async unimplemented_method(c) {
    await expectStatus(() => c.unary(T.UnimplementedCall, {}), Status.UNIMPLEMENTED);
  },

  async unimplemented_service(c) {
    await expectStatus(() => c.unary(U.UnimplementedCall, {}), Status.UNIMPLEMENTED);
  },

  async cancel_after_begin(c) {
    const call = c.clientStreaming(T.StreamingInputCall);
    call.cancel();
    await expectStatus(() => call.response, Status.CANCELLED);
  },

  async cancel_after_first_response(c) {
    const call = c.bidiStreaming(T.FullDuplexCall);
    const it = call[Symbol.asyncIterator]();
    await call.write(streamingOut({ responseParameters: [params(31415)], payload: { type: 0, body: zeros(27182) } }));
    const first = await it.next();
    check(!first.done && first.value.payload?.body.byteLength === 31415, "no first response of 31415 bytes");
    call.cancel();
    await expectStatus(() => it.next(), Status.CANCELLED);
  },

  async timeout_on_sleeping_server(c) {
    const call = c.bidiStreaming(T.FullDuplexCall, { timeoutMs: 1 });
    await expectStatus(async () => {
      await call.write(streamingOut({ payload: { type: 0, body: zeros(27182) } })).catch(() => undefined);
      for await (const _ of call) {
        // the server sleeps (sends nothing) until the deadline
      }
    }, Status.DEADLINE_EXCEEDED);
  },
};

/** The test cases this client implements, in the descriptions' order. */
export const TEST_CASES: readonly string[] = Object.keys(cases);

/** Opens a channel to the interop server as the flags describe. */
export function interopChannel(o: InteropClientOptions): Channel {
  const options: ChannelOptions = {};
  if (o.useTls) {
    options.tls = {
      ca: o.useTestCa ? readFileSync(path.join(TEST_CERTS_DIR, "ca.pem")) : undefined,
      serverName: o.serverHostOverride || undefined,
    };
  }
  return new Channel(`${o.serverHost}:${o.serverPort}`, options);
}

/** Runs one test case; resolves when it passes, rejects with the reason when it fails. */
export async function runTestCase(name: string, options: InteropClientOptions): Promise<void> {
  const fn = cases[name];
  if (fn === undefined) throw new Error(`unsupported test case ${name}; supported: ${TEST_CASES.join(",")}`);
  const channel = interopChannel(options);
  try {
    await fn(new Client(channel), channel);
  } finally {
    channel.destroy();
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const testCase = flags.get("test_case") ?? "empty_unary";
  if (!(testCase in cases)) {
    console.error(`unsupported test case ${testCase}; supported: ${TEST_CASES.join(",")}`);
    process.exit(2);
  }
  try {
    await runTestCase(testCase, {
      serverHost: flags.get("server_host") ?? "localhost",
      serverPort: Number(flags.get("server_port") ?? "10000"),
      useTls: boolFlag(flags, "use_tls"),
      useTestCa: boolFlag(flags, "use_test_ca"),
      serverHostOverride: flags.get("server_host_override"),
    });
  } catch (err) {
    // Exit only once the line is written: stdout/stderr are asynchronous when piped.
    process.stderr.write(`${testCase}: FAIL ${err instanceof Error ? err.message : String(err)}\n`, () => process.exit(1));
    return;
  }
  process.stdout.write(`${testCase}: PASS\n`, () => process.exit(0));
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
