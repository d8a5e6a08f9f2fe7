// Implements PROTOCOL-HTTP2 "Length-Prefixed-Message" → Compressed-Flag Message-Length Message (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import { Status, type StatusCode } from "./status.js";

/** Bytes before each message: 1 flag byte and a 4-byte big-endian length. */
export const PREFIX_LENGTH = 5;
/** Compressed-Flag values. Other values are reserved and refused. */
export const FLAG_UNCOMPRESSED = 0;
export const FLAG_COMPRESSED = 1;

/** Default receive limit, as in grpc-go and grpc-js: 4 MiB. */
export const DEFAULT_MAX_RECEIVE_MESSAGE_SIZE = 4 * 1024 * 1024;
/** Default send limit, as in grpc-go: effectively unlimited (2^31 - 1). */
export const DEFAULT_MAX_SEND_MESSAGE_SIZE = 0x7fffffff;
/**
 * Default bytes a stream (server response or client request) may hold that HTTP/2 flow control has
 * not let out before a writer waits for 'drain'. grpc-go's per-stream write quota is 64 KiB; node's
 * own 16 KiB mark would leave the connection idle between large messages.
 */
export const DEFAULT_WRITE_BUFFER_SIZE = 256 * 1024;

/** Writes the 5-byte prefix (Compressed-Flag, Message-Length) at `offset` of `buf`. */
export function writePrefix(buf: Buffer, offset: number, messageLength: number, compressed: boolean): void {
  buf[offset] = compressed ? FLAG_COMPRESSED : FLAG_UNCOMPRESSED;
  buf.writeUInt32BE(messageLength, offset + 1);
}

/**
 * Writes the prefix into the first 5 bytes of `buf`, which the codec reserved
 * (`codec.encode(msg, 5)`): the message is framed in place, without a copy. Returns `buf`.
 */
export function writeEnvelopePrefix(buf: Buffer, compressed: boolean): Buffer {
  writePrefix(buf, 0, buf.length - PREFIX_LENGTH, compressed);
  return buf;
}

/** Frames a payload that has no reserved room (e.g. zlib output): one allocation and one copy. */
export function encodeEnvelope(payload: Uint8Array, compressed: boolean): Buffer {
  const buf = Buffer.allocUnsafe(PREFIX_LENGTH + payload.byteLength);
  writePrefix(buf, 0, payload.byteLength, compressed);
  buf.set(payload, PREFIX_LENGTH);
  return buf;
}

const EMPTY = Buffer.alloc(0);

/** A framing failure and the status it calls for. */
export interface FramingError {
  code: StatusCode;
  message: string;
}

/** Receives each complete message. `data` may be a view into the DATA chunk: consume it before returning or keep it. */
export interface EnvelopeSink {
  onEnvelope(compressed: boolean, data: Buffer): void;
}

/**
 * Incremental parser of Length-Prefixed-Messages from HTTP/2 DATA chunks. A message wholly inside
 * one chunk is passed as a view (no copy); a message split across chunks is assembled once into a
 * buffer of its exact size (one copy, no `Buffer.concat`). The declared length is checked against
 * the limit as soon as the prefix is read, before any byte of the body is buffered.
 */
/** Smallest first allocation for a message body split across chunks (then doubled as bytes arrive). */
const INITIAL_BODY_CAPACITY = 16 * 1024;

export class EnvelopeDecoder {
  /** Only allocated when a prefix is split across chunks (rare). */
  private header: Buffer | undefined;
  private headerFilled = 0;
  private body: Buffer | undefined;
  private bodyFilled = 0;
  private compressed = false;
  private failed: FramingError | undefined;

  constructor(
    private readonly sink: EnvelopeSink,
    private readonly maxMessageSize: number = DEFAULT_MAX_RECEIVE_MESSAGE_SIZE,
  ) {}

  /** True when some bytes of a message were received but not the whole message. */
  get hasPartial(): boolean {
    return this.headerFilled > 0;
  }

  /** Feeds one DATA chunk. Returns an error (and stops parsing for good) on a bad prefix or oversize message. */
  push(chunk: Buffer): FramingError | undefined {
    if (this.failed !== undefined) return this.failed;
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.headerFilled < PREFIX_LENGTH) {
        // Fast path: a whole prefix inside this chunk.
        if (this.headerFilled === 0 && end - pos >= PREFIX_LENGTH) {
          const err = this.startMessage(chunk[pos], chunk.readUInt32BE(pos + 1));
          if (err !== undefined) return err;
          pos += PREFIX_LENGTH;
          this.headerFilled = PREFIX_LENGTH;
        } else {
          const header = (this.header ??= Buffer.allocUnsafe(PREFIX_LENGTH));
          const n = Math.min(PREFIX_LENGTH - this.headerFilled, end - pos);
          chunk.copy(header, this.headerFilled, pos, pos + n);
          this.headerFilled += n;
          pos += n;
          if (this.headerFilled < PREFIX_LENGTH) return undefined;
          const err = this.startMessage(header[0], header.readUInt32BE(1));
          if (err !== undefined) return err;
        }
        const length = this.pendingLength;
        if (length === 0) {
          this.finish(EMPTY);
          continue;
        }
        if (end - pos >= length) {
          // Whole body in this chunk: hand out a view.
          const data = chunk.subarray(pos, pos + length);
          pos += length;
          this.finish(data);
          continue;
        }
        // Not allocated at the declared length: a peer could then pin maxMessageSize per stream by
        // sending a 5-byte prefix. The buffer grows (doubling from 16 KiB) with the bytes that arrive,
        // so a partial message holds at most twice what was received (docs/TRANSPORT.md "Limits").
        this.body = Buffer.allocUnsafe(Math.min(length, Math.max(INITIAL_BODY_CAPACITY, end - pos)));
        this.bodyFilled = 0;
      }
      let body = this.body as Buffer;
      const length = this.pendingLength;
      const n = Math.min(length - this.bodyFilled, end - pos);
      if (this.bodyFilled + n > body.length) {
        const grown = Buffer.allocUnsafe(Math.min(length, Math.max(body.length * 2, this.bodyFilled + n)));
        body.copy(grown, 0, 0, this.bodyFilled);
        this.body = body = grown;
      }
      chunk.copy(body, this.bodyFilled, pos, pos + n);
      this.bodyFilled += n;
      pos += n;
      if (this.bodyFilled === length) {
        this.body = undefined;
        this.finish(body);
      }
    }
    return undefined;
  }

  private pendingLength = 0;

  private startMessage(flag: number, length: number): FramingError | undefined {
    if (flag !== FLAG_UNCOMPRESSED && flag !== FLAG_COMPRESSED) {
      this.failed = { code: Status.INTERNAL, message: `invalid Compressed-Flag ${flag} in message prefix` };
      return this.failed;
    }
    if (length > this.maxMessageSize) {
      this.failed = {
        code: Status.RESOURCE_EXHAUSTED,
        message: `received message larger than max (${length} vs. ${this.maxMessageSize})`,
      };
      return this.failed;
    }
    this.compressed = flag === FLAG_COMPRESSED;
    this.pendingLength = length;
    return undefined;
  }

  private finish(data: Buffer): void {
    this.headerFilled = 0;
    this.sink.onEnvelope(this.compressed, data);
  }
}
