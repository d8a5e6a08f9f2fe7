// @grpc/grpc-js interop client (test peer): the test cases of grpc/grpc
// doc/interop-test-descriptions.md that grpc-js can run. It cannot see the compressed flag of
// received messages, so the server_compressed_* cases check sizes only.
// Usage: tsx client.ts --server_host=H --server_port=N --test_case=NAME [--use_tls=true
//        --use_test_ca=true --server_host_override=foo.test.google.fr]
import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { TestService, UnimplementedService, certsDir, flagBool, parseFlags } from "./load.js";

interface Payload { body: Buffer }
interface SimpleResponse { payload: Payload | null }
interface StreamingOutputCallResponse { payload: Payload | null }
type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const flags = parseFlags(process.argv.slice(2));
const host = flags.get("server_host") ?? "localhost";
const port = flags.get("server_port") ?? "10000";
const testCase = flags.get("test_case") ?? "empty_unary";
const useTls = flagBool(flags, "use_tls");
const override = flags.get("server_host_override");

function channel(extra: grpc.ChannelOptions = {}): { creds: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  const options: grpc.ChannelOptions = { ...extra };
  if (!useTls) return { creds: grpc.credentials.createInsecure(), options };
  const ca = flagBool(flags, "use_test_ca") ? fs.readFileSync(path.join(certsDir, "ca.pem")) : null;
  if (override) {
    options["grpc.ssl_target_name_override"] = override;
    options["grpc.default_authority"] = override;
  }
  return { creds: grpc.credentials.createSsl(ca), options };
}
function newClient(ctor: grpc.ServiceClientConstructor, extra?: grpc.ChannelOptions): Client {
  const { creds, options } = channel(extra);
  return new ctor(`${host}:${port}`, creds, options) as unknown as Client;
}
const client = newClient(TestService);

const zeros = (n: number): Buffer => Buffer.alloc(n);
const GZIP = 2; // grpc-js CompressionAlgorithms.gzip
const NO_COMPRESS = 2; // WriteFlags.NoCompress, passed as the stream "encoding" argument

function unary<T>(c: Client, method: string, req: unknown, md = new grpc.Metadata(), opts: grpc.CallOptions = {}): Promise<{ res: T; initial: grpc.Metadata; status: grpc.StatusObject }> {
  return new Promise((resolve, reject) => {
    let initial = new grpc.Metadata();
    let res: T | undefined;
    let err: grpc.ServiceError | null = null;
    const call = c[method](req, md, opts, (e: grpc.ServiceError | null, r: T) => {
      err = e;
      res = r;
    }) as grpc.ClientUnaryCall;
    call.on("metadata", (m: grpc.Metadata) => (initial = m));
    call.on("status", (status: grpc.StatusObject) => {
      // The callback runs before "status".
      setImmediate(() => (err ? reject(err) : resolve({ res: res as T, initial, status })));
    });
  });
}

async function expectCode(p: Promise<unknown>, code: grpc.status, message?: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    const se = e as grpc.ServiceError;
    assert.equal(se.code, code, `status ${se.code} (${se.details}), want ${code}`);
    if (message !== undefined) assert.equal(se.details, message);
    return;
  }
  assert.fail(`call succeeded, want status ${code}`);
}

function collect(call: grpc.ClientReadableStream<StreamingOutputCallResponse> | grpc.ClientDuplexStream<unknown, StreamingOutputCallResponse>): Promise<{ sizes: number[]; initial: grpc.Metadata; status: grpc.StatusObject }> {
  return new Promise((resolve, reject) => {
    const sizes: number[] = [];
    let initial = new grpc.Metadata();
    call.on("metadata", (m: grpc.Metadata) => (initial = m));
    call.on("data", (r: StreamingOutputCallResponse) => sizes.push(r.payload?.body.length ?? 0));
    call.on("error", reject);
    call.on("status", (status: grpc.StatusObject) => {
      if (status.code === grpc.status.OK) resolve({ sizes, initial, status });
    });
  });
}

const largeReq = { response_size: 314159, payload: { body: zeros(271828) } };

const cases: Record<string, () => Promise<void>> = {
  async empty_unary() {
    const { res } = await unary<object>(client, "EmptyCall", {});
    assert.ok(res);
  },
  async large_unary() {
    const { res } = await unary<SimpleResponse>(client, "UnaryCall", largeReq);
    assert.equal(res.payload?.body.length, 314159);
  },
  async client_compressed_unary() {
    await expectCode(unary(client, "UnaryCall", { ...largeReq, expect_compressed: { value: true } }), grpc.status.INVALID_ARGUMENT);
    const gz = newClient(TestService, { "grpc.default_compression_algorithm": GZIP });
    const { res } = await unary<SimpleResponse>(gz, "UnaryCall", { ...largeReq, expect_compressed: { value: true } });
    assert.equal(res.payload?.body.length, 314159);
    gz.close();
    const r2 = await unary<SimpleResponse>(client, "UnaryCall", { ...largeReq, expect_compressed: { value: false } });
    assert.equal(r2.res.payload?.body.length, 314159);
  },
  async server_compressed_unary() {
    for (const value of [true, false]) {
      const { res } = await unary<SimpleResponse>(client, "UnaryCall", { ...largeReq, response_compressed: { value } });
      assert.equal(res.payload?.body.length, 314159);
    }
  },
  async client_streaming() {
    const res = await new Promise<{ aggregated_payload_size: number }>((resolve, reject) => {
      const call = client.StreamingInputCall((e: grpc.ServiceError | null, r: { aggregated_payload_size: number }) => (e ? reject(e) : resolve(r))) as grpc.ClientWritableStream<unknown>;
      for (const n of [27182, 8, 1828, 45904]) call.write({ payload: { body: zeros(n) } });
      call.end();
    });
    assert.equal(res.aggregated_payload_size, 74922);
  },
  async client_compressed_streaming() {
    const gz = newClient(TestService, { "grpc.default_compression_algorithm": GZIP });
    const res = await new Promise<{ aggregated_payload_size: number }>((resolve, reject) => {
      const call = gz.StreamingInputCall((e: grpc.ServiceError | null, r: { aggregated_payload_size: number }) => (e ? reject(e) : resolve(r))) as grpc.ClientWritableStream<unknown>;
      call.write({ expect_compressed: { value: true }, payload: { body: zeros(27182) } });
      call.write({ expect_compressed: { value: false }, payload: { body: zeros(45904) } }, NO_COMPRESS as unknown as BufferEncoding);
      call.end();
    });
    gz.close();
    assert.equal(res.aggregated_payload_size, 73086);
  },
  async server_streaming() {
    const sizes = [31415, 9, 2653, 58979];
    const { sizes: got } = await collect(client.StreamingOutputCall({ response_parameters: sizes.map((size) => ({ size })) }) as grpc.ClientReadableStream<StreamingOutputCallResponse>);
    assert.deepEqual(got, sizes);
  },
  async server_compressed_streaming() {
    const req = { response_parameters: [{ size: 31415, compressed: { value: true } }, { size: 92653, compressed: { value: false } }] };
    const { sizes } = await collect(client.StreamingOutputCall(req) as grpc.ClientReadableStream<StreamingOutputCallResponse>);
    assert.deepEqual(sizes, [31415, 92653]);
  },
  async ping_pong() {
    const call = client.FullDuplexCall() as grpc.ClientDuplexStream<unknown, StreamingOutputCallResponse>;
    const done = collect(call);
    const steps: [number, number][] = [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]];
    const got: number[] = [];
    for (const [size, body] of steps) {
      const reply = new Promise<number>((resolve) => call.once("data", (r: StreamingOutputCallResponse) => resolve(r.payload?.body.length ?? 0)));
      call.write({ response_parameters: [{ size }], payload: { body: zeros(body) } });
      got.push(await reply);
    }
    call.end();
    const { sizes } = await done;
    assert.deepEqual(got, [31415, 9, 2653, 58979]);
    assert.equal(sizes.length, 4);
  },
  async empty_stream() {
    const call = client.FullDuplexCall() as grpc.ClientDuplexStream<unknown, StreamingOutputCallResponse>;
    const done = collect(call);
    call.end();
    assert.equal((await done).sizes.length, 0);
  },
  async custom_metadata() {
    const md = (): grpc.Metadata => {
      const m = new grpc.Metadata();
      m.set("x-grpc-test-echo-initial", "test_initial_metadata_value");
      m.set("x-grpc-test-echo-trailing-bin", Buffer.from([0xab, 0xab, 0xab]));
      return m;
    };
    const check = (initial: grpc.Metadata, trailing: grpc.Metadata): void => {
      assert.deepEqual(initial.get("x-grpc-test-echo-initial"), ["test_initial_metadata_value"]);
      assert.deepEqual(trailing.get("x-grpc-test-echo-trailing-bin"), [Buffer.from([0xab, 0xab, 0xab])]);
    };
    const u = await unary<SimpleResponse>(client, "UnaryCall", largeReq, md());
    check(u.initial, u.status.metadata);
    const call = client.FullDuplexCall(md()) as grpc.ClientDuplexStream<unknown, StreamingOutputCallResponse>;
    const done = collect(call);
    call.write({ response_parameters: [{ size: 314159 }], payload: { body: zeros(271828) } });
    call.end();
    const d = await done;
    check(d.initial, d.status.metadata);
  },
  async status_code_and_message() {
    const status = { code: 2, message: "test status message" };
    await expectCode(unary(client, "UnaryCall", { response_status: status }), 2, status.message);
    const call = client.FullDuplexCall() as grpc.ClientDuplexStream<unknown, StreamingOutputCallResponse>;
    const done = collect(call);
    call.write({ response_status: status });
    call.end();
    await expectCode(done, 2, status.message);
  },
  async special_status_message() {
    const message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
    await expectCode(unary(client, "UnaryCall", { response_status: { code: 2, message } }), 2, message);
  },
  async unimplemented_method() {
    await expectCode(unary(client, "UnimplementedCall", {}), grpc.status.UNIMPLEMENTED);
  },
  async unimplemented_service() {
    const u = newClient(UnimplementedService);
    await expectCode(unary(u, "UnimplementedCall", {}), grpc.status.UNIMPLEMENTED);
    u.close();
  },
  async cancel_after_begin() {
    const p = new Promise<void>((resolve, reject) => {
      const call = client.StreamingInputCall((e: grpc.ServiceError | null) => (e ? reject(e) : resolve())) as grpc.ClientWritableStream<unknown>;
      call.cancel();
    });
    await expectCode(p, grpc.status.CANCELLED);
  },
  async cancel_after_first_response() {
    const call = client.FullDuplexCall() as grpc.ClientDuplexStream<unknown, StreamingOutputCallResponse>;
    const done = collect(call);
    const first = new Promise<void>((resolve) => call.once("data", () => resolve()));
    call.write({ response_parameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
    await first;
    call.cancel();
    await expectCode(done, grpc.status.CANCELLED);
  },
  async timeout_on_sleeping_server() {
    const call = client.FullDuplexCall({ deadline: Date.now() + 1 }) as grpc.ClientDuplexStream<unknown, StreamingOutputCallResponse>;
    const done = collect(call);
    call.write({ payload: { body: zeros(27182) } });
    await expectCode(done, grpc.status.DEADLINE_EXCEEDED);
  },
};

// `--test_case=a,b,c` runs several cases on one channel (the vitest suite uses it to save start-ups).
async function main(): Promise<number> {
  let failed = 0;
  for (const name of testCase.split(",")) {
    const run = cases[name];
    if (!run) {
      console.error(`unsupported test case ${name}; supported: ${Object.keys(cases).join(",")}`);
      return 2;
    }
    try {
      await run();
      console.log(`${name}: PASS`);
    } catch (e) {
      failed++;
      console.error(`${name}: FAIL ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return failed ? 1 : 0;
}
void main().then((code) => {
  client.close();
  // Exit once the output is flushed: stdout/stderr are asynchronous when piped.
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
});
