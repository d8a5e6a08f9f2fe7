// Test support: what a call came to. The GrpcError a call failed with, and every message of a stream.
import { GrpcError } from "../../src/wire/grpc-error.js";

/**
 * The error `p` rejects with, a GrpcError unless another class is given (a store test passes
 * StoreError). Fails the test if `p` resolves; rethrows a rejection of any other class.
 */
export async function rejection(p: Promise<unknown>): Promise<GrpcError>;
export async function rejection<E extends Error>(p: Promise<unknown>, type: new (...args: never[]) => E): Promise<E>;
export async function rejection(p: Promise<unknown>, type: new (...args: never[]) => Error = GrpcError): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(type === GrpcError ? "expected the call to fail" : `expected a ${type.name}`);
}

/** Every message of a stream, in order (rejects as the stream does). */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of stream) out.push(m);
  return out;
}
