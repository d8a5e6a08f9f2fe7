// Implements a readable trace of PROTOCOL-HTTP2 "Requests" and "Responses" (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): each frame of a call, for learners.
//
// Off by default and free when off: the server and client check one boolean (`wireTrace.enabled`)
// before creating a CallTrace, and every later hook is behind `trace !== undefined`. Turn it on with
// GRPC_WIRE_TRACE=1, `--trace` on `npm start` and `userctl`, or `enableWireTrace()` in code.
// docs/PROTOCOL.md walks through its output. The same hooks feed the browser viewer
// (src/viewer/) through `wireTrace.observer` (src/wire/trace-observer.ts).

import { isUtf8 } from "node:buffer";
import type { Http2Session, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { decodeRaw, type RawField } from "../codec/raw.js";
import { PREFIX_LENGTH } from "./framing.js";
import { http2ErrorName } from "./rst-stream.js";
import { decodeStatusMessage } from "./status-message.js";
import { statusName, type StatusCode } from "./status.js";
import type { CallObserver, WireObserver } from "./trace-observer.js";

/** Where trace lines go, and whether they are produced at all. */
export interface WireTraceConfig {
  /** What the hooks test: true when the text trace or an observer is on. */
  enabled: boolean;
  /** Whether text lines are produced (the trace proper). */
  text: boolean;
  /** Receives every event as data (the viewer), or undefined. */
  observer: WireObserver | undefined;
  /** Receives each line, without a trailing newline. Default: stderr. */
  sink: (line: string) => void;
  /** Milliseconds since some origin, for relative timestamps. */
  clock: () => number;
  /** How many bytes of each message to show in hex. */
  hexBytes: number;
}

const TRACE_ENV = process.env.GRPC_WIRE_TRACE === "1" || process.env.GRPC_WIRE_TRACE === "true";

export const wireTrace: WireTraceConfig = {
  enabled: TRACE_ENV,
  text: TRACE_ENV,
  observer: undefined,
  sink: (line) => process.stderr.write(line + "\n"),
  clock: () => performance.now(),
  hexBytes: 256,
};

/** Turns the trace on (for `--trace` flags), optionally sending lines somewhere else. */
export function enableWireTrace(sink?: (line: string) => void): void {
  wireTrace.enabled = true;
  wireTrace.text = true;
  if (sink) wireTrace.sink = sink;
}

/** Sends every traced event to `observer` too (or stops, with undefined); the text trace is unchanged. */
export function setWireObserver(observer: WireObserver | undefined): void {
  wireTrace.observer = observer;
  wireTrace.enabled = wireTrace.text || observer !== undefined;
}

export type TraceSide = "client" | "server";
/** `out` is what this process writes on the wire; `in` what it reads. */
export type TraceDirection = "in" | "out";

let nextCallId = 1;
let nextConnId = 1;

/** Header names whose values are secrets: shown masked. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key"]);

/** A header value as the trace shows it: secrets masked (both the text trace and the viewer use this). */
export function shownHeaderValue(name: string, value: string): string {
  return SECRET_HEADERS.has(name) ? maskSecret(value) : value;
}

/** Masks a credential, keeping the scheme so the reader sees what kind it was. */
export function maskSecret(value: string): string {
  const space = value.indexOf(" ");
  return space > 0 ? `${value.slice(0, space)} ****` : "****";
}

/**
 * One line per header, pseudo-headers first as HTTP/2 sends them. Secrets masked; `-bin` values
 * (base64 on the wire, "Custom-Metadata") decoded to hex and, when they parse, to protobuf fields
 * (grpc-status-details-bin is a google.rpc.Status); `grpc-message` percent-decoded; `grpc-status`
 * named.
 */
export function formatHeaders(headers: IncomingHttpHeaders | OutgoingHttpHeaders): string[] {
  const lines: string[] = [];
  const names = Object.keys(headers).sort((a, b) => Number(b.startsWith(":")) - Number(a.startsWith(":")));
  for (const name of names) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [String(raw)];
    for (const value of values) {
      if (SECRET_HEADERS.has(name)) lines.push(`${name}: ${maskSecret(value)}`);
      else if (name.endsWith("-bin")) {
        const bytes = Buffer.from(value, "base64");
        lines.push(`${name}: ${value}`, `  base64 of ${bytes.length} bytes:`, ...hexRows(bytes, wireTrace.hexBytes, "    "));
        const decoded = bytes.length > 0 ? decodeRaw(bytes) : undefined;
        if (decoded?.ok) lines.push("  fields (field number, wire type):", ...formatRawFields(decoded.fields, "    "));
      } else if (name === "grpc-status") lines.push(`${name}: ${value}  (${statusName(Number(value) as StatusCode)})`);
      else if (name === "grpc-message" && value.includes("%")) lines.push(`${name}: ${value}  (decoded: ${JSON.stringify(decodeStatusMessage(value))})`);
      else lines.push(`${name}: ${value}`);
    }
  }
  return lines;
}

/** Space-separated hex of the first `max` bytes, with an ellipsis when there are more. */
export function hex(bytes: Uint8Array, max: number): string {
  const n = Math.min(bytes.length, max);
  let s = "";
  for (let i = 0; i < n; i++) s += (i ? " " : "") + bytes[i].toString(16).padStart(2, "0");
  return bytes.length > max ? `${s} … (${bytes.length - max} more)` : s;
}

/** Hex in rows of 16 bytes, each row starting with its offset (as `xxd`, without the text column). */
export function hexRows(bytes: Uint8Array, max: number, indent: string): string[] {
  const n = Math.min(bytes.length, max);
  const rows: string[] = [];
  for (let off = 0; off < n; off += 16) {
    rows.push(`${indent}${off.toString(16).padStart(4, "0")}  ${hex(bytes.subarray(off, Math.min(off + 16, n)), 16)}`);
  }
  if (bytes.length > max) rows.push(`${indent}… ${bytes.length - max} more bytes`);
  return rows;
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
        // protoc prefers the message reading; text such as "email" happens to parse as one (field
        // 12, I32), so printable text is shown as a string here, which is what a reader expects.
        if (isText(f.bytes)) {
          lines.push(`${head} ${JSON.stringify(Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength).toString("utf8"))}`);
          break;
        }
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

/** UTF-8 without control characters: a tag byte below 0x20 (fields 1-3) makes a message not text. */
function isText(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] < 0x20 || bytes[i] === 0x7f) return false;
  return isUtf8(bytes);
}

function formatScalar(f: RawField): string {
  if (f.kind === "varint") {
    // Without a schema a varint may be uint, int (two's complement) or sint (zigzag): show the
    // zigzag reading too when it differs.
    // Without a schema a varint may be unsigned, two's complement (a negative int32/int64 takes
    // 10 bytes) or zigzag (sint32/sint64): show the signed reading when the top bit is set.
    return f.value >= 1n << 63n ? `${f.value}  (as int64: ${BigInt.asIntN(64, f.value)})` : String(f.value);
  }
  if (f.kind === "fixed32" || f.kind === "fixed64") return `${f.value}  (0x${f.value.toString(16)})`;
  return "";
}

/** What a trace needs of a stream: its id, known on a client only once the stream is opened. */
export interface TracedStream {
  readonly id?: number | undefined;
}

/**
 * The trace of one call. The server and client create one per stream only when `wireTrace.enabled`
 * is true, and call its methods at the points where bytes cross the wire. Every line carries the
 * call id (`C1` client, `S1` server) and the time since the call started.
 */
export class CallTrace {
  private readonly start = wireTrace.clock();
  private readonly tag: string;
  private resetSent = false;
  private streamShown = false;
  private plain: Uint8Array | undefined;
  /** Text lines wanted (read once: a call is traced the same way from start to end). */
  private readonly text = wireTrace.text;
  /** The viewer's recorder of this call, when an observer is on. */
  private readonly obs: CallObserver | undefined;

  constructor(side: TraceSide, path: string, detail?: string) {
    this.tag = `${side === "client" ? "C" : "S"}${nextCallId++}`;
    this.obs = wireTrace.observer?.call(side, this.tag, path);
    if (this.text) this.line("·", `call ${path}${detail === undefined ? "" : ` ${detail}`}`);
  }

  /** The connection carrying the call, and the stream when known (for the viewer: its peer, GOAWAY frames on it). */
  session(session: Http2Session | undefined, streamId?: number): void {
    if (this.obs === undefined) return;
    if (session !== undefined) this.obs.connection(sessionConns.get(session), peerOf(session));
    if (streamId !== undefined) this.obs.stream(streamId);
  }

  /** Says which HTTP/2 stream carries the call, once (a client learns the id after opening it). */
  stream(id: number | undefined): void {
    if (this.streamShown || id === undefined) return;
    this.streamShown = true;
    this.obs?.stream(id);
    if (this.text) this.line("·", `on HTTP/2 stream ${id}`);
  }

  /** Request headers, response headers, or trailers (`kind`), going `dir`. */
  headers(dir: TraceDirection, kind: "HEADERS" | "TRAILERS" | "TRAILERS-ONLY", headers: IncomingHttpHeaders | OutgoingHttpHeaders, endStream = kind !== "HEADERS"): void {
    this.obs?.headers(dir, kind, headers, endStream);
    if (!this.text) return;
    const what = kind === "HEADERS" ? "HEADERS" : kind === "TRAILERS" ? "HEADERS (trailers)" : "HEADERS (Trailers-Only)";
    this.line(arrow(dir), `${what}${endStream ? " +END_STREAM" : ""}`, formatHeaders(headers).map((l) => `    ${l}`));
  }

  /**
   * One Length-Prefixed-Message in DATA. `payload` starts with its 5-byte prefix when `prefixed`.
   * A sender passes `plain`, the message before compression, so its fields can be shown.
   */
  message(dir: TraceDirection, compressed: boolean, payload: Uint8Array, prefixed = false, plain?: Uint8Array, endStream = false): void {
    const body = prefixed ? payload.subarray(PREFIX_LENGTH) : payload;
    if (this.obs !== undefined) {
      this.obs.message(dir, compressed, body, compressed ? (plain ?? this.plain) : undefined, endStream);
      if (!this.text) this.plain = undefined;
    }
    if (!this.text) return;
    const prefix = Buffer.allocUnsafe(PREFIX_LENGTH);
    prefix[0] = compressed ? 1 : 0;
    prefix.writeUInt32BE(body.length, 1);
    const lines = [`    prefix: ${hex(prefix, PREFIX_LENGTH)}  (compressed-flag ${compressed ? 1 : 0}, length ${body.length} = 0x${body.length.toString(16)})`];
    if (body.length === 0) lines.push("    message: 0 bytes (every field at its default)");
    else lines.push(`    message: ${body.length} bytes`, ...hexRows(body, wireTrace.hexBytes, "      "));
    if (compressed) {
      plain ??= this.plain;
      this.plain = undefined;
      if (plain !== undefined) this.fields(plain, "before compression", lines);
    } else {
      this.fields(body, "fields (field number, wire type)", lines);
    }
    this.line(arrow(dir), `DATA${endStream ? " +END_STREAM" : ""}: Length-Prefixed-Message`, lines);
  }

  /** A sender's message before compression, shown with the next compressed {@link message}. */
  beforeCompression(payload: Uint8Array): void {
    this.plain = payload;
  }

  /** A received message after decompression, so the learner still sees its fields. */
  decompressed(payload: Uint8Array): void {
    this.obs?.decompressed(payload);
    if (!this.text) return;
    const lines: string[] = [];
    this.fields(payload, "decompressed", lines);
    this.line("·", "message inflated by the receiver", lines);
  }

  /** Appends the decoded fields of `bytes` (and their hex unless `label` starts with "fields"). */
  private fields(bytes: Uint8Array, label: string, out: string[]): void {
    if (label.startsWith("fields")) out.push(`    ${label}:`);
    else out.push(`    ${label}: ${bytes.length} bytes`, ...hexRows(bytes, wireTrace.hexBytes, "      "), "    fields (field number, wire type):");
    const decoded = decodeRaw(bytes);
    if (!decoded.ok) out.push(`      (not a protobuf message: ${decoded.error.message})`);
    else if (decoded.fields.length === 0) out.push("      (none)");
    else out.push(...formatRawFields(decoded.fields, "      "));
  }

  /** END_STREAM on an empty DATA frame: the sender half-closed. */
  halfClose(dir: TraceDirection): void {
    this.obs?.halfClose(dir);
    if (this.text) this.line(arrow(dir), "DATA +END_STREAM (half-close: no more messages)");
  }

  /** RST_STREAM we send. */
  reset(code: number): void {
    this.resetSent = true;
    this.obs?.reset("out", code);
    if (this.text) this.line("→", `RST_STREAM ${http2ErrorName(code)} (0x${code.toString(16)})`);
  }

  /** The stream closed; `rstCode` is node's `stream.rstCode` (0 for a normal close). */
  closed(rstCode: number | undefined): void {
    const resetIn = rstCode !== undefined && rstCode !== 0 && !this.resetSent;
    if (this.obs !== undefined) {
      if (resetIn) this.obs.reset("in", rstCode);
      this.obs.closed();
    }
    if (!this.text) return;
    if (resetIn) this.line("←", `RST_STREAM ${http2ErrorName(rstCode)} (0x${rstCode.toString(16)})`);
    this.line("·", "stream closed");
  }

  note(text: string): void {
    this.obs?.note(text);
    if (this.text) this.line("·", text);
  }

  /** One event: a head line with the time since the call started, and detail lines under it. */
  private line(mark: string, text: string, details?: string[]): void {
    const ms = (wireTrace.clock() - this.start).toFixed(3).padStart(8);
    const tag = `[${this.tag} +${ms}ms]`;
    wireTrace.sink(`${tag} ${mark} ${text}`);
    if (details !== undefined) for (const d of details) wireTrace.sink(`[${this.tag}]${d}`);
  }
}

function arrow(dir: TraceDirection): string {
  return dir === "out" ? "→" : "←";
}

/** A GOAWAY frame belongs to the connection, not to a call: its lines are tagged `S-conn1`, `C-conn1`. */
export function traceGoaway(conn: string, dir: TraceDirection, code: number, lastStreamId: number | string, debug?: Uint8Array): void {
  wireTrace.observer?.goaway(conn, dir, code, lastStreamId, debug);
  if (!wireTrace.text) return; // turned off since the connection opened
  const data = debug !== undefined && debug.length > 0 ? ` debug-data=${JSON.stringify(Buffer.from(debug).toString("latin1"))}` : "";
  wireTrace.sink(`[${conn}] ${arrow(dir)} GOAWAY ${http2ErrorName(code)} (0x${code.toString(16)}) last-stream-id=${lastStreamId}${data}`);
}

/**
 * Traces one HTTP/2 connection: its opening, GOAWAY both ways, and its end. Call only when
 * `wireTrace.enabled`. Node has no event for a GOAWAY we send, so `goaway()` is wrapped (`close()`
 * sends its GOAWAY NO_ERROR through it too).
 */
export function traceSession(session: Http2Session, side: TraceSide): string {
  const conn = `${side === "client" ? "C" : "S"}-conn${nextConnId++}`;
  sessionConns.set(session, conn);
  const peer = peerOf(session);
  if (wireTrace.text) wireTrace.sink(`[${conn}] · HTTP/2 connection${peer === undefined ? "" : ` with ${peer}`}`);
  session.on("goaway", (code: number, last: number, data?: Buffer) => traceGoaway(conn, "in", code, last, data));
  const goaway = session.goaway;
  session.goaway = function (this: Http2Session, code?: number, last?: number, data?: NodeJS.ArrayBufferView) {
    // Node fills in a last-stream-id of 0 with the last stream it processed.
    const bytes = data === undefined ? undefined : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (!this.destroyed) traceGoaway(conn, "out", code ?? 0, last || "last processed", bytes);
    goaway.call(this, code, last, data);
  };
  session.once("close", () => {
    if (wireTrace.text) wireTrace.sink(`[${conn}] · connection closed`);
  });
  return conn;
}

/** The trace's name of each traced connection (`S-conn1`), for the viewer. */
const sessionConns = new WeakMap<Http2Session, string>();

/** `address:port` of the other end of a connection, when its socket still says. */
function peerOf(session: Http2Session): string | undefined {
  const sock = session.socket as { remoteAddress?: string; remotePort?: number } | undefined;
  return sock?.remoteAddress === undefined ? undefined : `${sock.remoteAddress}:${sock.remotePort}`;
}
