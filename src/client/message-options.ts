// Implements per-message compression control for request messages (compression.md "Specific Disabling of Compression"; https://github.com/grpc/grpc/blob/master/doc/compression.md).

/** Options of one request message written to a client-streaming or bidi call. */
export interface WriteOptions {
  /**
   * `false` sends this message uncompressed (Compressed-Flag 0) even when the call compresses:
   * PROTOCOL-HTTP2 sets the flag per message. Default: the call's `compression`.
   */
  compress?: boolean;
}

// The flag rides on the message object itself (a WeakSet, so nothing is kept alive), which lets it
// pass through client interceptors that hand messages on unchanged; an interceptor that replaces a
// message with a new object drops it.
const uncompressed = new WeakSet<object>();

/** Marks `message` (an object, as every decoded message is) to be sent uncompressed once. */
export function markUncompressed(message: unknown, options: WriteOptions | undefined): void {
  if (options?.compress === false && typeof message === "object" && message !== null) uncompressed.add(message);
}

/** True, once, for a message marked by {@link markUncompressed}. */
export function takeUncompressed(message: unknown): boolean {
  return typeof message === "object" && message !== null && uncompressed.delete(message);
}
