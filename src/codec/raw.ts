// Implements protobuf.dev "Encoding" § "Message Structure" (https://protobuf.dev/programming-guides/encoding/#structure) without a schema, as `protoc --decode_raw` does.

import { isUtf8 } from "node:buffer";
import { CodecError } from "./errors.js";
import { MAX_DEPTH, Reader } from "./reader.js";
import { Writer, sizeTag, sizeUint64, sizeVarint32 } from "./writer.js";
import { WireType } from "./wire-types.js";

/**
 * One field as found on the wire. Without a schema a VARINT is shown as uint64 (its zigzag or
 * two's-complement reading is the viewer's call), I64 as fixed64, I32 as fixed32. A LEN value is
 * shown as a nested message when its bytes parse as one, else as a string when they are printable
 * UTF-8, else as bytes. As with protoc, short text can happen to parse as a message: `bytes` keeps
 * the original value of every LEN field. Groups (wire types 3/4, protobuf.dev "Encoding" § Groups)
 * have no kind here: a LEN value that would parse only through groups (e.g. the text "#$",
 * 0x23 0x24, an empty group 4) is a string or bytes, and a group at the top level is an error.
 */
export type RawField =
  | { field: number; wireType: typeof WireType.VARINT; kind: "varint"; value: bigint }
  | { field: number; wireType: typeof WireType.I64; kind: "fixed64"; value: bigint }
  | { field: number; wireType: typeof WireType.I32; kind: "fixed32"; value: number }
  | { field: number; wireType: typeof WireType.LEN; kind: "message"; fields: RawField[]; bytes: Uint8Array }
  | { field: number; wireType: typeof WireType.LEN; kind: "string"; value: string; bytes: Uint8Array }
  | { field: number; wireType: typeof WireType.LEN; kind: "bytes"; value: Uint8Array; bytes: Uint8Array };

/** Result of {@link decodeRaw}: the fields, or why the bytes are not a message. */
export type RawResult = { ok: true; fields: RawField[] } | { ok: false; error: CodecError };

/**
 * Decodes `bytes` as a message of unknown type. LEN values are tried as nested messages down to
 * `maxDepth` levels; deeper ones are shown as strings or bytes. Never throws on malformed input.
 */
export function decodeRaw(bytes: Uint8Array, maxDepth: number = MAX_DEPTH): RawResult {
  try {
    return { ok: true, fields: decodeRawFields(bytes, maxDepth) };
  } catch (e) {
    if (e instanceof CodecError) return { ok: false, error: e };
    throw e;
  }
}

/** Like {@link decodeRaw}, but returns the fields and throws CodecError when `bytes` is not a message. */
export function decodeRawFields(bytes: Uint8Array, maxDepth: number = MAX_DEPTH): RawField[] {
  const r = new Reader(bytes);
  const out: RawField[] = [];
  while (r.pos < r.end) {
    const tag = r.tag();
    const field = tag >>> 3;
    switch (tag & 7) {
      case WireType.VARINT:
        out.push({ field, wireType: WireType.VARINT, kind: "varint", value: r.uint64() });
        break;
      case WireType.I64:
        out.push({ field, wireType: WireType.I64, kind: "fixed64", value: r.fixed64() });
        break;
      case WireType.I32:
        out.push({ field, wireType: WireType.I32, kind: "fixed32", value: r.fixed32() });
        break;
      case WireType.SGROUP:
        // Decoders skip groups as unknown fields; this display decoder has no kind for them.
        throw new CodecError("invalid-wire-type", `group field ${field} (wire type 3) is not shown by the raw decoder`, r.tagStart);
      default:
        out.push(classify(field, r.bytes(), maxDepth));
    }
  }
  return out;
}

function classify(field: number, bytes: Uint8Array, depthLeft: number): RawField {
  if (bytes.byteLength > 0 && depthLeft > 0 && parsesAsMessage(bytes)) {
    return { field, wireType: WireType.LEN, kind: "message", fields: decodeRawFields(bytes, depthLeft - 1), bytes };
  }
  if (isUtf8(bytes)) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    if (isPrintable(text)) return { field, wireType: WireType.LEN, kind: "string", value: text, bytes };
  }
  return { field, wireType: WireType.LEN, kind: "bytes", value: bytes, bytes };
}

/**
 * One level only: do the tags and lengths tile the bytes exactly? Stricter than decoding: every
 * varint (tags included) must be in its shortest form, as every encoder writes it, so that packed
 * numbers or random bytes that happen to scan are not mistaken for a message.
 */
function parsesAsMessage(bytes: Uint8Array): boolean {
  const r = new Reader(bytes);
  const buf = r.buf;
  try {
    while (r.pos < r.end) {
      const start = r.pos;
      const tag = r.tag();
      // A tag is at most 5 bytes and 32 bits (field numbers stop at 2^29 - 1).
      const tagLen = r.pos - start;
      if (!canonicalVarint(buf, start, r.pos) || tagLen > 5 || (tagLen === 5 && buf[start + 4] > 0x0f)) return false;
      // This decoder has no kind for groups (see decodeRawFields), so a value that would parse
      // only through them is not a message here: it is shown as a string or bytes instead.
      if ((tag & 7) === WireType.SGROUP) return false;
      const valueStart = r.pos;
      r.skip(tag);
      if ((tag & 7) === WireType.VARINT && !canonicalVarint(buf, valueStart, r.pos)) return false;
    }
    return true;
  } catch (e) {
    if (e instanceof CodecError) return false;
    throw e;
  }
}

/** A varint in [start, end) is canonical when it has no trailing zero groups and, at 10 bytes,
 *  carries no bits beyond 64. */
function canonicalVarint(buf: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n === 1) return true;
  const last = buf[end - 1];
  return last !== 0 && (n < 10 || last === 1);
}

/** No C0 control characters other than tab, LF, CR, and no DEL. */
function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

/** Encodes fields back to bytes (canonical varints): `encodeRaw(decodeRawFields(b))` equals `b`
 *  for any message whose varints are in their shortest form (what every encoder writes). */
export function encodeRaw(fields: readonly RawField[]): Buffer {
  const buf = Buffer.allocUnsafe(sizeRaw(fields));
  writeRaw(fields, new Writer(buf));
  return buf;
}

function sizeRaw(fields: readonly RawField[]): number {
  let n = 0;
  for (const f of fields) {
    n += sizeTag(f.field);
    switch (f.kind) {
      case "varint":
        n += sizeUint64(f.value);
        break;
      case "fixed64":
        n += 8;
        break;
      case "fixed32":
        n += 4;
        break;
      case "message": {
        const body = sizeRaw(f.fields);
        n += sizeVarint32(body) + body;
        break;
      }
      default:
        n += sizeVarint32(f.bytes.byteLength) + f.bytes.byteLength;
    }
  }
  return n;
}

function writeRaw(fields: readonly RawField[], w: Writer): void {
  for (const f of fields) {
    w.tag(f.field, f.wireType);
    switch (f.kind) {
      case "varint":
        w.uint64(f.value);
        break;
      case "fixed64":
        w.fixed64(f.value);
        break;
      case "fixed32":
        w.fixed32(f.value);
        break;
      case "message":
        w.uint32(sizeRaw(f.fields));
        writeRaw(f.fields, w);
        break;
      default:
        w.bytes(f.bytes);
    }
  }
}

/** Text in the style of `protoc --decode_raw`: `1: "text"`, `2: 150`, `3 { ... }`, `4: 0x...`. */
export function formatRaw(fields: readonly RawField[], indent = ""): string {
  let out = "";
  for (const f of fields) {
    switch (f.kind) {
      case "varint":
        out += `${indent}${f.field}: ${f.value}\n`;
        break;
      case "fixed64":
        out += `${indent}${f.field}: 0x${f.value.toString(16).padStart(16, "0")}\n`;
        break;
      case "fixed32":
        out += `${indent}${f.field}: 0x${f.value.toString(16).padStart(8, "0")}\n`;
        break;
      case "message":
        out += `${indent}${f.field} {\n${formatRaw(f.fields, indent + "  ")}${indent}}\n`;
        break;
      case "string":
        out += `${indent}${f.field}: ${JSON.stringify(f.value)}\n`;
        break;
      default:
        out += `${indent}${f.field}: "${escapeBytes(f.value)}"\n`;
    }
  }
  return out;
}

function escapeBytes(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.byteLength; i++) {
    const c = b[i];
    s += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : "\\" + c.toString(8).padStart(3, "0");
  }
  return s;
}
