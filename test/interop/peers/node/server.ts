// @grpc/grpc-js interop server (test peer): grpc.testing.TestService with the server features of
// grpc/grpc doc/interop-test-descriptions.md that grpc-js can offer. grpc-js servers neither compress
// responses nor let a handler see whether a request was compressed (grpc-encoding is stripped from
// the metadata), so CompressedResponse/CompressedRequest are not offered: the client_compressed_*
// cases are "n/a" against this peer. Usage: tsx server.ts --port=N [--use_tls=true]
import * as grpc from "@grpc/grpc-js";
import fs from "node:fs";
import path from "node:path";
import { TestService, UnimplementedService, certsDir, flagBool, parseFlags } from "./load.js";

interface BoolValue { value: boolean }
interface Payload { type: number; body: Buffer }
interface EchoStatus { code: number; message: string }
interface ResponseParameters { size: number; interval_us: number; compressed: BoolValue | null }
interface SimpleRequest { response_size: number; payload: Payload | null; response_status: EchoStatus | null; expect_compressed: BoolValue | null }
interface StreamingInputCallRequest { payload: Payload | null; expect_compressed: BoolValue | null }
interface StreamingOutputCallRequest { response_parameters: ResponseParameters[]; payload: Payload | null; response_status: EchoStatus | null }

const zeros = (n: number): Buffer => Buffer.alloc(n);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function echoMetadata(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>): grpc.Metadata {
  const initial = call.metadata.get("x-grpc-test-echo-initial");
  if (initial.length) {
    const md = new grpc.Metadata();
    md.set("x-grpc-test-echo-initial", initial[0]);
    call.sendMetadata(md);
  }
  const trailer = new grpc.Metadata();
  const trailing = call.metadata.get("x-grpc-test-echo-trailing-bin");
  if (trailing.length) trailer.set("x-grpc-test-echo-trailing-bin", trailing[0]);
  return trailer;
}


const service: grpc.UntypedServiceImplementation = {
  EmptyCall(_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) {
    cb(null, {});
  },
  UnaryCall(call: grpc.ServerUnaryCall<SimpleRequest, unknown>, cb: grpc.sendUnaryData<unknown>) {
    const trailer = echoMetadata(call);
    const req = call.request;
    if (req.response_status && req.response_status.code !== 0) {
      cb({ code: req.response_status.code, details: req.response_status.message, metadata: trailer });
      return;
    }
    cb(null, { payload: { type: 0, body: zeros(req.response_size) } }, trailer);
  },
  CacheableUnaryCall(_call: grpc.ServerUnaryCall<SimpleRequest, unknown>, cb: grpc.sendUnaryData<unknown>) {
    cb(null, { payload: { type: 0, body: Buffer.from(String(process.hrtime.bigint())) } });
  },
  async StreamingOutputCall(call: grpc.ServerWritableStream<StreamingOutputCallRequest, unknown>) {
    for (const p of call.request.response_parameters) {
      if (p.interval_us) await sleep(p.interval_us / 1000);
      call.write({ payload: { type: 0, body: zeros(p.size) } });
    }
    const st = call.request.response_status;
    if (st && st.code !== 0) call.emit("error", { code: st.code, details: st.message });
    else call.end();
  },
  StreamingInputCall(call: grpc.ServerReadableStream<StreamingInputCallRequest, unknown>, cb: grpc.sendUnaryData<unknown>) {
    let total = 0;
    call.on("data", (req: StreamingInputCallRequest) => {
      total += req.payload?.body.length ?? 0;
    });
    call.on("end", () => cb(null, { aggregated_payload_size: total }));
  },
  FullDuplexCall(call: grpc.ServerDuplexStream<StreamingOutputCallRequest, unknown>) {
    const trailer = echoMetadata(call);
    let chain: Promise<void> = Promise.resolve();
    let done = false;
    call.on("data", (req: StreamingOutputCallRequest) => {
      chain = chain.then(async () => {
        if (done) return;
        if (req.response_status && req.response_status.code !== 0) {
          done = true;
          call.emit("error", { code: req.response_status.code, details: req.response_status.message, metadata: trailer });
          return;
        }
        for (const p of req.response_parameters) {
          if (p.interval_us) await sleep(p.interval_us / 1000);
          call.write({ payload: { type: 0, body: zeros(p.size) } });
        }
      });
    });
    call.on("end", () => {
      void chain.then(() => {
        if (!done) call.end(trailer);
      });
    });
    call.on("error", () => undefined);
  },
  HalfDuplexCall(call: grpc.ServerDuplexStream<StreamingOutputCallRequest, unknown>) {
    const reqs: StreamingOutputCallRequest[] = [];
    call.on("data", (r: StreamingOutputCallRequest) => reqs.push(r));
    call.on("end", () => {
      for (const r of reqs) for (const p of r.response_parameters) call.write({ payload: { type: 0, body: zeros(p.size) } });
      call.end();
    });
  },
};

const flags = parseFlags(process.argv.slice(2));
const port = Number(flags.get("port") ?? "10000"); // 0: any free port (printed)
const server = new grpc.Server();
// Only the methods above: UnimplementedCall and UnimplementedService answer UNIMPLEMENTED by default.
server.addService(TestService.service, service);
void UnimplementedService;
const creds = flagBool(flags, "use_tls")
  ? grpc.ServerCredentials.createSsl(null, [
      { cert_chain: fs.readFileSync(path.join(certsDir, "server1.pem")), private_key: fs.readFileSync(path.join(certsDir, "server1.key")) },
    ])
  : grpc.ServerCredentials.createInsecure();
server.bindAsync(`0.0.0.0:${port}`, creds, (err, bound) => {
  if (err) {
    console.error(err.message);
    process.exit(1);
  }
  console.log(`grpc-js interop server listening on ${bound}`);
});
const stop = (): void => server.tryShutdown(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
