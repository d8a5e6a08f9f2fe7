// Implements protobuf.dev "Encoding" (https://protobuf.dev/programming-guides/encoding/): the message-codec contract of docs/DEVELOPING.md and the encode/decode driver shared by every hand-written codec.

import { Buffer } from "node:buffer";
import { Reader } from "./reader.js";
import { Writer, resetSizeCache, rewindSizeCache } from "./writer.js";

/** The shared contract (docs/DEVELOPING.md "Codec"): what transport and service code use. */
export interface MessageCodec<T> {
  /** Fully-qualified protobuf name, e.g. "user.User". */
  readonly typeName: string;
  /** A message with every field at its proto3 default, overlaid with `init`. */
  create(init?: Partial<T>): T;
  /** Encodes into one freshly allocated Buffer. With `reserve` > 0 the Buffer starts with that many
   *  bytes left for the caller (the gRPC framer writes its 5-byte prefix there: no copy). */
  encode(message: T, reserve?: number): Buffer;
  /** Decodes; throws CodecError on malformed input. */
  decode(bytes: Uint8Array): T;
  /**
   * Optional: encodes straight into `buf` at `offset` and returns the end position, or -1 (nothing
   * written) when the codec's upper bound (`maxSize`) does not fit before `buf.length`. Lets a sender
   * write small messages where they will leave from (the server's write batch): no Buffer per message.
   */
  encodeInto?(message: T, buf: Buffer, offset: number): number;
}

/**
 * The three functions a hand-written codec supplies (see docs/CODEC.md). `size` must return
 * exactly the number of bytes `write` writes; `read` decodes fields until `r.end`.
 */
export interface CodecParts<T> {
  readonly typeName: string;
  create(init?: Partial<T>): T;
  /** Exact encoded size of the message body (no length prefix). */
  size(message: T): number;
  /** Writes the message body at `w.pos`. */
  write(message: T, w: Writer): void;
  /** Reads fields from `r.pos` up to `r.end`. */
  read(r: Reader): T;
  /**
   * Optional: a cheap upper bound on `size(message)` (e.g. 3 bytes per UTF-16 unit of a string,
   * 10 per varint). When present and small, `encode` skips the exact size pass and writes into a
   * shared slab instead (see `encodeWith`). Sub-messages still need exact sizes (`sizeMessage`).
   */
  maxSize?(message: T): number;
}

/** A full codec: the shared contract plus the parts, so it can be nested in other messages. */
export interface Codec<T> extends MessageCodec<T>, CodecParts<T> {}

// Small messages whose codec gives an upper bound are written straight into a shared slab, and
// the returned Buffer is a view of exactly the bytes written (the way Buffer.allocUnsafe hands
// out slices of Node's pool): no exact size pass, no copy. Bigger ones take the exact path.
const SLAB_SIZE = 64 * 1024;
/** Messages whose `maxSize` is at most this many bytes are written into the shared slab. */
export const SLAB_MAX_MESSAGE = 4 * 1024;
let slab: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabOffset = 0;

/** `parts.write` after the size cache was started (or filled, on the exact path); empties it after. */
function writeBody<T>(parts: CodecParts<T>, message: T, w: Writer): void {
  try {
    parts.write(message, w);
  } finally {
    resetSizeCache(true);
  }
}

/**
 * Writes `message` at `start` of `buf`, where its bound ends at `limit`; returns the end. Past the
 * limit maxSize() was not an upper bound: a codec bug, thrown (writes past `buf`'s end are dropped).
 */
function writeBounded<T>(parts: CodecParts<T>, message: T, buf: Buffer, start: number, limit: number): number {
  const w = new Writer(buf, start);
  resetSizeCache();
  writeBody(parts, message, w);
  if (w.pos > limit) throw new Error(`${parts.typeName}: wrote ${w.pos - start} bytes, maxSize said ${limit - start}`);
  return w.pos;
}

function encodeInSlab<T>(parts: CodecParts<T>, message: T, reserve: number, bound: number): Buffer {
  if (slabOffset + bound > SLAB_SIZE) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabOffset = 0;
  }
  const start = slabOffset;
  const buf = slab;
  // Claim the whole bound first: an encode nested inside write() then takes space after it.
  slabOffset = start + bound;
  // Zeroed byte by byte: Buffer.fill is a native call, a measurable share of a small message's encode.
  for (let i = start, end = start + reserve; i < end; i++) buf[i] = 0;
  const end = writeBounded(parts, message, buf, start + reserve, start + bound);
  // Give back the unused part of the claim, unless a nested encode allocated after it; keep the
  // next message 8-byte aligned, as Node's pool does.
  if (slab === buf && slabOffset === start + bound) slabOffset = (end + 7) & ~7;
  return buf.subarray(start, end);
}

// Bigger messages whose bound is at most BOUNDED_MAX_MESSAGE are written into a scratch buffer
// kept between encodes, then copied into a Buffer of their exact size: one copy instead of the
// exact size pass, which measures every string (and every sub-message) before the write pass.
/** Messages whose `maxSize` is at most this many bytes skip the exact size pass (see above). Not
 *  more: a large message is mostly `bytes`, whose size pass is free and whose copy is not (server
 *  streaming 100 × 64 KiB: 3.25 ms of server CPU per call at 256 KiB here, 2.36 ms at 64 KiB). */
export const BOUNDED_MAX_MESSAGE = 64 * 1024;
let scratch: Buffer | undefined;

function encodeBounded<T>(parts: CodecParts<T>, message: T, reserve: number, bound: number): Buffer {
  let buf = scratch;
  if (buf === undefined || buf.length < bound) buf = Buffer.allocUnsafeSlow(Math.max(bound, SLAB_SIZE));
  scratch = undefined; // taken: an encode nested inside write() gets a buffer of its own
  const end = writeBounded(parts, message, buf, reserve, bound);
  scratch = buf;
  const out = Buffer.allocUnsafe(end);
  out.set(new Uint8Array(buf.buffer, buf.byteOffset + reserve, end - reserve), reserve);
  for (let i = 0; i < reserve; i++) out[i] = 0;
  return out;
}

/** Encodes `message` with `parts` into one Buffer: into the slab or through the scratch buffer
 *  when the codec gives a bound, else sized once, allocated once, written once. */
export function encodeWith<T>(parts: CodecParts<T>, message: T, reserve = 0): Buffer {
  if (parts.maxSize !== undefined) {
    const bound = reserve + parts.maxSize(message);
    if (bound <= SLAB_MAX_MESSAGE) return encodeInSlab(parts, message, reserve, bound);
    if (bound <= BOUNDED_MAX_MESSAGE) return encodeBounded(parts, message, reserve, bound);
  }
  resetSizeCache();
  const size = parts.size(message);
  const buf = Buffer.allocUnsafe(reserve + size);
  if (reserve > 0) buf.fill(0, 0, reserve);
  const w = new Writer(buf, reserve);
  rewindSizeCache();
  writeBody(parts, message, w);
  if (w.pos !== buf.length) {
    // A codec bug (size() and write() disagree), or the message changed while being encoded.
    throw new Error(`${parts.typeName}: wrote ${w.pos - reserve} bytes, sized ${size}`);
  }
  return buf;
}

/** encodeInto (see MessageCodec): -1 when the codec has no upper bound or it does not fit. */
export function encodeIntoWith<T>(parts: CodecParts<T>, message: T, buf: Buffer, offset: number): number {
  if (parts.maxSize === undefined) return -1;
  const limit = offset + parts.maxSize(message);
  return limit > buf.length ? -1 : writeBounded(parts, message, buf, offset, limit);
}

/** Builds a {@link Codec} from its parts (adds `encode`/`decode`/`encodeInto`). */
export function defineCodec<T>(parts: CodecParts<T>): Codec<T> {
  return {
    typeName: parts.typeName,
    create: parts.create,
    size: parts.size,
    write: parts.write,
    read: parts.read,
    maxSize: parts.maxSize,
    encode(message: T, reserve?: number): Buffer {
      return encodeWith(parts, message, reserve);
    },
    encodeInto(message: T, buf: Buffer, offset: number): number {
      return encodeIntoWith(parts, message, buf, offset);
    },
    decode(bytes: Uint8Array): T {
      return parts.read(new Reader(bytes));
    },
  };
}
