// Decodes a protobuf message for the viewer with the byte range of every field (protobuf.dev
// "Encoding" § "Message Structure", https://protobuf.dev/programming-guides/encoding/#structure):
// by name and type when the schema knows the message, else raw as `protoc --decode_raw` does.

import { FieldLabel, FieldType, type DescriptorProto, type FieldDescriptorProto } from "../schema/descriptor.js";
import type { SchemaIndex } from "./schema.js";

/** One field on the wire. Offsets are into the bytes given to {@link decodeMessage}. */
export interface FieldNode {
  /** The whole field, its tag included: [start, end). */
  readonly start: number;
  readonly end: number;
  /** Where the value begins: after the tag, and after the length of a LEN field. */
  readonly valueStart: number;
  readonly field: number;
  readonly wireType: string;
  /** From the schema; absent when the field is unknown (decoded raw). */
  readonly name?: string;
  /** "string", "int64", an enum or message name; for raw fields what the bytes look like. */
  readonly type: string;
  readonly value: string;
  readonly children?: FieldNode[];
}

export interface DecodedMessage {
  /** The message type, when the schema has it. */
  readonly typeName?: string;
  readonly fields: FieldNode[];
  /** Why decoding stopped early (malformed or cut bytes). */
  readonly error?: string;
}

const WIRE_TYPES = ["VARINT", "I64", "LEN", "SGROUP", "EGROUP", "I32"];
const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(FieldType).map(([k, v]) => [v, k.toLowerCase()]));
const MAX_DEPTH = 32;

class Malformed extends Error {}

function varint(b: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  for (let shift = 0n, i = pos; i < b.length && shift < 70n; i++, shift += 7n) {
    v |= BigInt(b[i] & 0x7f) << shift;
    if ((b[i] & 0x80) === 0) return [BigInt.asUintN(64, v), i + 1];
  }
  throw new Malformed(`varint at byte ${pos} runs past the end`);
}

/** Decodes `bytes[start, end)` as a message of `typeName` (or raw when undefined or unknown). */
export function decodeMessage(bytes: Uint8Array, typeName: string | undefined, schema: SchemaIndex, start = 0, end = bytes.length, depth = 0): DecodedMessage {
  const type = typeName === undefined ? undefined : schema.messages.get(typeName);
  const fields: FieldNode[] = [];
  try {
    let pos = start;
    while (pos < end) {
      const fieldStart = pos;
      const [tag, afterTag] = varint(bytes, pos);
      const number = Number(tag >> 3n);
      const wt = Number(tag & 7n);
      if (number === 0) throw new Malformed(`field number 0 at byte ${fieldStart}`);
      const fd = type?.field.find((f) => f.number === number);
      fields.push(field(bytes, fieldStart, afterTag, number, wt, fd, schema, depth, end));
      pos = fields[fields.length - 1].end;
    }
  } catch (e) {
    if (!(e instanceof Malformed)) throw e;
    return { ...(type === undefined ? {} : { typeName }), fields, error: e.message };
  }
  const decoded: DecodedMessage = { ...(type === undefined ? {} : { typeName }), fields };
  if (typeName === "google.protobuf.Any") unpackAnyValue(bytes, decoded, schema, depth);
  return decoded;
}

function field(b: Uint8Array, start: number, pos: number, number: number, wt: number, fd: FieldDescriptorProto | undefined, schema: SchemaIndex, depth: number, limit: number): FieldNode {
  const base = { start, field: number, wireType: WIRE_TYPES[wt] ?? String(wt), ...(fd === undefined ? {} : { name: fd.name }) };
  switch (wt) {
    case 0: {
      const [v, end] = varint(b, pos);
      return { ...base, end, valueStart: pos, ...scalarVarint(v, fd, schema) };
    }
    case 1:
    case 5: {
      const size = wt === 1 ? 8 : 4;
      if (pos + size > limit) throw new Malformed(`field ${number} needs ${size} bytes at byte ${pos}`);
      const view = new DataView(b.buffer, b.byteOffset + pos, size);
      return { ...base, end: pos + size, valueStart: pos, ...scalarFixed(view, size, fd) };
    }
    case 2: {
      const [len, valueStart] = varint(b, pos);
      const end = valueStart + Number(len);
      if (len > BigInt(limit - valueStart)) throw new Malformed(`field ${number} says ${len} bytes at byte ${pos}, only ${limit - valueStart} left`);
      return { ...base, end, valueStart, ...lengthDelimited(b, valueStart, end, fd, schema, depth) };
    }
    default:
      throw new Malformed(`wire type ${wt} (groups or invalid) at byte ${start}`);
  }
}

/** ZigZag-decoded sint32/sint64 (protobuf.dev "Encoding" § "Signed Integers"). */
const zigzag = (v: bigint): string => String((v >> 1n) ^ -(v & 1n));

/** How a varint reads as each scalar type that is not just its unsigned value (protobuf.dev "Encoding"
 *  § "Varints", § "Signed Integers"): int32/int64 are two's complement, bool is non-zero. */
const VARINT_AS: Partial<Record<number, (v: bigint) => string>> = {
  [FieldType.INT32]: (v) => String(BigInt.asIntN(32, v)),
  [FieldType.INT64]: (v) => String(BigInt.asIntN(64, v)),
  [FieldType.SINT32]: zigzag,
  [FieldType.SINT64]: zigzag,
  [FieldType.BOOL]: (v) => String(v !== 0n),
};

/** How 4 or 8 little-endian bytes read as each signed or floating type (protobuf.dev "Encoding"
 *  § "Non-varint Numbers"); fixed32/fixed64 and unknown fields show unsigned and hex. */
const FIXED_AS: Partial<Record<number, (view: DataView) => string>> = {
  [FieldType.DOUBLE]: (d) => String(d.getFloat64(0, true)),
  [FieldType.FLOAT]: (d) => String(d.getFloat32(0, true)),
  [FieldType.SFIXED64]: (d) => String(d.getBigInt64(0, true)),
  [FieldType.SFIXED32]: (d) => String(d.getInt32(0, true)),
};

function scalarVarint(v: bigint, fd: FieldDescriptorProto | undefined, schema: SchemaIndex): { type: string; value: string } {
  if (fd === undefined) return { type: "varint", value: v >= 1n << 63n ? `${v} (as int64: ${BigInt.asIntN(64, v)})` : String(v) };
  if (fd.type === FieldType.ENUM) {
    const name = fd.typeName?.replace(/^\./, "") ?? "enum";
    const label = schema.enums.get(name)?.value.find((e) => BigInt(e.number) === BigInt.asIntN(32, v))?.name;
    return { type: name, value: label === undefined ? `${BigInt.asIntN(32, v)}` : `${label} (${BigInt.asIntN(32, v)})` };
  }
  const as = VARINT_AS[fd.type];
  return { type: TYPE_NAMES[fd.type] ?? "varint", value: as === undefined ? String(v) : as(v) };
}

function scalarFixed(view: DataView, size: 4 | 8, fd: FieldDescriptorProto | undefined): { type: string; value: string } {
  const as = fd === undefined ? undefined : FIXED_AS[fd.type];
  if (fd !== undefined && as !== undefined) return { type: TYPE_NAMES[fd.type], value: as(view) };
  const v = size === 8 ? view.getBigUint64(0, true) : view.getUint32(0, true);
  return { type: fd === undefined ? (size === 8 ? "i64" : "i32") : TYPE_NAMES[fd.type], value: `${v} (0x${v.toString(16)})` };
}

const PACKABLE = new Set<number>([1, 2, 3, 4, 5, 6, 7, 8, 13, 14, 15, 16, 17, 18]);

function lengthDelimited(b: Uint8Array, start: number, end: number, fd: FieldDescriptorProto | undefined, schema: SchemaIndex, depth: number): { type: string; value: string; children?: FieldNode[] } {
  const bytes = b.subarray(start, end);
  if (fd === undefined) return rawLen(b, start, end, schema, depth);
  if (fd.type === FieldType.STRING) return { type: "string", value: JSON.stringify(utf8(bytes)) };
  if (fd.type === FieldType.BYTES) return { type: "bytes", value: `<${bytes.length} bytes${bytes.length ? `: ${hexOf(bytes, 24)}` : ""}>` };
  if (fd.type === FieldType.MESSAGE || fd.type === FieldType.GROUP) {
    const name = fd.typeName?.replace(/^\./, "");
    if (depth >= MAX_DEPTH) return { type: name ?? "message", value: `<${bytes.length} bytes, nested too deep>` };
    const inner = decodeMessage(b, name, schema, start, end, depth + 1);
    return { type: name ?? "message", value: inner.error === undefined ? `{${inner.fields.length} field${inner.fields.length === 1 ? "" : "s"}}` : `{malformed: ${inner.error}}`, children: inner.fields };
  }
  if (fd.label === FieldLabel.REPEATED && PACKABLE.has(fd.type)) return packed(b, start, end, fd, schema);
  return rawLen(b, start, end, schema, depth);
}

/** A packed repeated scalar: the elements one after the other in one LEN value. */
function packed(b: Uint8Array, start: number, end: number, fd: FieldDescriptorProto, schema: SchemaIndex): { type: string; value: string } {
  const values: string[] = [];
  const fixed = [1, 6, 16].includes(fd.type) ? 8 : [2, 7, 15].includes(fd.type) ? 4 : 0;
  for (let pos = start; pos < end; ) {
    if (fixed > 0) {
      if (pos + fixed > end) throw new Malformed(`packed ${fd.name} is cut at byte ${pos}`);
      values.push(scalarFixed(new DataView(b.buffer, b.byteOffset + pos, fixed), fixed as 4 | 8, fd).value);
      pos += fixed;
    } else {
      const [v, next] = varint(b, pos);
      values.push(scalarVarint(v, fd, schema).value);
      pos = next;
    }
  }
  return { type: `packed ${TYPE_NAMES[fd.type]}`, value: `[${values.join(", ")}]` };
}

/** A LEN field without schema: printable text, else a message when its bytes parse as one, else bytes. */
function rawLen(b: Uint8Array, start: number, end: number, schema: SchemaIndex, depth: number): { type: string; value: string; children?: FieldNode[] } {
  const bytes = b.subarray(start, end);
  const text = utf8(bytes);
  if (bytes.length > 0 && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text)) return { type: "string?", value: JSON.stringify(text) };
  if (bytes.length > 0 && depth < MAX_DEPTH) {
    const inner = decodeMessage(b, undefined, schema, start, end, depth + 1);
    if (inner.error === undefined) return { type: "message?", value: `{${inner.fields.length} field${inner.fields.length === 1 ? "" : "s"}}`, children: inner.fields };
  }
  return { type: "bytes?", value: `<${bytes.length} bytes${bytes.length ? `: ${hexOf(bytes, 24)}` : ""}>` };
}

/** An Any's `value` decoded as the type its `type_url` names, when the schema has it. */
function unpackAnyValue(b: Uint8Array, any: DecodedMessage, schema: SchemaIndex, depth: number): void {
  const url = any.fields.find((f) => f.field === 1);
  const i = any.fields.findIndex((f) => f.field === 2);
  if (url === undefined || i < 0) return;
  const typeName = (JSON.parse(url.value) as string).replace(/^.*\//, "");
  if (!schema.messages.has(typeName)) return;
  const v = any.fields[i];
  const inner = decodeMessage(b, typeName, schema, v.valueStart, v.end, depth + 1);
  any.fields[i] = { ...v, type: typeName, value: `${typeName} {${inner.fields.length} field${inner.fields.length === 1 ? "" : "s"}}`, children: inner.fields };
}

function utf8(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");
}

function hexOf(b: Uint8Array, max: number): string {
  const s = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, max)).toString("hex").replace(/(..)(?!$)/g, "$1 ");
  return b.length > max ? `${s} …` : s;
}
