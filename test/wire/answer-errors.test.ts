// The errors that answer a request (a gRPC status, malformed protobuf, a store conflict) are built
// without a stack trace, and building them leaves the process's Error.stackTraceLimit as it was.
import { afterEach, describe, expect, it } from "vitest";
import { CodecError } from "../../src/codec/errors.js";
import { StoreError } from "../../src/store/user-store.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Status } from "../../src/wire/status.js";

const original = Error.stackTraceLimit;
afterEach(() => {
  Error.stackTraceLimit = original;
});

const answers: [string, () => Error][] = [
  ["GrpcError", () => new GrpcError(Status.NOT_FOUND, 'no user with id "x"', { cause: new Error("inner") })],
  ["CodecError", () => new CodecError("truncated", "message ends inside a field", 3)],
  ["StoreError", () => new StoreError("already_exists", 'username "a" is already taken', "username")],
];

describe("answer errors", () => {
  it.each(answers)("%s has no stack frames, only its name and message", (name, make) => {
    const err = make();
    expect(err.stack).toBe(`${name}: ${err.message}`);
    expect(err).toBeInstanceOf(Error);
  });

  it.each(answers)("%s restores the caller's Error.stackTraceLimit", (_name, make) => {
    Error.stackTraceLimit = 7;
    make();
    expect(Error.stackTraceLimit).toBe(7);
    expect(new Error("after").stack).toMatch(/\n\s+at /);
  });

  it("a GrpcError's cause keeps the stack of the fault it wraps", () => {
    const fault = new Error("disk on fire");
    const err = GrpcError.from(fault, Status.INTERNAL);
    expect(err.cause).toBe(fault);
    expect((err.cause as Error).stack).toMatch(/\n\s+at /);
  });
});
