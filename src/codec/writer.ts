// Implements protobuf.dev "Encoding" (https://protobuf.dev/programming-guides/encoding/): sizing and writing varints, fixed-width values and LEN records into one buffer.

import { Buffer } from "node:buffer";
import { tagOf, WireType } from "./wire-types.js";

/** Up to this many bytes, `bytes()` copies in a loop (see there). */
const SMALL_COPY = 32;

/** The part of a codec the Writer needs to write a sub-message (see codec.ts `Codec<T>`). */
export interface MessageWriter<T> {
  size(message: T): number;
  write(message: T, w: Writer): void;
}

const TWO_32 = 4294967296;
const MAX_SAFE = 9007199254740991;
// Number(v) is exact when it lands within ±(2^53 - 1): a bigint outside that range rounds to at
// least 2^53 in magnitude. So one Number() and number compares pick the fast path, no bigint math.

// int64/uint64/fixed64 values are split into unsigned 32-bit halves by storing them into a
// BigInt64Array (which takes them modulo 2^64, as these types are written) and loading the halves
// through a Uint32Array over the same 8 bytes: V8's optimizer compiles both to plain memory
// operations, where Number(v) is a runtime call (about twice the cost on this machine).
const INT64 = new BigInt64Array(1);
const HALVES = new Uint32Array(INT64.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1; // the low half's index (0 on little-endian)
const HI = 1 - LO;

// ---------------------------------------------------------------------------------------------
// Size helpers: a codec's `size()` adds these up so `encode` can allocate the exact Buffer once.
// ---------------------------------------------------------------------------------------------

/** Bytes of a varint holding the unsigned 32-bit value `n` (also for tags and lengths). */
export function sizeVarint32(n: number): number {
  n >>>= 0;
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Bytes of a varint holding a non-negative integer `n` below 2^53. */
export function sizeVarintNumber(n: number): number {
  if (n < 0x10000000) return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
  return n < 34359738368 ? 5 : n < 4398046511104 ? 6 : n < 562949953421312 ? 7 : 8;
}

/** Bytes of the tag of `field` (any wire type). */
export function sizeTag(field: number): number {
  return sizeVarint32(tagOf(field, WireType.VARINT));
}

/** int32 / enum: negative values take 10 bytes (sign-extended to 64 bits). */
export function sizeInt32(n: number): number {
  return n < 0 ? 10 : sizeVarint32(n);
}

/** uint32 */
export function sizeUint32(n: number): number {
  return sizeVarint32(n);
}

/** sint32 (zigzag) */
export function sizeSint32(n: number): number {
  return sizeVarint32((n << 1) ^ (n >> 31));
}

/** Bytes of a varint holding `v` modulo 2^64. BigInt.asUintN(64) and compares against bigint
 *  constants compile to 64-bit integer operations in V8's optimizer, with no Number() conversion. */
function sizeVarintBig(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  if (u < 0x800000000n) return u < 0x80n ? 1 : u < 0x4000n ? 2 : u < 0x200000n ? 3 : u < 0x10000000n ? 4 : 5;
  return u < 0x40000000000n ? 6 : u < 0x2000000000000n ? 7 : u < 0x100000000000000n ? 8 : u < 0x8000000000000000n ? 9 : 10;
}

/** uint64: `v` is taken modulo 2^64. */
export function sizeUint64(v: bigint): number {
  return sizeVarintBig(v);
}

/** int64: negative values take 10 bytes (two's complement). */
export function sizeInt64(v: bigint): number {
  return sizeVarintBig(v);
}

/** sint64 (zigzag) */
export function sizeSint64(v: bigint): number {
  const n = Number(v);
  if (n >= -MAX_SAFE / 2 && n <= MAX_SAFE / 2) return sizeVarintNumber(n < 0 ? -2 * n - 1 : 2 * n);
  return sizeUint64(zigzag64(v));
}

function zigzag64(v: bigint): bigint {
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

/**
 * `charCodeAt.call(s, i)` instead of `s.charCodeAt(i)` in the per-character loops below: the method
 * load `s.charCodeAt` is an inline cache keyed on the string's hidden class, and strings come in many
 * (sequential, cons from concatenation or randomUUID, sliced, internalized, thin, two-byte...). Past
 * four the cache goes megamorphic and optimized code looks the method up for every character (the
 * ListUsers regression, docs/BENCHMARKS.md). A call through the function itself needs no lookup and
 * compiles to the same character load.
 */
const charCodeAt = String.prototype.charCodeAt;

/** Bytes of `s` encoded as UTF-8 (lone surrogates count as U+FFFD, 3 bytes, as Buffer writes them). */
export function utf8Length(s: string): number {
  const len = s.length;
  if (len > 64) return Buffer.byteLength(s, "utf8");
  let n = len;
  for (let i = 0; i < len; i++) {
    const c = charCodeAt.call(s, i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < len) {
      const d = charCodeAt.call(s, i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        i++; // a surrogate pair: 2 UTF-16 units, 4 bytes
        n += 2;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/** string field value: length prefix + UTF-8 bytes (the tag is not included). */
export function sizeString(s: string): number {
  const n = utf8Length(s);
  return sizeVarint32(n) + n;
}

/** bytes field value: length prefix + bytes (the tag is not included). */
export function sizeBytes(b: Uint8Array): number {
  return sizeVarint32(b.byteLength) + b.byteLength;
}

// Sizes of embedded messages, remembered between the size pass and the write pass of one
// `encodeWith`, so a nested message is measured once, not once per enclosing level. Entries are
// recorded by sizeMessage() in the order the size pass meets them and consumed in the same order
// by Writer.message(); each is checked by identity, so a codec whose passes visit messages in a
// different order (or a nested encode that resets the cache) only loses the shortcut, never
// correctness.
const cachedMessages: unknown[] = [];
const cachedSizes: number[] = [];
let cacheLength = 0;
let cacheCursor = 0;

/** Starts (or ends, with `clear`) the size cache of one encode. Called by `encodeWith`. */
export function resetSizeCache(clear = false): void {
  if (clear) for (let i = 0; i < cacheLength; i++) cachedMessages[i] = undefined;
  cacheLength = 0;
  cacheCursor = 0;
}

/** Moves the size cache from the size pass to the write pass. Called by `encodeWith`. */
export function rewindSizeCache(): void {
  cacheCursor = 0;
}

/** Embedded message value: length prefix + body (the tag is not included). */
export function sizeMessage<T>(codec: MessageWriter<T>, message: T): number {
  const k = cacheLength++;
  cachedMessages[k] = message;
  const n = codec.size(message);
  if (cachedMessages[k] === message) cachedSizes[k] = n;
  else cacheLength = 0; // a nested encode reused the cache meanwhile: stop trusting it
  return sizeVarint32(n) + n;
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

/**
 * Writes into a Buffer that was allocated at the exact size beforehand (see `codec.ts`
 * `encodeWith`). Methods return `this` so field writes can chain; no method allocates except
 * `int64`/`uint64` outside ±2^53 (bigint arithmetic).
 */
export class Writer {
  readonly buf: Buffer;
  pos: number;

  constructor(buf: Buffer, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  /** Tag of `field` with `wireType`. */
  tag(field: number, wireType: WireType): this {
    return this.uint32(tagOf(field, wireType));
  }

  /** Varint of an unsigned 32-bit value (uint32, lengths, tags). */
  uint32(n: number): this {
    const buf = this.buf;
    let pos = this.pos;
    n >>>= 0;
    while (n > 0x7f) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    this.pos = pos;
    return this;
  }

  /** Varint of a non-negative integer below 2^53. */
  private varintNumber(n: number): void {
    if (n <= 0xffffffff) this.uint32(n);
    else {
      // Split once into 32-bit halves (exact below 2^53), then bit operations only.
      const lo = n >>> 0;
      this.varint64(lo, (n - lo) / TWO_32);
    }
  }

  /** Varint of the 64-bit value hi:lo (both unsigned 32-bit). */
  private varint64(lo: number, hi: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.pos = pos;
    this.uint32(lo); // the remaining low 32 bits
  }

  /** int32 / enum: negative values are sign-extended to a 10-byte varint. */
  int32(n: number): this {
    if (n >= 0) return this.uint32(n);
    this.varint64(n >>> 0, 0xffffffff);
    return this;
  }

  /** sint32 (zigzag). */
  sint32(n: number): this {
    return this.uint32((n << 1) ^ (n >> 31));
  }

  bool(b: boolean): this {
    this.buf[this.pos++] = b ? 1 : 0;
    return this;
  }

  /** uint64 (taken modulo 2^64; halves: see {@link INT64}). */
  uint64(v: bigint): this {
    INT64[0] = v;
    this.varint64(HALVES[LO], HALVES[HI]);
    return this;
  }

  /** int64 (two's complement, so negative values take 10 bytes; halves: see {@link INT64}). */
  int64(v: bigint): this {
    INT64[0] = v;
    this.varint64(HALVES[LO], HALVES[HI]);
    return this;
  }

  /** sint64 (zigzag). */
  sint64(v: bigint): this {
    const n = Number(v);
    if (n >= -MAX_SAFE / 2 && n <= MAX_SAFE / 2) {
      this.varintNumber(n < 0 ? -2 * n - 1 : 2 * n);
    } else this.big64(zigzag64(v));
    return this;
  }

  private big64(u: bigint): void {
    this.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  fixed32(n: number): this {
    this.pos = this.buf.writeUInt32LE(n >>> 0, this.pos);
    return this;
  }

  sfixed32(n: number): this {
    this.pos = this.buf.writeInt32LE(n | 0, this.pos);
    return this;
  }

  float(n: number): this {
    this.pos = this.buf.writeFloatLE(n, this.pos);
    return this;
  }

  double(n: number): this {
    this.pos = this.buf.writeDoubleLE(n, this.pos);
    return this;
  }

  /** fixed64 / sfixed64 (taken modulo 2^64, little-endian). */
  fixed64(v: bigint): this {
    INT64[0] = v;
    const buf = this.buf;
    this.pos = buf.writeUInt32LE(HALVES[LO], this.pos);
    this.pos = buf.writeUInt32LE(HALVES[HI], this.pos);
    return this;
  }

  sfixed64(v: bigint): this {
    return this.fixed64(v);
  }

  /** string: length prefix + UTF-8 (`charCodeAt.call`: see {@link charCodeAt}). */
  string(s: string): this {
    const len = s.length;
    const buf = this.buf;
    if (len < 43) {
      // At most 3 bytes per UTF-16 unit, so the length fits one prefix byte: write the text
      // first and fill the prefix in after, instead of measuring the string a second time.
      const start = this.pos;
      let pos = start + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = charCodeAt.call(s, i);
        if (c >= 0x80) break;
        buf[pos++] = c;
      }
      if (i < len) pos += buf.write(s.slice(i), pos, "utf8");
      buf[start] = pos - start - 1;
      this.pos = pos;
      return this;
    }
    const n = utf8Length(s);
    this.uint32(n);
    this.pos += buf.write(s, this.pos, n, "utf8");
    return this;
  }

  /** bytes: length prefix + the bytes. */
  bytes(b: Uint8Array): this {
    const n = b.byteLength;
    this.uint32(n);
    if (n <= SMALL_COPY) {
      // A loop for a few bytes: TypedArray#set is a builtin call that costs more than the copy.
      const buf = this.buf;
      const pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos + i] = b[i];
    } else this.buf.set(b, this.pos);
    this.pos += n;
    return this;
  }

  /** Bytes copied as they are (kept unknown fields, pre-encoded data). */
  raw(b: Uint8Array): this {
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
    return this;
  }

  /**
   * Embedded message: length prefix + body written by `codec`. The length comes from the size
   * cache when the size pass measured this message (the exact path of `encodeWith`). Otherwise
   * (the slab and bounded paths, which have no size pass) the body is written after a one-byte
   * prefix and moved up when its length needs more bytes (a body of 128 bytes or more): the final
   * bytes never reach past where they end up, so this is safe in an exact-size buffer too.
   */
  message<T>(codec: MessageWriter<T>, message: T): this {
    const k = cacheCursor;
    if (k < cacheLength && cachedMessages[k] === message) {
      cacheCursor = k + 1;
      this.uint32(cachedSizes[k]);
      codec.write(message, this);
      return this;
    }
    const buf = this.buf;
    const start = this.pos;
    this.pos = start + 1;
    codec.write(message, this);
    const end = this.pos;
    const len = end - start - 1;
    if (len < 0x80) buf[start] = len;
    else {
      const body = start + sizeVarint32(len);
      buf.copyWithin(body, start + 1, end);
      this.pos = start;
      this.uint32(len);
      this.pos = body + len;
    }
    return this;
  }
}
