// Implements PROTOCOL-HTTP2 "Requests" → Custom-Metadata (ASCII and Binary-Header, base64) (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";

/** A metadata value: a string for ASCII keys, a Buffer for keys ending in `-bin`. */
export type MetadataValue = string | Buffer;
/** Keys ending in `-bin` carry binary values. */
export type BinaryKey = `${string}-bin`;

/**
 * Default limit on the size of received metadata (sum over entries of name + value + 32 bytes,
 * the HPACK accounting of RFC 7541 §4.1), as in grpc-java and grpc-js: 8 KiB.
 */
export const DEFAULT_MAX_METADATA_SIZE = 8 * 1024;

/** Header names the library or HTTP/2 owns: never user metadata, never settable by users. */
const RESERVED = new Set([
  "content-type",
  "te",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host",
  "user-agent",
  "content-length",
  "accept-encoding",
]);

/** True for names users may not set and never see: pseudo-headers, `grpc-*`, and HTTP hop-by-hop names. */
export function isReservedHeader(name: string): boolean {
  return name.charCodeAt(0) === 0x3a /* ':' */ || name.startsWith("grpc-") || RESERVED.has(name);
}

const KEY_RE = /^[0-9a-z_.-]+$/;
// Spec: ASCII-Value → 1*( %x20-%x7E ) ; space and printable ASCII.
const ASCII_VALUE_RE = /^[\x20-\x7e]*$/;
// Base64 with or without padding, standard alphabet (the spec's Binary-Header).
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function normalizeKey(key: string): string {
  const k = key.toLowerCase();
  if (isReservedHeader(k)) throw new TypeError(`metadata key "${key}" is reserved by gRPC/HTTP2`);
  if (!KEY_RE.test(k)) throw new TypeError(`metadata key "${key}" is not valid: use 0-9 a-z _ - .`);
  return k;
}

function checkValue(key: string, value: MetadataValue | Uint8Array): MetadataValue {
  if (key.endsWith("-bin")) {
    if (!(value instanceof Uint8Array)) throw new TypeError(`metadata key "${key}" ends in -bin: its value must be a Buffer`);
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (typeof value !== "string") throw new TypeError(`metadata key "${key}" is ASCII: its value must be a string (binary keys end in -bin)`);
  if (!ASCII_VALUE_RE.test(value)) throw new TypeError(`metadata value for "${key}" must be printable ASCII (use a -bin key for other bytes)`);
  return value;
}

/** Decodes one base64 `-bin` value, padded or not; `undefined` if it is not base64. */
export function decodeBinaryHeader(value: string): Buffer | undefined {
  const v = value.trim();
  if (!BASE64_RE.test(v) || v.length % 4 === 1) return undefined;
  return Buffer.from(v, "base64");
}

/** Encodes a `-bin` value as un-padded base64, as the spec recommends senders do. */
export function encodeBinaryHeader(value: Buffer): string {
  const s = value.toString("base64");
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * Validates received headers as metadata without building anything: the size limit (every header
 * counted, HPACK accounting) and base64 in `-bin` values. Returns the problem, or undefined.
 * Lets a server refuse bad metadata up front and build the `Metadata` only if a handler reads it.
 */
export function checkMetadataHeaders(headers: IncomingHttpHeaders, maxSize: number = DEFAULT_MAX_METADATA_SIZE): { error: string; tooLarge: boolean } | undefined {
  let size = 0;
  for (const name in headers) {
    const raw = headers[name];
    if (raw === undefined) continue;
    if (typeof raw === "string") {
      size += name.length + raw.length + 32;
      if (name.endsWith("-bin") && !isReservedHeader(name) && !validBinaryList(raw)) {
        return { error: `metadata "${name}" is not valid base64`, tooLarge: false };
      }
    } else {
      for (const v of raw) {
        size += name.length + v.length + 32;
        if (name.endsWith("-bin") && !isReservedHeader(name) && !validBinaryList(v)) {
          return { error: `metadata "${name}" is not valid base64`, tooLarge: false };
        }
      }
    }
  }
  if (size > maxSize) return { error: `received metadata of ${size} bytes exceeds the limit of ${maxSize}`, tooLarge: true };
  return undefined;
}

/**
 * Like {@link checkMetadataHeaders}, over node:http2's flat `rawHeaders` array
 * (`[name, value, name, value, …]`, as the server's 'stream' event gives it): no key enumeration.
 */
export function checkRawMetadata(raw: readonly string[], maxSize: number = DEFAULT_MAX_METADATA_SIZE): { error: string; tooLarge: boolean } | undefined {
  let size = 0;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    size += name.length + value.length + 32;
    // 0x6e = 'n': a cheap pre-check before endsWith("-bin").
    if (name.charCodeAt(name.length - 1) === 0x6e && name.endsWith("-bin") && !isReservedHeader(name) && !validBinaryList(value)) {
      return { error: `metadata "${name}" is not valid base64`, tooLarge: false };
    }
  }
  if (size > maxSize) return { error: `received metadata of ${size} bytes exceeds the limit of ${maxSize}`, tooLarge: true };
  return undefined;
}

function validBinaryList(value: string): boolean {
  for (const part of value.split(",")) {
    const v = part.trim();
    if (!BASE64_RE.test(v) || v.length % 4 === 1) return false;
  }
  return true;
}

export type MetadataParseResult = { ok: true; metadata: Metadata } | { ok: false; error: string; tooLarge: boolean };

/**
 * gRPC custom metadata: an ordered multimap of lower-case keys to string (ASCII) or Buffer
 * (`-bin`) values. Reserved names (pseudo-headers, `grpc-*`, `content-type`, `te`, …) are refused.
 */
export class Metadata {
  private readonly map = new Map<string, MetadataValue[]>();

  constructor(init?: Record<string, MetadataValue | MetadataValue[]>) {
    if (init !== undefined) {
      for (const key of Object.keys(init)) {
        const v = init[key];
        if (Array.isArray(v)) for (const x of v) this.add(key, x);
        else this.add(key, v);
      }
    }
  }

  /** The first value for `key`, or undefined. */
  get(key: BinaryKey): Buffer | undefined;
  get(key: string): string | undefined;
  get(key: string): MetadataValue | undefined {
    const list = this.map.get(key.toLowerCase());
    return list === undefined ? undefined : list[0];
  }

  /** Every value for `key`, in order received or added. */
  getAll(key: BinaryKey): Buffer[];
  getAll(key: string): string[];
  getAll(key: string): MetadataValue[] {
    const list = this.map.get(key.toLowerCase());
    return list === undefined ? [] : list.slice();
  }

  has(key: string): boolean {
    return this.map.has(key.toLowerCase());
  }

  /** Replaces every value of `key` with `value`. */
  set(key: BinaryKey, value: Buffer | Uint8Array): this;
  set(key: string, value: string): this;
  set(key: string, value: MetadataValue | Uint8Array): this {
    const k = normalizeKey(key);
    this.map.set(k, [checkValue(k, value)]);
    return this;
  }

  /** Appends a value to `key`. */
  add(key: BinaryKey, value: Buffer | Uint8Array): this;
  add(key: string, value: string): this;
  add(key: string, value: MetadataValue): this;
  add(key: string, value: MetadataValue | Uint8Array): this {
    const k = normalizeKey(key);
    const v = checkValue(k, value);
    const list = this.map.get(k);
    if (list === undefined) this.map.set(k, [v]);
    else list.push(v);
    return this;
  }

  remove(key: string): this {
    this.map.delete(key.toLowerCase());
    return this;
  }

  /** Calls `fn` for every (value, key) pair, in insertion order. */
  forEach(fn: (value: MetadataValue, key: string) => void): void {
    for (const [k, list] of this.map) for (const v of list) fn(v, k);
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  get size(): number {
    return this.map.size;
  }

  /** A deep-enough copy: new lists, same (immutable by convention) values. */
  clone(): Metadata {
    const m = new Metadata();
    for (const [k, list] of this.map) m.map.set(k, list.slice());
    return m;
  }

  /** Appends every entry of `other` to this one. */
  merge(other: Metadata): this {
    for (const [k, list] of other.map) {
      const mine = this.map.get(k);
      if (mine === undefined) this.map.set(k, list.slice());
      else mine.push(...list);
    }
    return this;
  }

  /** A plain object view for logging (`-bin` values shown as base64). */
  toJSON(): Record<string, string[]> {
    const o: Record<string, string[]> = {};
    for (const [k, list] of this.map) o[k] = list.map((v) => (typeof v === "string" ? v : v.toString("base64")));
    return o;
  }

  /** Writes the entries into a node:http2 header object (binary values as un-padded base64). */
  toHeaders(target: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
    for (const [k, list] of this.map) {
      if (list.length === 1) {
        const v = list[0];
        target[k] = typeof v === "string" ? v : encodeBinaryHeader(v);
      } else {
        target[k] = list.map((v) => (typeof v === "string" ? v : encodeBinaryHeader(v)));
      }
    }
    return target;
  }

  /**
   * Reads user metadata from node:http2's flat `rawHeaders` array, skipping reserved names. Repeated
   * headers stay separate values (the header object joins them with ", "). A `-bin` value that is
   * not base64 is skipped (validate first with {@link checkRawMetadata}).
   */
  static fromRawHeaders(raw: readonly string[]): Metadata {
    const md = new Metadata();
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i].toLowerCase();
      if (isReservedHeader(name)) continue;
      if (name.endsWith("-bin")) {
        for (const part of raw[i + 1].split(",")) {
          const buf = decodeBinaryHeader(part);
          if (buf !== undefined) md.push(name, buf);
        }
        continue;
      }
      md.push(name, raw[i + 1]);
    }
    return md;
  }

  private push(name: string, value: MetadataValue): void {
    const list = this.map.get(name);
    if (list === undefined) this.map.set(name, [value]);
    else list.push(value);
  }

  /**
   * Reads user metadata from received node:http2 headers or trailers, skipping reserved names.
   * Fails (without throwing) on a `-bin` value that is not base64, or when the received headers
   * exceed `maxSize` bytes (HPACK accounting, every header counted).
   */
  static fromHeaders(headers: IncomingHttpHeaders, maxSize: number = DEFAULT_MAX_METADATA_SIZE): MetadataParseResult {
    const md = new Metadata();
    let size = 0;
    for (const name in headers) {
      const raw = headers[name];
      if (raw === undefined) continue;
      // node:http2 types every value as a string, but hands `:status` over as a number.
      const values: string[] = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [String(raw)];
      for (const v of values) size += name.length + v.length + 32;
      if (isReservedHeader(name)) continue;
      if (name.endsWith("-bin")) {
        const list: MetadataValue[] = [];
        for (const v of values) {
          // node:http2 joins repeated headers with ", "; the spec also allows comma-separated values.
          for (const part of v.split(",")) {
            const buf = decodeBinaryHeader(part);
            if (buf === undefined) return { ok: false, error: `metadata "${name}" is not valid base64`, tooLarge: false };
            list.push(buf);
          }
        }
        md.map.set(name, list);
      } else {
        md.map.set(name, values.slice());
      }
    }
    if (size > maxSize) {
      return { ok: false, error: `received metadata of ${size} bytes exceeds the limit of ${maxSize}`, tooLarge: true };
    }
    return { ok: true, metadata: md };
  }
}
