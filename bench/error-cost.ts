// What building an error costs on a failed call: a plain Error (V8 captures a stack trace of up to
// Error.stackTraceLimit frames when it is constructed) against the library's answer errors, GrpcError,
// CodecError and StoreError, which are built without one. Each is made 20 frames deep, about as deep
// as a handler sits under the server's dispatch and the service's interceptors.
//   npx tsx bench/error-cost.ts [--n 200000]
import { parseArgs } from "node:util";
import { CodecError } from "../src/codec/errors.js";
import { StoreError } from "../src/store/user-store.js";
import { GrpcError } from "../src/wire/grpc-error.js";
import { Status } from "../src/wire/status.js";

const { values } = parseArgs({ options: { n: { type: "string", default: "200000" } } });
const N = Number(values.n);

function atDepth(depth: number, make: () => unknown): unknown {
  return depth === 0 ? make() : atDepth(depth - 1, make);
}

const cases: [string, () => unknown][] = [
  ["Error (stack captured)", () => new Error('username "x" is already taken by another user')],
  ["GrpcError", () => new GrpcError(Status.ALREADY_EXISTS, 'username "x" is already taken by another user')],
  ["StoreError", () => new StoreError("already_exists", 'username "x" is already taken by another user', "username")],
  ["CodecError", () => new CodecError("truncated", "message ends inside a field", 12)],
];
for (let round = 0; round < 2; round++) {
  for (const [name, make] of cases) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) atDepth(20, make);
    const ns = Number(process.hrtime.bigint() - t0) / N;
    if (round === 1) process.stdout.write(`${name.padEnd(24)} ${ns.toFixed(0).padStart(6)} ns each\n`);
  }
}
