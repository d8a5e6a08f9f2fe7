// Implements the sending side of PROTOCOL-HTTP2 "Length-Prefixed-Message" for small streamed responses: the frames a handler writes in one go are gathered in one buffer and leave in one stream.write (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
//
// Why: a stream.write per message (a Writable entry, a native write and a callback each) cost
// small-message streams most of their time. Where the codec can bound a message (`encodeInto`)
// and no compression applies, the message is encoded straight into the batch, prefix included:
// no Buffer per message and no copy. Otherwise a framed message up to 4 KiB is copied in.

import type { MessageCodec } from "../codec/codec.js";
import type { GrpcError } from "../wire/grpc-error.js";
import { frameMessageInto } from "../wire/message.js";

/** Framed messages up to this size are copied into the batch; bigger ones go alone. */
export const BATCH_MESSAGE_MAX = 4096;
const BATCH_SIZE = 16 * 1024;

/** One call's batch: `used` bytes of `buf` wait for the stream. */
export class WriteBatch {
  private buf: Buffer | undefined = undefined;
  used = 0;

  /** Encodes and frames `message` at the end of the batch. Returns the frame's length, -1 when it
   *  does not fit in what is left (take() the batch and try again: an empty batch that cannot hold
   *  it means it goes alone), or the GrpcError that ends the call. */
  frameInto(codec: MessageCodec<unknown>, message: unknown, maxSize: number): number | GrpcError {
    const buf = (this.buf ??= Buffer.allocUnsafe(BATCH_SIZE));
    const end = frameMessageInto(codec, message, maxSize, buf, this.used);
    if (typeof end !== "number" || end < 0) return end;
    const length = end - this.used;
    this.used = end;
    return length;
  }

  /** Copies an already framed message in; false when it does not fit in what is left. */
  add(frame: Buffer): boolean {
    const buf = (this.buf ??= Buffer.allocUnsafe(BATCH_SIZE));
    if (this.used + frame.length > buf.length) return false;
    buf.set(frame, this.used);
    this.used += frame.length;
    return true;
  }

  /** The batched bytes, handed over (the next write starts a new buffer); undefined when empty. */
  take(): Buffer | undefined {
    const buf = this.buf;
    const used = this.used;
    if (buf === undefined || used === 0) return undefined;
    this.buf = undefined;
    this.used = 0;
    return buf.subarray(0, used);
  }
}
