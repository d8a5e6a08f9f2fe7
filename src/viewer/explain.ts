// Turns captured calls into what the viewer page shows, each part with the PROTOCOL-HTTP2 rule it
// illustrates (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md: "Requests",
// "Responses", "Errors", "GOAWAY Frame") and the section of docs/PROTOCOL.md that walks through it.

import { http2ErrorName } from "../wire/rst-stream.js";
import { decodeStatusMessage } from "../wire/status-message.js";
import { statusName } from "../wire/status.js";
import { parseTimeout } from "../wire/timeout.js";
import type { CapturedCall, CapturedEvent } from "./capture.js";
import { decodeMessage, type FieldNode } from "./decode.js";
import type { SchemaIndex } from "./schema.js";

export interface Link {
  readonly label: string;
  readonly href: string;
}

const SPEC = "https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md";
const spec = (label: string, anchor: string): Link => ({ label: `PROTOCOL-HTTP2: ${label}`, href: `${SPEC}#${anchor}` });
/** Our guide, served by the viewer itself (src/viewer/docs.ts). */
const doc = (label: string, anchor: string): Link => ({ label: `docs/PROTOCOL.md: ${label}`, href: `/docs/PROTOCOL.md#${anchor}` });

export const LINKS = {
  outline: [spec("Outline", "outline"), doc("1. Outline", "1-outline")],
  request: [spec("Requests", "requests"), doc("2. Request-Headers", "2-request-headers")],
  message: [spec("Length-Prefixed-Message", "compressed-flag"), spec("Data Frames", "data-frames"), doc("3. Length-Prefixed-Message", "3-length-prefixed-message")],
  halfClose: [spec("Requests (EOS)", "requests"), doc("Part 2: a bidirectional stream", "part-2-one-bidirectional-stream-streamuserupdates")],
  response: [spec("Responses", "responses"), doc("4. Response-Headers", "4-response-headers")],
  trailers: [spec("Responses (Trailers)", "responses"), doc("6. Trailers", "6-trailers")],
  trailersOnly: [spec("Responses (Trailers-Only)", "responses"), doc("7. Trailers-Only", "7-trailers-only-a-call-that-fails-at-once")],
  reset: [spec("Errors", "errors"), spec("Client Cancellation", "client-cancellation"), spec("Early Server Closure", "early-server-closure"), doc("Cancellation", "cancellation")],
  goaway: [spec("GOAWAY Frame", "goaway-frame"), doc("Graceful shutdown (GOAWAY)", "graceful-shutdown-goaway")],
  timeout: [spec("Requests (Timeout)", "requests"), doc("Deadlines", "deadlines")],
  encoding: [spec("Message-Encoding", "message-encoding"), doc("Compression", "compression")],
  details: [{ label: "gRPC error model", href: "https://grpc.io/docs/guides/error/" }, doc("Status details", "status-details-grpc-status-details-bin")],
  stream: [spec("Stream Identification", "stream-identification"), doc("1. Outline", "1-outline")],
} as const satisfies Record<string, readonly Link[]>;

export interface DecodedBytes {
  /** The bytes in hex, no separators. */
  readonly hex: string;
  readonly typeName?: string;
  readonly fields: FieldNode[];
  readonly error?: string;
}

export interface HeaderView {
  readonly name: string;
  readonly value: string;
  readonly note?: string;
  readonly links?: readonly Link[];
  /** A `-bin` value's bytes, decoded. */
  readonly decoded?: DecodedBytes;
}

export interface MessageView {
  /** 1-based, per direction. */
  readonly index: number;
  readonly compressed: boolean;
  readonly length: number;
  /** The 5-byte prefix in hex. */
  readonly prefix: string;
  /** The bytes kept (at most the capture's cap); `kept < length` when cut. */
  readonly kept: number;
  readonly body: DecodedBytes | undefined;
  /** A compressed message before compression / after decompression. */
  readonly plain?: DecodedBytes;
}

export interface EventView {
  readonly t: number;
  readonly kind: string;
  readonly label: string;
  /** Which lane sends it; "local" for notes. */
  readonly from: "client" | "server" | "local";
  readonly endStream?: boolean;
  readonly headers?: HeaderView[];
  readonly message?: MessageView;
  readonly text?: string;
  readonly links: readonly Link[];
}

export interface CallSummary {
  readonly id: number;
  readonly tag: string;
  readonly side: "client" | "server";
  readonly path: string;
  readonly kind?: string;
  readonly peer?: string;
  readonly status?: number;
  readonly statusName?: string;
  readonly statusMessage?: string;
  readonly durationMs?: number;
  readonly sent: number;
  readonly received: number;
  readonly done: boolean;
  readonly startedAt: number;
}

export interface CallView extends CallSummary {
  readonly conn?: string;
  readonly streamId?: number;
  readonly droppedEvents: number;
  readonly events: EventView[];
  readonly links: readonly Link[];
}

export function summarize(c: CapturedCall, schema: SchemaIndex): CallSummary {
  const kind = schema.kind(c.path);
  return {
    id: c.id,
    tag: c.tag,
    side: c.side,
    path: c.path,
    ...(kind === undefined ? {} : { kind }),
    ...(c.peer === undefined ? {} : { peer: c.peer }),
    ...(c.status === undefined ? {} : { status: c.status, statusName: statusName(c.status) }),
    ...(c.statusMessage === undefined ? {} : { statusMessage: decodeStatusMessage(c.statusMessage) }),
    ...(c.durationMs === undefined ? {} : { durationMs: c.durationMs }),
    sent: c.sent,
    received: c.received,
    done: c.done,
    startedAt: c.startedAt,
  };
}

export function describeCall(c: CapturedCall, schema: SchemaIndex): CallView {
  const counts = { client: 0, server: 0 };
  const method = schema.methods.get(c.path);
  const events = c.events.map((e) => {
    const from = e.dir === "local" ? "local" : (c.side === "client") === (e.dir === "out") ? "client" : "server";
    const typeName = from === "client" ? method?.input : method?.output;
    return describeEvent(e, from, from !== "local" && e.kind === "DATA" ? ++counts[from] : 0, typeName, schema);
  });
  return {
    ...summarize(c, schema),
    ...(c.conn === undefined ? {} : { conn: c.conn }),
    ...(c.streamId === undefined ? {} : { streamId: c.streamId }),
    droppedEvents: c.droppedEvents,
    events,
    links: LINKS.stream,
  };
}

function describeEvent(e: CapturedEvent, from: "client" | "server" | "local", n: number, typeName: string | undefined, schema: SchemaIndex): EventView {
  const base = { t: e.t, kind: e.kind, from, ...(e.endStream === undefined ? {} : { endStream: e.endStream }) };
  const end = e.endStream === true ? " +END_STREAM" : "";
  switch (e.kind) {
    case "HEADERS":
    case "TRAILERS":
    case "TRAILERS-ONLY": {
      const label = e.kind === "HEADERS" ? `HEADERS${end}` : e.kind === "TRAILERS" ? `HEADERS (trailers)${end}` : `HEADERS (Trailers-Only)${end}`;
      const links = e.kind === "TRAILERS" ? LINKS.trailers : e.kind === "TRAILERS-ONLY" ? LINKS.trailersOnly : from === "client" ? LINKS.request : LINKS.response;
      return { ...base, label, links, headers: (e.headers ?? []).map(([name, value]) => describeHeader(name, value, from === "client", schema)) };
    }
    case "DATA": {
      const message: MessageView = {
        index: n,
        compressed: e.compressed === true,
        length: e.length ?? 0,
        prefix: prefixHex(e.compressed === true, e.length ?? 0),
        kept: e.bytes?.length ?? 0,
        body: e.bytes === undefined ? undefined : e.compressed === true ? { hex: hex(e.bytes), fields: [] } : decoded(e.bytes, typeName, schema),
        ...(e.plain === undefined ? {} : { plain: decoded(e.plain, typeName, schema) }),
      };
      const size = `${e.length ?? 0} bytes${e.compressed === true ? ", compressed" : ""}`;
      return { ...base, label: `DATA${end}: message ${n} (${size})`, links: e.compressed === true ? [...LINKS.message, ...LINKS.encoding] : LINKS.message, message };
    }
    case "HALF-CLOSE":
      return { ...base, label: "DATA +END_STREAM (half-close)", links: LINKS.halfClose };
    case "RST_STREAM":
      return { ...base, label: `RST_STREAM ${http2ErrorName(e.code ?? 0)} (0x${(e.code ?? 0).toString(16)})`, links: LINKS.reset };
    case "GOAWAY":
      return { ...base, label: `GOAWAY ${http2ErrorName(e.code ?? 0)} (0x${(e.code ?? 0).toString(16)})`, ...(e.text === undefined ? {} : { text: e.text }), links: LINKS.goaway };
    case "CLOSED":
      return { ...base, label: "stream closed", links: LINKS.outline };
    default:
      return { ...base, label: e.text ?? "", ...(e.text === undefined ? {} : { text: e.text }), links: [] };
  }
}

function decoded(bytes: Uint8Array, typeName: string | undefined, schema: SchemaIndex): DecodedBytes {
  const d = decodeMessage(bytes, typeName, schema);
  return { hex: hex(bytes), ...d };
}

const HEADER_NOTES: Record<string, string> = {
  ":method": "always POST in gRPC (anything else: HTTP 405)",
  ":scheme": "http for h2c, https over TLS",
  ":path": "/Service-Name/method name: the only place the method is named",
  ":authority": "the virtual host the client called",
  ":status": "HTTP status: 200 for every gRPC answer; errors travel in grpc-status",
  "content-type": "application/grpc (+proto is the same): other types are refused with 415",
  te: "trailers: detects proxies that would drop the trailers gRPC needs",
  "user-agent": "grpc-<language>/<version> recommended",
  "grpc-accept-encoding": "the compressions this side can read",
  "grpc-encoding": "the compression of messages whose Compressed-Flag is 1",
  date: "added by node:http2 on every response",
};

const SECRETS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key"]);

function describeHeader(name: string, value: string, request: boolean, schema: SchemaIndex): HeaderView {
  const links = request ? LINKS.request : LINKS.response;
  if (SECRETS.has(name)) return { name, value, note: "a credential: masked, as in the text trace (src/wire/trace.ts maskSecret)", links };
  if (name === "grpc-timeout") {
    const t = parseTimeout(value);
    const units: Record<string, string> = { H: "hours", M: "minutes", S: "seconds", m: "milliseconds", u: "microseconds", n: "nanoseconds" };
    const note = t.ok ? `${value.slice(0, -1)} ${units[value.slice(-1)] ?? "?"} = ${t.timeoutMs} ms left for the call: TimeoutValue (at most 8 digits) + TimeoutUnit` : t.error;
    return { name, value, note, links: LINKS.timeout };
  }
  if (name === "grpc-status") return { name, value, note: `${statusName(Number(value))}: the call's status code`, links: LINKS.trailers };
  if (name === "grpc-message") return { name, value, note: `percent-decoded: ${JSON.stringify(decodeStatusMessage(value))}`, links: LINKS.trailers };
  if (name === "grpc-encoding") return { name, value, note: HEADER_NOTES[name], links: LINKS.encoding };
  if (name.endsWith("-bin")) {
    const bytes = Buffer.from(value, "base64");
    const details = name === "grpc-status-details-bin";
    const d = decoded(bytes, details ? "google.rpc.Status" : undefined, schema);
    const note = details ? `base64 of ${bytes.length} bytes: a google.rpc.Status with its details` : `Binary-Header: base64 of ${bytes.length} bytes`;
    return { name, value, note, links: details ? LINKS.details : links, decoded: d };
  }
  const note = HEADER_NOTES[name];
  if (note !== undefined) return { name, value, note, links };
  if (name.startsWith(":") || name.startsWith("grpc-")) return { name, value };
  return { name, value, note: "Custom-Metadata: an ASCII-Header set by the application", links };
}

function prefixHex(compressed: boolean, length: number): string {
  const b = Buffer.alloc(5);
  b[0] = compressed ? 1 : 0;
  b.writeUInt32BE(length, 1);
  return b.toString("hex");
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}
