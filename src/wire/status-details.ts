// Implements the `grpc-status-details-bin` trailer: a serialized google.rpc.Status (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md, https://cloud.google.com/apis/design/errors).

/** `google.protobuf.Any`, with protobufjs field names. */
export interface Any {
  typeUrl: string;
  value: Uint8Array;
}

/** `google.rpc.Status`: code, message, details. */
export interface RpcStatus {
  code: number;
  message: string;
  details: Any[];
}

/** The part of a message codec the details helpers need (every `MessageCodec` from src/codec fits). */
export interface DetailCodec<T> {
  readonly typeName: string;
  encode(message: T): Buffer;
  decode(bytes: Uint8Array): T;
}

export const TYPE_URL_PREFIX = "type.googleapis.com/";

export function packAny<T>(codec: DetailCodec<T>, message: T): Any {
  return { typeUrl: TYPE_URL_PREFIX + codec.typeName, value: codec.encode(message) };
}

/** The type name an Any carries: the part of `type_url` after the last '/'. */
export function anyTypeName(any: Any): string {
  return any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1);
}

// A minimal protobuf writer/reader for exactly these two messages: the wire layer must not depend
// on the general codec just to carry details (protobuf.dev "Encoding": varint, LEN).

function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

function anySize(a: Any, typeUrl: Buffer): number {
  let s = 0;
  if (typeUrl.length > 0) s += 1 + varintSize(typeUrl.length) + typeUrl.length;
  if (a.value.byteLength > 0) s += 1 + varintSize(a.value.byteLength) + a.value.byteLength;
  return s;
}

/** Serializes a google.rpc.Status. */
export function encodeRpcStatus(st: RpcStatus): Buffer {
  const msg = Buffer.from(st.message, "utf8");
  const urls = st.details.map((d) => Buffer.from(d.typeUrl, "utf8"));
  // int32 code: negative values are 10-byte varints; gRPC codes are 0..16 so keep it simple.
  const code = st.code >>> 0;
  let size = 0;
  if (code !== 0) size += 1 + varintSize(code);
  if (msg.length > 0) size += 1 + varintSize(msg.length) + msg.length;
  const anySizes = st.details.map((d, i) => anySize(d, urls[i]));
  for (const s of anySizes) size += 1 + varintSize(s) + s;
  const buf = Buffer.allocUnsafe(size);
  let p = 0;
  if (code !== 0) {
    buf[p++] = 0x08;
    p = writeVarint(buf, p, code);
  }
  if (msg.length > 0) {
    buf[p++] = 0x12;
    p = writeVarint(buf, p, msg.length);
    p += msg.copy(buf, p);
  }
  st.details.forEach((d, i) => {
    buf[p++] = 0x1a;
    p = writeVarint(buf, p, anySizes[i]);
    if (urls[i].length > 0) {
      buf[p++] = 0x0a;
      p = writeVarint(buf, p, urls[i].length);
      p += urls[i].copy(buf, p);
    }
    if (d.value.byteLength > 0) {
      buf[p++] = 0x12;
      p = writeVarint(buf, p, d.value.byteLength);
      buf.set(d.value, p);
      p += d.value.byteLength;
    }
  });
  return buf;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error("truncated varint");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new Error("varint too long");
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error("truncated field");
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
    if (this.pos > this.end) throw new Error("truncated field");
  }
}

function decodeAny(bytes: Uint8Array): Any {
  const r = new Reader(bytes);
  const out: Any = { typeUrl: "", value: new Uint8Array(0) };
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x0a) out.typeUrl = Buffer.from(r.bytes()).toString("utf8");
    else if (tag === 0x12) out.value = r.bytes();
    else r.skip(tag & 7);
  }
  return out;
}

/** Parses a google.rpc.Status; `undefined` if the bytes are not one. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus | undefined {
  try {
    const r = new Reader(bytes);
    const out: RpcStatus = { code: 0, message: "", details: [] };
    while (r.pos < r.end) {
      const tag = r.varint();
      if (tag === 0x08) out.code = r.varint() | 0;
      else if (tag === 0x12) out.message = Buffer.from(r.bytes()).toString("utf8");
      else if (tag === 0x1a) out.details.push(decodeAny(r.bytes()));
      else r.skip(tag & 7);
    }
    return out;
  } catch {
    return undefined;
  }
}
