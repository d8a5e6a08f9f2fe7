// Implements the message path of PROTOCOL-HTTP2 "Length-Prefixed-Message" with doc/compression.md, shared by server and client: encode → size check → compress → prefix, and limit → decompress → decode (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import type { MessageCodec } from "../codec/codec.js";
import { compress, decompress, type Encoding } from "./compression.js";
import { PREFIX_LENGTH, encodeEnvelope, writeEnvelopePrefix, writePrefix } from "./framing.js";
import { GrpcError } from "./grpc-error.js";
import { Status } from "./status.js";
import type { CallTrace } from "./trace.js";

/**
 * Frames one message to send: the codec encodes it with the 5-byte prefix reserved (no copy);
 * the payload is checked against `maxSize` (RESOURCE_EXHAUSTED, as grpc-go: the limit applies to
 * the uncompressed message); with an `encoding` other than identity it is compressed and framed
 * with the Compressed-Flag set (one copy, of the smaller zlib output). Returns the frame, or the
 * GrpcError that ends the call: no exception, and no allocation beyond the frame on success.
 */
export function frameMessage<T>(
  codec: Pick<MessageCodec<T>, "encode">,
  message: T,
  maxSize: number,
  encoding: Encoding,
  trace: CallTrace | undefined,
): Buffer | GrpcError {
  let buf: Buffer;
  try {
    buf = codec.encode(message, PREFIX_LENGTH);
  } catch (err) {
    return encodeFailed(err);
  }
  const size = buf.length - PREFIX_LENGTH;
  if (size > maxSize) return tooLargeToSend(size, maxSize);
  if (encoding === "identity") return writeEnvelopePrefix(buf, false);
  const payload = buf.subarray(PREFIX_LENGTH);
  if (trace !== undefined) trace.beforeCompression(payload);
  return encodeEnvelope(compress(encoding, payload), true);
}

/**
 * frameMessage's identity path, written straight into `buf` at `offset` (the server's write batch):
 * returns the end of the frame, -1 when the codec cannot bound the message or it does not fit (the
 * caller frames it with frameMessage instead; nothing was written that counts), or the GrpcError
 * (encode failure, over `maxSize`) that ends the call.
 */
export function frameMessageInto<T>(codec: MessageCodec<T>, message: T, maxSize: number, buf: Buffer, offset: number): number | GrpcError {
  if (codec.encodeInto === undefined) return -1;
  let end: number;
  try {
    end = codec.encodeInto(message, buf, offset + PREFIX_LENGTH);
  } catch (err) {
    return encodeFailed(err);
  }
  if (end < 0) return -1;
  const size = end - offset - PREFIX_LENGTH;
  if (size > maxSize) return tooLargeToSend(size, maxSize);
  writePrefix(buf, offset, size, false);
  return end;
}

// The two ways framing a message fails, worded once for both paths above.
function encodeFailed(err: unknown): GrpcError {
  return new GrpcError(Status.INTERNAL, `could not encode the message: ${(err as Error).message}`, { cause: err });
}

function tooLargeToSend(size: number, maxSize: number): GrpcError {
  return new GrpcError(Status.RESOURCE_EXHAUSTED, `trying to send message larger than max (${size} vs. ${maxSize})`);
}

/**
 * Reads one received message (the EnvelopeDecoder has already checked its declared length against
 * `maxSize`): a compressed one is inflated under the same limit while inflating (a zip bomb costs
 * at most `maxSize` bytes), then decoded. Returns the message, or the GrpcError that ends the call:
 * RESOURCE_EXHAUSTED when inflated past the limit, INTERNAL for a compressed message under identity,
 * bad compressed bytes or bytes that do not decode (compression.md, PROTOCOL-HTTP2).
 */
export function readMessage<T>(
  codec: Pick<MessageCodec<T>, "decode">,
  compressed: boolean,
  data: Buffer,
  encoding: Encoding,
  maxSize: number,
  trace: CallTrace | undefined,
): T | GrpcError {
  if (compressed) {
    const r = decompress(encoding, data, maxSize);
    if (!r.ok) return new GrpcError(r.code, r.message);
    data = r.data;
    if (trace !== undefined) trace.decompressed(data);
  }
  try {
    return codec.decode(data);
  } catch (err) {
    return new GrpcError(Status.INTERNAL, `could not parse the received message: ${(err as Error).message}`, { cause: err });
  }
}
