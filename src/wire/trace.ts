// Wire trace for learners: prints each call as PROTOCOL-HTTP2 "Requests"/"Responses" describe it (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
//
// Off by default and free when off: the server and client check one boolean (`wireTrace.enabled`)
// before doing any trace work. Turn it on with GRPC_WIRE_TRACE=1, `--trace` on `npm start` and
// `userctl`, or `enableWireTrace()` in code.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { decodeRaw, type RawField } from "../codec/raw.js";
import { PREFIX_LENGTH } from "./framing.js";
import { http2ErrorName } from "./rst-stream.js";

/** Where trace lines go, and whether they are produced at all. */
export interface WireTraceConfig {
  enabled: boolean;
  /** Receives each line, without a trailing newline. Default: stderr. */
  sink: (line: string) => void;
  /** Milliseconds since some origin, for relative timestamps. */
  clock: () => number;
  /** How many bytes of each message to show in hex. */
  hexBytes: number;
}

export const wireTrace: WireTraceConfig = {
  enabled: process.env.GRPC_WIRE_TRACE === "1" || process.env.GRPC_WIRE_TRACE === "true",
  sink: (line) => process.stderr.write(line + "\n"),
  clock: () => performance.now(),
  hexBytes: 32,
};

/** Turns the trace on (for `--trace` flags), optionally sending lines somewhere else. */
export function enableWireTrace(sink?: (line: string) => void): void {
  wireTrace.enabled = true;
  if (sink) wireTrace.sink = sink;
}

export type TraceSide = "client" | "server";
/** `out` is what this process writes on the wire; `in` what it reads. */
export type TraceDirection = "in" | "out";

let nextCallId = 1;

/** Header names whose values are secrets: shown masked. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key"]);

/** Masks a credential, keeping the scheme so the reader sees what kind it was. */
export function maskSecret(value: string): string {
  const space = value.indexOf(" ");
  return space > 0 ? `${value.slice(0, space)} ****` : "****";
}

/** One line per header, pseudo-headers first as HTTP/2 sends them; `-bin` values decoded to hex. */
export function formatHeaders(headers: IncomingHttpHeaders | OutgoingHttpHeaders): string[] {
  const lines: string[] = [];
  const names = Object.keys(headers).sort((a, b) => Number(b.startsWith(":")) - Number(a.startsWith(":")));
  for (const name of names) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [String(raw)];
    for (const value of values) lines.push(`${name}: ${formatHeaderValue(name, value)}`);
  }
  return lines;
}

function formatHeaderValue(name: string, value: string): string {
  if (SECRET_HEADERS.has(name)) return maskSecret(value);
  if (name.endsWith("-bin")) {
    const bytes = Buffer.from(value, "base64");
    return `${value}  (base64 of ${bytes.length} bytes: ${hex(bytes, 32)})`;
  }
  if (name === "grpc-status-details-bin") return value;
  return value;
}

/** Space-separated hex of the first `max` bytes, with an ellipsis when there are more. */
export function hex(bytes: Uint8Array, max: number): string {
  const n = Math.min(bytes.length, max);
  let s = "";
  for (let i = 0; i < n; i++) s += (i ? " " : "") + bytes[i].toString(16).padStart(2, "0");
  return bytes.length > max ? `${s} …` : s;
}

const WIRE_TYPE_NAMES = ["VARINT", "I64", "LEN", "SGROUP", "EGROUP", "I32"];

/** Renders decoded fields like `protoc --decode_raw`, with the wire type of each field. */
export function formatRawFields(fields: RawField[], indent = "  "): string[] {
  const lines: string[] = [];
  for (const f of fields) {
    const wt = WIRE_TYPE_NAMES[f.wireType] ?? String(f.wireType);
    const head = `${indent}${f.field} (${wt}):`;
    switch (f.kind) {
      case "message":
        lines.push(`${head} {`);
        lines.push(...formatRawFields(f.fields, indent + "  "));
        lines.push(`${indent}}`);
        break;
      case "string":
        lines.push(`${head} ${JSON.stringify(f.value)}`);
        break;
      case "bytes":
        lines.push(`${head} <${f.value.length} bytes: ${hex(f.value, 16)}>`);
        break;
      default:
        lines.push(`${head} ${formatScalar(f)}`);
    }
  }
  return lines;
}

function formatScalar(f: RawField): string {
  if (f.kind === "varint") {
    const zigzag = (f.value >> 1n) ^ -(f.value & 1n);
    return f.value > 1n ? `${f.value}  (sint: ${zigzag})` : String(f.value);
  }
  if (f.kind === "fixed32" || f.kind === "fixed64") return `${f.value}  (0x${f.value.toString(16)})`;
  return "";
}

/**
 * The trace of one call. The server and client create one per stream only when `wireTrace.enabled`
 * is true, and call its methods at the points where bytes cross the wire.
 */
export class CallTrace {
  private readonly start = wireTrace.clock();
  private readonly tag: string;

  constructor(side: TraceSide, path: string, streamId?: number) {
    const id = nextCallId++;
    this.tag = `${side === "client" ? "C" : "S"}${id}${streamId !== undefined ? ` h2#${streamId}` : ""}`;
    this.line("·", `call ${path}`);
  }

  /** Request headers, response headers, or trailers (`kind`), going `dir`. */
  headers(dir: TraceDirection, kind: "HEADERS" | "TRAILERS" | "TRAILERS-ONLY", headers: IncomingHttpHeaders | OutgoingHttpHeaders): void {
    this.line(arrow(dir), `${kind} frame`);
    for (const l of formatHeaders(headers)) this.line(" ", `  ${l}`);
  }

  /** One Length-Prefixed-Message; `framed` includes its 5-byte prefix when `prefixed` is true. */
  message(dir: TraceDirection, compressed: boolean, payload: Uint8Array, prefixed = false): void {
    const body = prefixed ? payload.subarray(PREFIX_LENGTH) : payload;
    const prefix = Buffer.allocUnsafe(PREFIX_LENGTH);
    prefix[0] = compressed ? 1 : 0;
    prefix.writeUInt32BE(body.length, 1);
    this.line(arrow(dir), `DATA message: compressed-flag=${compressed ? 1 : 0} length=${body.length}`);
    this.line(" ", `  prefix: ${hex(prefix, PREFIX_LENGTH)}`);
    this.line(" ", `  bytes:  ${body.length ? hex(body, wireTrace.hexBytes) : "(empty: every field at its default)"}`);
    if (compressed) {
      this.line(" ", "  (compressed: fields shown after decompression by the receiver)");
      return;
    }
    const decoded = decodeRaw(body);
    if (decoded.ok) for (const l of formatRawFields(decoded.fields, "    ")) this.line(" ", l);
    else this.line(" ", `    (not a protobuf message: ${decoded.error.message})`);
  }

  /** A message after decompression, so the learner still sees its fields. */
  decompressed(payload: Uint8Array): void {
    this.line(" ", `  decompressed to ${payload.length} bytes: ${hex(payload, wireTrace.hexBytes)}`);
    const decoded = decodeRaw(payload);
    if (decoded.ok) for (const l of formatRawFields(decoded.fields, "    ")) this.line(" ", l);
  }

  /** END_STREAM without trailers: the sender half-closed. */
  halfClose(dir: TraceDirection): void {
    this.line(arrow(dir), "END_STREAM (half-close)");
  }

  reset(dir: TraceDirection, code: number): void {
    this.line(arrow(dir), `RST_STREAM ${http2ErrorName(code)} (0x${code.toString(16)})`);
  }

  note(text: string): void {
    this.line("·", text);
  }

  private line(mark: string, text: string): void {
    const ms = (wireTrace.clock() - this.start).toFixed(3).padStart(9);
    wireTrace.sink(`[${this.tag} +${ms}ms] ${mark} ${text}`);
  }
}

function arrow(dir: TraceDirection): string {
  return dir === "out" ? "→" : "←";
}

/** A GOAWAY frame belongs to the connection, not to a call. */
export function traceGoaway(side: TraceSide, dir: TraceDirection, code: number, lastStreamId: number): void {
  wireTrace.sink(`[${side === "client" ? "C" : "S"}-conn] ${arrow(dir)} GOAWAY ${http2ErrorName(code)} (0x${code.toString(16)}) last-stream-id=${lastStreamId}`);
}
