// Records each call's PROTOCOL-HTTP2 events ("Requests", "Responses", "Connection Management →
// GOAWAY Frame") as data for the browser viewer: a ring buffer of the last calls, with a cap on the
// bytes kept per message and per call, so memory stays bounded however long the process runs.
// Fed by the wire trace's hooks through `wireTrace.observer` (src/wire/trace-observer.ts).

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import type { CallObserver, ObservedDirection, WireObserver } from "../wire/trace-observer.js";
import { shownHeaderValue } from "../wire/trace.js";
import { Status, type StatusName } from "../wire/status.js";

export type EventKind = "HEADERS" | "TRAILERS" | "TRAILERS-ONLY" | "DATA" | "HALF-CLOSE" | "RST_STREAM" | "GOAWAY" | "CLOSED" | "NOTE";

/** One thing that crossed the wire (or a note), as captured. Byte arrays are copies, capped. */
export interface CapturedEvent {
  /** Milliseconds since the call started. */
  readonly t: number;
  /** `out`: written by the capturing process; `in`: read by it; `local`: a note. */
  readonly dir: ObservedDirection | "local";
  readonly kind: EventKind;
  readonly endStream?: boolean;
  /** Header name and shown value (secrets masked), in the order the hook saw them. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly compressed?: boolean;
  /** Message-Length as on the wire. */
  readonly length?: number;
  /** The message as on the wire (no prefix), at most `maxMessageBytes`; undefined once the call's budget is spent. */
  readonly bytes?: Uint8Array;
  /** A compressed message's bytes before compression (sender) or after decompression (receiver). */
  plain?: Uint8Array;
  readonly code?: number;
  readonly text?: string;
}

export interface CapturedCall {
  readonly id: number;
  /** The trace's call id: `C1` (client side) or `S1` (server side). */
  readonly tag: string;
  readonly side: "client" | "server";
  readonly path: string;
  /** Wall-clock time the call started (ms since the epoch). */
  readonly startedAt: number;
  conn?: string;
  peer?: string;
  streamId?: number;
  readonly events: CapturedEvent[];
  /** Events not kept because the call reached `maxEventsPerCall`. */
  droppedEvents: number;
  /** Message bytes kept for this call, against `maxCallBytes`. */
  bytesKept: number;
  /** Messages sent and received by the capturing side. */
  sent: number;
  received: number;
  status?: number;
  statusMessage?: string;
  /** Milliseconds from start to the stream's close. */
  durationMs?: number;
  done: boolean;
}

export interface CaptureLimits {
  /** Calls kept (the oldest is dropped first). Default 200. */
  readonly maxCalls: number;
  /** Bytes kept of one message (the rest is counted, not kept). Default 64 KiB. */
  readonly maxMessageBytes: number;
  /** Events kept per call (a long stream keeps its first ones). Default 500. */
  readonly maxEventsPerCall: number;
  /** Message bytes kept per call, all messages together. Default 1 MiB. */
  readonly maxCallBytes: number;
}

export const DEFAULT_LIMITS: CaptureLimits = { maxCalls: 200, maxMessageBytes: 64 * 1024, maxEventsPerCall: 500, maxCallBytes: 1024 * 1024 };

/** The capture: implements the trace's observer; `onChange` hears of every call that changed. */
export class Capture implements WireObserver {
  readonly limits: CaptureLimits;
  private readonly ring: (CapturedCall | undefined)[];
  private next = 0;
  private nextId = 1;
  /** Told of each change (the HTTP server batches them into Server-Sent Events). */
  onChange: ((call: CapturedCall) => void) | undefined = undefined;

  constructor(limits: Partial<CaptureLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.ring = new Array<CapturedCall | undefined>(this.limits.maxCalls).fill(undefined);
  }

  /** The calls kept, oldest first. */
  calls(): CapturedCall[] {
    const out: CapturedCall[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const c = this.ring[(this.next + i) % this.ring.length];
      if (c !== undefined) out.push(c);
    }
    return out;
  }

  get(id: number): CapturedCall | undefined {
    const c = this.ring[(id - 1) % this.ring.length];
    return c?.id === id ? c : undefined;
  }

  call(side: "client" | "server", tag: string, path: string): CallObserver {
    const call: CapturedCall = { id: this.nextId++, tag, side, path, startedAt: Date.now(), events: [], droppedEvents: 0, bytesKept: 0, sent: 0, received: 0, done: false };
    this.ring[(call.id - 1) % this.ring.length] = call;
    this.next = call.id % this.ring.length;
    return new CallRecorder(this, call, performance.now());
  }

  goaway(conn: string, dir: ObservedDirection, code: number, lastStreamId: number | string, debug: Uint8Array | undefined): void {
    // A GOAWAY belongs to the connection: it is shown on the calls open on it, else on its last call.
    const onConn = this.calls().filter((c) => c.conn === conn);
    const open = onConn.filter((c) => !c.done);
    const text = `last-stream-id=${lastStreamId}${debug !== undefined && debug.length > 0 ? ` debug-data=${JSON.stringify(Buffer.from(debug).toString("latin1"))}` : ""}`;
    for (const c of open.length > 0 ? open : onConn.slice(-1)) {
      this.push(c, { t: performance.now() - (c as CallWithStart)[START], dir, kind: "GOAWAY", code, text });
    }
  }

  /** Adds `event` to `call` unless the call holds its quota of events. */
  push(call: CapturedCall, event: CapturedEvent): void {
    if (call.events.length < this.limits.maxEventsPerCall) call.events.push(event);
    else call.droppedEvents++;
    this.onChange?.(call);
  }

  /** A copy of at most `maxMessageBytes` of `bytes`, within the call's byte budget; undefined past it. */
  keep(call: CapturedCall, bytes: Uint8Array): Uint8Array | undefined {
    const n = Math.min(bytes.length, this.limits.maxMessageBytes, this.limits.maxCallBytes - call.bytesKept);
    if (n < 0 || (n === 0 && bytes.length > 0)) return undefined;
    call.bytesKept += n;
    return Uint8Array.prototype.slice.call(bytes, 0, n);
  }
}

const START = Symbol("start");
type CallWithStart = CapturedCall & { [START]: number };

/** The observer of one call: turns each hook into a {@link CapturedEvent}. */
class CallRecorder implements CallObserver {
  constructor(
    private readonly capture: Capture,
    private readonly call: CapturedCall,
    private readonly start: number,
  ) {
    (call as CallWithStart)[START] = start;
  }

  private now(): number {
    return performance.now() - this.start;
  }

  connection(conn: string | undefined, peer: string | undefined): void {
    if (conn !== undefined) this.call.conn = conn;
    if (peer !== undefined) this.call.peer = peer;
  }

  stream(id: number): void {
    this.call.streamId = id;
    this.capture.onChange?.(this.call);
  }

  headers(dir: ObservedDirection, kind: "HEADERS" | "TRAILERS" | "TRAILERS-ONLY", headers: IncomingHttpHeaders | OutgoingHttpHeaders, endStream: boolean): void {
    const list: Array<readonly [string, string]> = [];
    for (const name of Object.keys(headers)) {
      const raw = headers[name];
      if (raw === undefined) continue;
      for (const v of Array.isArray(raw) ? raw : [String(raw)]) list.push([name, shownHeaderValue(name, v)] as const);
    }
    list.sort((a, b) => Number(b[0].startsWith(":")) - Number(a[0].startsWith(":")));
    if (kind !== "HEADERS") {
      const status = list.find(([n]) => n === "grpc-status")?.[1];
      if (status !== undefined) this.call.status = Number(status);
      const message = list.find(([n]) => n === "grpc-message")?.[1];
      if (message !== undefined) this.call.statusMessage = message;
    }
    this.capture.push(this.call, { t: this.now(), dir, kind, endStream, headers: list });
  }

  message(dir: ObservedDirection, compressed: boolean, body: Uint8Array, plain: Uint8Array | undefined, endStream: boolean): void {
    if (dir === "out") this.call.sent++;
    else this.call.received++;
    if (this.call.events.length >= this.capture.limits.maxEventsPerCall) {
      this.capture.push(this.call, { t: 0, dir, kind: "DATA" }); // counted as dropped
      return;
    }
    const event: CapturedEvent = { t: this.now(), dir, kind: "DATA", endStream, compressed, length: body.length };
    const bytes = this.capture.keep(this.call, body);
    const kept = plain === undefined ? undefined : this.capture.keep(this.call, plain);
    this.capture.push(this.call, { ...event, ...(bytes === undefined ? {} : { bytes }), ...(kept === undefined ? {} : { plain: kept }) });
  }

  decompressed(plain: Uint8Array): void {
    const events = this.call.events;
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (e.kind === "DATA" && e.dir === "in") {
        const kept = this.capture.keep(this.call, plain);
        if (kept !== undefined) e.plain = kept;
        return;
      }
    }
  }

  halfClose(dir: ObservedDirection): void {
    this.capture.push(this.call, { t: this.now(), dir, kind: "HALF-CLOSE", endStream: true });
  }

  reset(dir: ObservedDirection, code: number): void {
    this.capture.push(this.call, { t: this.now(), dir, kind: "RST_STREAM", code });
  }

  closed(): void {
    this.call.durationMs = this.now();
    this.call.done = true;
    this.capture.push(this.call, { t: this.call.durationMs, dir: "local", kind: "CLOSED" });
  }

  note(text: string): void {
    // The client's closing note names the status when no trailers said it (a local cancel or deadline).
    const m = /^call ended: ([A-Z_]+)/.exec(text);
    if (m !== null && this.call.status === undefined && m[1] in Status) this.call.status = Status[m[1] as StatusName];
    this.capture.push(this.call, { t: this.now(), dir: "local", kind: "NOTE", text });
  }
}
