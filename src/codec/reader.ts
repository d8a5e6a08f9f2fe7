// Implements protobuf.dev "Encoding" (https://protobuf.dev/programming-guides/encoding/): bounds-checked decoding of varints, fixed-width values and LEN records.

import { Buffer, isUtf8 } from "node:buffer";
import { CodecError } from "./errors.js";
import { WireType } from "./wire-types.js";
import { SHORT_STRING, asciiShort } from "./ascii.js";

/** Nesting limit for sub-messages, as in the reference implementations (C++, Java, Go use 100). */
export const MAX_DEPTH = 100;

/** The part of a codec the Reader needs to decode a sub-message (see codec.ts `Codec<T>`). */
export interface MessageReader<T> {
  read(r: Reader): T;
}

// Node's native slice methods (on every Buffer, not in @types/node), called through the functions
// (`latin1Slice.call(buf, …)`): no property load on a Buffer whose inline cache may be megamorphic.
type NativeSlice = (this: Buffer, start: number, end: number) => string;
const { latin1Slice, utf8Slice } = Buffer.prototype as unknown as { latin1Slice: NativeSlice; utf8Slice: NativeSlice };

const TWO_32 = 4294967296;
/** Bytes of input copied per latin1 window for ASCII strings (see Reader.string). */
const TEXT_WINDOW = 256;

/**
 * A cursor over one input buffer. Every read is checked against `end`, the end of the message
 * being decoded (the whole input at top level, the sub-message's bytes inside `message()`), so a
 * length that overruns its parent is caught even when the input goes on.
 *
 * `bytes()` and `$unknown` return views into the input, not copies.
 */
export class Reader {
  readonly buf: Buffer;
  /** Next byte to read. */
  pos: number;
  /** End (exclusive) of the message being decoded. */
  end: number;
  /** Current sub-message nesting level (0 at top level). */
  depth = 0;
  /** Where the last tag read by `tag()` started: unknown fields are kept from there. */
  tagStart = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    this.end = bytes.byteLength;
  }

  private fail(reason: "truncated" | "varint-too-long" | "length-overrun" | "invalid-utf8", what: string, at: number): never {
    throw new CodecError(reason, what, at);
  }

  /**
   * Reads a tag and checks it: field number 0 and wire types 4, 6, 7 are rejected. Wire type 3
   * (start of a deprecated group) is let through: no codec knows a group field, so it reaches
   * `skip()`, which skips the group up to its matching end tag (protobuf.dev "Encoding" § Groups).
   * Returns the raw tag `(field << 3) | wireType`, so a codec can `switch` on it directly.
   */
  tag(): number {
    const start = this.pos;
    this.tagStart = start;
    let tag: number;
    if (start < this.end && this.buf[start] < 0x80) {
      tag = this.buf[start]; // fields 1..15: one byte
      this.pos = start + 1;
    } else tag = this.wideTag(start);
    // Valid wire types are 0, 1, 2, 5 and 3 (group start): bit set 0b101111.
    if (tag < 8 || ((0x2f >>> (tag & 7)) & 1) === 0) this.badTag(tag, start);
    return tag;
  }

  private badTag(tag: number, start: number): never {
    if (tag >>> 3 === 0) throw new CodecError("field-zero", "field number 0 is reserved", start);
    if ((tag & 7) === WireType.EGROUP) throw new CodecError("invalid-group", `end-group tag for field ${tag >>> 3} outside a group`, start);
    throw new CodecError("invalid-wire-type", `invalid wire type ${tag & 7} for field ${tag >>> 3}`, start);
  }

  /**
   * For a fast path reading fields in their usual order: true, with the tag consumed, when the next
   * field has the one-byte tag `tag` (a known field 1..15 with its wire type, so no check is due);
   * false, with nothing read, when another field comes next or the message ends.
   */
  at(tag: number): boolean {
    const pos = this.pos;
    if (pos >= this.end || this.buf[pos] !== tag) return false;
    this.tagStart = pos;
    this.pos = pos + 1;
    return true;
  }

  /**
   * A tag of two or more bytes. Tags are uint32 varints (field numbers stop at 2^29 − 1), so unlike
   * a uint32 value, which keeps the low 32 bits of a longer varint, a tag over 32 bits is an error.
   */
  private wideTag(start: number): number {
    const buf = this.buf;
    const end = this.end;
    let pos = start;
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) this.fail("truncated", "input ends inside a tag", pos);
      const b = buf[pos++];
      if (shift === 28 && b > 0x0f) break;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return v >>> 0;
      }
    }
    throw new CodecError("invalid-tag", "tag longer than 32 bits", start);
  }

  /** Reads a varint and returns its low 32 bits, unsigned (uint32). */
  uint32(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    if (pos >= end) this.fail("truncated", "input ends inside a varint", pos);
    let b = buf[pos++];
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let v = b & 0x7f;
    for (let shift = 7; shift < 35; shift += 7) {
      if (pos >= end) this.fail("truncated", "input ends inside a varint", pos);
      b = buf[pos++];
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return v >>> 0;
      }
    }
    // Bytes 6..10 only carry bits above 32: consume them, but a varint never exceeds 10 bytes.
    for (let i = 5; i < 10; i++) {
      if (pos >= end) this.fail("truncated", "input ends inside a varint", pos);
      if (buf[pos++] < 0x80) {
        this.pos = pos;
        return v >>> 0;
      }
    }
    this.fail("varint-too-long", "varint longer than 10 bytes", pos);
  }

  /** int32 (and enum): a varint truncated to 32 bits, two's complement. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** sint32: zigzag-decoded. */
  sint32(): number {
    const v = this.uint32();
    return (v >>> 1) ^ -(v & 1);
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  // 64-bit varints are read as three int32 parts, bits 0..27 (returned by varint64), 28..55
  // (`mid`) and 56..63 (`top`), and joined with BigInt(int32), shifts and BigInt.asUintN/asIntN(64):
  // TurboFan compiles those to 64-bit integer operations and one inline allocation, where
  // BigInt(number) above 2^31 is a builtin call (about 3× the cost; docs/CODEC.md "Performance").
  private mid = 0;
  private top = 0;

  /** Reads a varint of up to 10 bytes: returns bits 0..27, leaves bits 28..55 in `mid` and
   *  56..63 in `top` (bits past 63, in the 10th byte, are dropped as the spec says). */
  private varint64(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let lo = 0;
    let mid = 0;
    let top = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) this.fail("truncated", "input ends inside a varint", pos);
      const b = buf[pos++];
      // Bytes 1-4 fill `lo`, 5-8 `mid`, 9 and 10 `top` (bit 63, then bits past 64, dropped below).
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i < 8) mid |= (b & 0x7f) << (7 * i - 28);
      else top |= (b & 0x7f) << (7 * i - 56);
      if (b < 0x80) {
        this.pos = pos;
        this.mid = mid;
        this.top = top & 0xff;
        return lo;
      }
    }
    this.fail("varint-too-long", "varint longer than 10 bytes", pos);
  }

  /** uint64 as an exact bigint. */
  uint64(): bigint {
    const lo = this.varint64();
    return BigInt.asUintN(64, BigInt(this.top | 0) * 0x100000000000000n + BigInt(this.mid | 0) * 0x10000000n + BigInt(lo | 0));
  }

  /** int64 as an exact bigint (two's complement of the 64-bit varint). */
  int64(): bigint {
    const lo = this.varint64();
    return BigInt.asIntN(64, BigInt(this.top | 0) * 0x100000000000000n + BigInt(this.mid | 0) * 0x10000000n + BigInt(lo | 0));
  }

  /** sint64: zigzag-decoded, as an exact bigint. */
  sint64(): bigint {
    const lo = this.varint64();
    const u = BigInt.asUintN(64, BigInt(this.top | 0) * 0x100000000000000n + BigInt(this.mid | 0) * 0x10000000n + BigInt(lo | 0));
    return BigInt.asIntN(64, (u >> 1n) ^ (0n - (u & 1n)));
  }

  private need(n: number): number {
    const pos = this.pos;
    if (pos + n > this.end) this.fail("truncated", `input ends inside a ${n}-byte value`, pos);
    this.pos = pos + n;
    return pos;
  }

  fixed32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }

  sfixed32(): number {
    return this.buf.readInt32LE(this.need(4));
  }

  float(): number {
    return this.buf.readFloatLE(this.need(4));
  }

  double(): number {
    return this.buf.readDoubleLE(this.need(8));
  }

  fixed64(): bigint {
    const at = this.need(8);
    const lo = this.buf.readUInt32LE(at);
    const hi = this.buf.readUInt32LE(at + 4);
    if (hi < 0x200000) return BigInt(hi * TWO_32 + lo);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  sfixed64(): bigint {
    const at = this.need(8);
    const lo = this.buf.readUInt32LE(at);
    const hi = this.buf.readInt32LE(at + 4);
    if (hi < 0x200000 && hi >= -0x200000) return BigInt(hi * TWO_32 + lo);
    return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo));
  }

  /** Reads a LEN prefix and checks that the bytes it announces all lie within `end`.
   *  Returns the length; the bytes start at `this.pos`. */
  length(): number {
    const start = this.pos;
    const buf = this.buf;
    const end = this.end;
    if (start < end && buf[start] < 0x80) {
      const n = buf[start]; // lengths below 128: one byte
      if (n > end - start - 1) {
        this.fail("length-overrun", `length ${n} runs past the end (${end - start - 1} bytes left)`, start);
      }
      this.pos = start + 1;
      return n;
    }
    let pos = start;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= end) this.fail("truncated", "input ends inside a length prefix", pos);
      const b = buf[pos++];
      if (shift < 28) len |= (b & 0x7f) << shift;
      else if (shift === 28) len += (b & 0x7f) * 268435456;
      else if ((b & 0x7f) !== 0) len = Infinity; // >= 2^35: cannot fit any input
      if (b < 0x80) break;
      if (shift === 63) this.fail("varint-too-long", "varint longer than 10 bytes", pos);
    }
    if (len > end - pos) {
      this.fail("length-overrun", `length ${len} runs past the end (${end - pos} bytes left)`, start);
    }
    this.pos = pos;
    return len;
  }

  /** bytes: a view into the input (no copy). */
  bytes(): Uint8Array {
    const len = this.length();
    const start = this.pos;
    this.pos = start + len;
    return this.buf.subarray(start, start + len);
  }

  // ASCII strings are cut from a latin1 copy of a window of the input (`text`, bytes
  // [textStart, textEnd)): one native latin1Slice per TEXT_WINDOW bytes, then String#substring,
  // which V8 does without leaving JS (a flat copy below 13 characters, a slice of `text` from 13
  // on). A native call per string costs about 40 ns on this machine, a substring about 5.
  private text = "";
  private textStart = 0;
  private textEnd = 0;

  /** string: UTF-8, validated (ill-formed bytes are a CodecError, not U+FFFD). */
  string(): string {
    const len = this.length();
    const buf = this.buf;
    const start = this.pos;
    const end = start + len;
    this.pos = end;
    let bits = 0;
    let i = start;
    for (const end4 = end - 3; i < end4; i += 4) bits |= buf[i] | buf[i + 1] | buf[i + 2] | buf[i + 3];
    for (; i < end; i++) bits |= buf[i];
    if (bits >= 0x80) return this.utf8(start, end);
    if (start >= this.textStart && end <= this.textEnd) {
      return this.text.substring(start - this.textStart, end - this.textStart);
    }
    if (len <= SHORT_STRING) return len === 0 ? "" : asciiShort(buf, start, end);
    // A new window from here. A string of 13+ characters cut from it keeps the window's string
    // alive (at most TEXT_WINDOW bytes, or the string itself when it is longer).
    const textEnd = Math.min(buf.length, Math.max(end, start + TEXT_WINDOW));
    this.text = latin1Slice.call(buf, start, textEnd);
    this.textStart = start;
    this.textEnd = textEnd;
    return end === textEnd ? this.text : this.text.substring(0, len);
  }

  /** Non-ASCII string bytes. Node's decoder turns every ill-formed sequence into U+FFFD, so only
   *  a string that contains U+FFFD needs the strict check (it may be a genuine U+FFFD too). */
  private utf8(start: number, end: number): string {
    const buf = this.buf;
    const s = utf8Slice.call(buf, start, end);
    if (s.indexOf("\uFFFD") !== -1 && !isUtf8(buf.subarray(start, end))) {
      this.fail("invalid-utf8", "string field is not valid UTF-8", start);
    }
    return s;
  }

  /**
   * Reads a length-delimited sub-message with `codec`, confining it to its own bytes and
   * counting nesting depth (a CodecError "too-deep" past {@link MAX_DEPTH}).
   */
  message<T>(codec: MessageReader<T>): T {
    const len = this.length();
    const parentEnd = this.end;
    if (this.depth >= MAX_DEPTH) {
      throw new CodecError("too-deep", `sub-messages nested deeper than ${MAX_DEPTH}`, this.pos);
    }
    this.depth++;
    this.end = this.pos + len;
    const m = codec.read(this);
    this.end = parentEnd;
    this.depth--;
    return m;
  }

  /** Skips the value of a field whose tag was just read (any valid wire type). */
  skip(tag: number): void {
    switch (tag & 7) {
      case WireType.VARINT:
        this.uint32();
        return;
      case WireType.I64:
        this.need(8);
        return;
      case WireType.LEN: {
        const len = this.length(); // (not `this.pos += this.length()`: that adds to the old pos)
        this.pos += len;
        return;
      }
      case WireType.I32:
        this.need(4);
        return;
      case WireType.SGROUP:
        this.skipGroup(tag >>> 3);
        return;
      default:
        throw new CodecError("invalid-wire-type", `invalid wire type ${tag & 7}`, this.tagStart);
    }
  }

  /**
   * Skips a group whose start tag (field `field`, wire type 3) was just read: every field up to the
   * end-group tag (wire type 4) of the same field number. Groups inside groups count towards
   * {@link MAX_DEPTH}, as sub-messages do, so a run of start tags cannot exhaust the stack. An
   * end tag of another field number is `invalid-group`; input that ends first is `truncated`.
   */
  private skipGroup(field: number): void {
    if (this.depth >= MAX_DEPTH) throw new CodecError("too-deep", `groups nested deeper than ${MAX_DEPTH}`, this.tagStart);
    const groupStart = this.tagStart;
    this.depth++;
    for (;;) {
      if (this.pos >= this.end) this.fail("truncated", `input ends inside group ${field}`, this.pos);
      const start = this.pos;
      const buf = this.buf;
      let tag: number;
      if (buf[start] < 0x80) {
        tag = buf[start];
        this.pos = start + 1;
      } else tag = this.wideTag(start);
      this.tagStart = start;
      const wt = tag & 7;
      if (wt === WireType.EGROUP && tag >= 8) {
        if (tag >>> 3 !== field) {
          throw new CodecError("invalid-group", `end-group tag for field ${tag >>> 3} inside group ${field}`, start);
        }
        break;
      }
      if (tag < 8 || ((0x2f >>> wt) & 1) === 0) this.badTag(tag, start);
      this.skip(tag);
    }
    this.depth--;
    this.tagStart = groupStart;
  }

  /**
   * Skips the field whose tag was just read and returns the unknown-field bytes so far plus this
   * field (tag included). Consecutive unknown fields widen one view into the input; only
   * non-adjacent ones are copied together. Use as `m.$unknown = r.unknown(tag, m.$unknown)`.
   */
  unknown(tag: number, prev: Uint8Array | undefined): Uint8Array {
    const start = this.tagStart;
    this.skip(tag);
    const buf = this.buf;
    if (prev === undefined) return buf.subarray(start, this.pos);
    if (
      prev.buffer === buf.buffer &&
      prev.byteOffset >= buf.byteOffset &&
      prev.byteOffset + prev.byteLength === buf.byteOffset + start
    ) {
      return buf.subarray(prev.byteOffset - buf.byteOffset, this.pos);
    }
    const out = Buffer.allocUnsafe(prev.byteLength + this.pos - start);
    out.set(prev, 0);
    buf.copy(out, prev.byteLength, start, this.pos);
    return out;
  }

  /** Reads a packed or unpacked repeated scalar: call on either wire type; `item` reads one. */
  packed<T>(tag: number, out: T[], item: (r: Reader) => T): void {
    if ((tag & 7) !== WireType.LEN) {
      out.push(item(this));
      return;
    }
    const len = this.length();
    const parentEnd = this.end;
    const end = this.pos + len;
    this.end = end;
    while (this.pos < end) out.push(item(this));
    this.end = parentEnd;
  }
}
