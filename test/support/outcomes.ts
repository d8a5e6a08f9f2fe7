// Test support: what a call came to. The GrpcError a call failed with, and every message of a stream.
import { GrpcError } from "../../src/wire/grpc-error.js";

/** The GrpcError `p` rejects with. Fails the test if `p` resolves; rethrows any other rejection. */
export async function rejection(p: Promise<unknown>): Promise<GrpcError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GrpcError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

/** Every message of a stream, in order (rejects as the stream does). */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of stream) out.push(m);
  return out;
}
