// Node load generator for bench.Echo: our client or the grpc-js client, every response checked
// (status OK and the decoded payload) before it is counted. Prints one JSON line (LoadgenResult).
//   node --import tsx bench/loadgen/node-loadgen.ts --impl ours|grpcjs --target 127.0.0.1:PORT
//     --call unary|server-stream|client-stream|bidi --connections 1 --streams 1 --payload 0
//     --count 100 --warmup 1 --duration 5 [--max-calls N]
import { parseArgs } from "node:util";
import { FILL } from "../lib/wire-bytes.js";
import { LOOP_FLAGS, loopSettings, runLoop } from "./loop.js";
import type { OneCall } from "./loop.js";
import type { EchoDriver } from "./driver.js";

const { values } = parseArgs({
  options: {
    impl: { type: "string", default: "grpcjs" },
    target: { type: "string" },
    call: { type: "string", default: "unary" },
    payload: { type: "string", default: "0" },
    count: { type: "string", default: "100" },
    ...LOOP_FLAGS,
  },
});
if (values.target === undefined) throw new Error("--target host:port is required");
const payload = Number(values.payload);
const count = Number(values.count);

const mod = (await import(values.impl === "ours" ? "./driver-ours.js" : "./driver-grpcjs.js")) as {
  createDriver(target: string, connections: number): EchoDriver;
};
const driver = mod.createDriver(values.target, Number(values.connections));
const body = Buffer.alloc(payload, FILL);

function checkBody(b: Uint8Array, size: number): void {
  if (b.byteLength !== size || (size > 0 && (b[0] !== FILL || b[size - 1] !== FILL))) {
    throw new Error(`bad payload: ${b.byteLength} bytes, expected ${size}`);
  }
}

const shapes: Record<string, { bytes: number; make(conn: number): OneCall }> = {
  unary: {
    bytes: 2 * payload,
    make: (conn) => async () => {
      checkBody(await driver.unary(conn, body), payload);
      return 1;
    },
  },
  "server-stream": {
    bytes: count * payload,
    make: (conn) => async () => {
      const r = await driver.serverStream(conn, count, payload);
      if (r.messages !== count || r.bytes !== count * payload) throw new Error(`server stream: ${r.messages} messages, ${r.bytes} bytes`);
      return r.messages;
    },
  },
  "client-stream": {
    bytes: count * payload,
    make: (conn) => async () => {
      const r = await driver.clientStream(conn, count, body);
      if (r.count !== count || r.bytes !== count * payload) throw new Error(`client stream summary: ${r.count} messages, ${r.bytes} bytes`);
      return count;
    },
  },
  bidi: {
    bytes: 2 * payload,
    make: (conn) => {
      const session = driver.bidi(conn);
      return async () => {
        checkBody(await session.roundTrip(body), payload);
        return 1;
      };
    },
  },
};
const shape = shapes[values.call];
if (shape === undefined) throw new Error(`unknown --call ${values.call}`);

const result = await runLoop({
  ...loopSettings(values),
  bytesPerCall: shape.bytes,
  worker: shape.make,
});
process.stdout.write(JSON.stringify(result) + "\n");
driver.close();
process.exit(0);
