// Test support: a raw HTTP/2 connection over a plain TCP socket (RFC 9113 §3.4 preface, §4.1 frame
// layout; RFC 7541 literal header fields), for tests that must do what node's own client will not
// (ignore SETTINGS_MAX_CONCURRENT_STREAMS, reset streams in the same write that opened them).

import * as net from "node:net";
import * as tls from "node:tls";

export const FrameType = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8 } as const;
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([h, payload]);
}

function hpackInt(value: number, prefixBits: number, first: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  value -= max;
  while (value >= 128) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
  return out;
}

/** A header block of literal fields without indexing (no Huffman): easy to write, valid HPACK. */
export function headerBlock(headers: Record<string, string>): Buffer {
  const parts: number[] = [];
  for (const [name, value] of Object.entries(headers)) {
    parts.push(0x00);
    const n = Buffer.from(name, "latin1");
    const v = Buffer.from(value, "latin1");
    parts.push(...hpackInt(n.length, 7, 0), ...n, ...hpackInt(v.length, 7, 0), ...v);
  }
  return Buffer.from(parts);
}

export function grpcRequestHeaders(path: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ":method": "POST", ":scheme": "http", ":path": path, ":authority": "localhost", "content-type": "application/grpc", te: "trailers", ...extra };
}

/** A gRPC Length-Prefixed-Message holding `message`. */
export function envelope(message: Buffer): Buffer {
  const p = Buffer.alloc(5);
  p.writeUInt32BE(message.length, 1);
  return Buffer.concat([p, message]);
}

/** One raw connection: writes frames, parses and records every frame the server sends. */
export class RawH2 {
  readonly frames: Frame[] = [];
  closed = false;
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 9) {
        const len = this.buf.readUIntBE(0, 3);
        if (this.buf.length < 9 + len) break;
        const f: Frame = { type: this.buf[3], flags: this.buf[4], streamId: this.buf.readUInt32BE(5) & 0x7fffffff, payload: this.buf.subarray(9, 9 + len) };
        this.buf = this.buf.subarray(9 + len);
        this.frames.push(f);
        // Acknowledge the server's SETTINGS and PINGs as a well-behaved peer would.
        if (f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0 && this.autoAck) this.write(frame(FrameType.SETTINGS, Flag.ACK, 0));
        if (f.type === FrameType.PING && (f.flags & Flag.ACK) === 0 && this.autoAck) this.write(frame(FrameType.PING, Flag.ACK, 0, f.payload));
      }
      this.wake();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Answer SETTINGS and PING with ACKs (default true). */
  autoAck = true;

  /** Connects and sends the client preface and an empty SETTINGS frame (unless `preface` is false).
   *  With `tls` (the CA to trust), over TLS with ALPN h2. */
  static async connect(port: number, opts: { preface?: boolean; tls?: { ca: Buffer } } = {}): Promise<RawH2> {
    const socket: net.Socket =
      opts.tls !== undefined
        ? tls.connect({ port, host: "127.0.0.1", servername: "localhost", ALPNProtocols: ["h2"], ca: opts.tls.ca })
        : net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls !== undefined ? "secureConnect" : "connect", resolve);
      socket.once("error", reject);
    });
    const c = new RawH2(socket);
    if (opts.preface !== false) c.write(Buffer.concat([PREFACE, frame(FrameType.SETTINGS, 0, 0)]));
    return c;
  }

  write(b: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(b);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `pred` holds on the frames seen so far (or the socket closed: then it checks once more and rejects). */
  async until(pred: (frames: Frame[]) => boolean, what = "condition"): Promise<void> {
    for (;;) {
      if (pred(this.frames)) return;
      if (this.closed) throw new Error(`connection closed before ${what}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Resolves when the server has closed the connection. */
  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  close(): void {
    this.socket.destroy();
  }
}

export function rstCodeOf(f: Frame): number {
  return f.payload.readUInt32BE(0);
}

export function goawayOf(f: Frame): { lastStreamId: number; code: number; debug: string } {
  return { lastStreamId: f.payload.readUInt32BE(0) & 0x7fffffff, code: f.payload.readUInt32BE(4), debug: f.payload.subarray(8).toString() };
}
