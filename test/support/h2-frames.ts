// Test support: hand-built HTTP/2 frames (RFC 9113 §4.1, §6) and HPACK literal header fields
// without indexing or Huffman coding (RFC 7541 §5.1, §5.2, §6.2.2), for attacks and fuzzing from a
// raw socket, below what node:http2's client lets a caller send; and the two raw connections that use them
// (RawConnection for attacks, RawH2 for limit tests).

import * as net from "node:net";
import * as tls from "node:tls";

export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const SettingsId = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** RFC 9113 section 7 error codes: the table src/wire/rst-stream.ts already has. */
export { Http2ErrorCode as ErrorCode } from "../../src/wire/rst-stream.js";

/** One frame: 9-byte header (24-bit length, type, flags, 31-bit stream id) and payload. */
export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(9 + payload.length);
  out.writeUIntBE(payload.length, 0, 3);
  out[3] = type & 0xff;
  out[4] = flags & 0xff;
  out.writeUInt32BE(streamId & 0x7fffffff, 5);
  out.set(payload, 9);
  return out;
}

/** SETTINGS with [id, value] pairs (§6.5); `ack` sends an empty ACK. */
export function settings(pairs: ReadonlyArray<readonly [number, number]> = [], ack = false): Buffer {
  if (ack) return frame(FrameType.SETTINGS, Flag.ACK, 0);
  const p = Buffer.alloc(6 * pairs.length);
  pairs.forEach(([id, value], i) => {
    p.writeUInt16BE(id, 6 * i);
    p.writeUInt32BE(value >>> 0, 6 * i + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, p);
}

export function ping(data: Uint8Array = Buffer.alloc(8), ack = false): Buffer {
  return frame(FrameType.PING, ack ? Flag.ACK : 0, 0, data);
}

export function rstStream(streamId: number, code: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(code >>> 0);
  return frame(FrameType.RST_STREAM, 0, streamId, p);
}

export function windowUpdate(streamId: number, increment: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(increment & 0x7fffffff);
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, p);
}

export function data(streamId: number, payload: Uint8Array, endStream = false): Buffer {
  return frame(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, payload);
}

export function headers(streamId: number, block: Uint8Array, opts: { endStream?: boolean; endHeaders?: boolean } = {}): Buffer {
  const flags = (opts.endStream === true ? Flag.END_STREAM : 0) | (opts.endHeaders === false ? 0 : Flag.END_HEADERS);
  return frame(FrameType.HEADERS, flags, streamId, block);
}

export function continuation(streamId: number, block: Uint8Array, endHeaders = false): Buffer {
  return frame(FrameType.CONTINUATION, endHeaders ? Flag.END_HEADERS : 0, streamId, block);
}

export function goaway(lastStreamId: number, code: number, debug = ""): Buffer {
  const d = Buffer.from(debug);
  const p = Buffer.alloc(8 + d.length);
  p.writeUInt32BE(lastStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(code >>> 0, 4);
  d.copy(p, 8);
  return frame(FrameType.GOAWAY, 0, 0, p);
}

/** An HPACK integer with an N-bit prefix (RFC 7541 §5.1); `first` holds the pattern bits above the prefix. */
export function hpackInt(value: number, prefixBits: number, first = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([first | value]);
  const out = [first | max];
  let v = value - max;
  while (v >= 128) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function hpackString(s: string | Uint8Array): Buffer {
  const b = typeof s === "string" ? Buffer.from(s, "latin1") : Buffer.from(s);
  return Buffer.concat([hpackInt(b.length, 7, 0), b]); // H bit 0: no Huffman
}

/** Literal header field without indexing, new name (§6.2.2: 0000 0000). */
export function literal(name: string, value: string | Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0]), hpackString(name), hpackString(value)]);
}

/** Literal header field with incremental indexing, new name (§6.2.1: 0100 0000): enters the dynamic table. */
export function literalIndexed(name: string, value: string | Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0x40]), hpackString(name), hpackString(value)]);
}

/** Literal header field with incremental indexing, name by its table index (§6.2.1: 01 + 6-bit index). */
export function literalIndexedName(nameIndex: number, value: string | Uint8Array): Buffer {
  return Buffer.concat([hpackInt(nameIndex, 6, 0x40), hpackString(value)]);
}

/** Indexed header field (§6.1): a reference to static (1-61) or dynamic (62+) table entry `index`. */
export function indexed(index: number): Buffer {
  return hpackInt(index, 7, 0x80);
}

/** A header block of literals (no indexing), in order. */
export function headerBlock(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.concat(fields.map(([n, v]) => literal(n, v)));
}

/** The request headers of a gRPC call to `path`, plus extra fields. */
export function grpcRequestBlock(path: string, extra: ReadonlyArray<readonly [string, string]> = []): Buffer {
  return headerBlock([
    [":method", "POST"],
    [":scheme", "http"],
    [":path", path],
    [":authority", "localhost"],
    ["content-type", "application/grpc"],
    ["te", "trailers"],
    ...extra,
  ]);
}

/** A gRPC Length-Prefixed-Message with an explicit (possibly lying) length and flag. */
export function grpcMessage(body: Uint8Array, opts: { compressed?: boolean; length?: number } = {}): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = opts.compressed === true ? 1 : 0;
  out.writeUInt32BE((opts.length ?? body.length) >>> 0, 1);
  out.set(body, 5);
  return out;
}

/** A parsed frame received from the server. */
export interface ReceivedFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** Splits a byte stream into frames; keeps a partial frame for the next push. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  readonly frames: ReceivedFrame[] = [];
  /** Bytes received, in total. */
  bytes = 0;
  push(chunk: Buffer): ReceivedFrame[] {
    this.bytes += chunk.length;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const got: ReceivedFrame[] = [];
    while (this.buf.length >= 9) {
      const len = this.buf.readUIntBE(0, 3);
      if (this.buf.length < 9 + len) break;
      const f = { type: this.buf[3], flags: this.buf[4], streamId: this.buf.readUInt32BE(5) & 0x7fffffff, payload: this.buf.subarray(9, 9 + len) };
      got.push(f);
      this.buf = this.buf.subarray(9 + len);
    }
    // Keep only what matters for assertions (the frame list of a flood could grow large).
    for (const f of got) if (f.type !== FrameType.PING && f.type !== FrameType.SETTINGS) this.frames.push(f);
    return got;
  }
}

/** A RST_STREAM frame's error code (RFC 9113 §6.4). */
export function rstCodeOf(f: ReceivedFrame): number {
  return f.payload.readUInt32BE(0);
}

/** A GOAWAY frame's fields. */
export function parseGoaway(f: ReceivedFrame): { lastStreamId: number; code: number; debug: string } {
  return { lastStreamId: f.payload.readUInt32BE(0) & 0x7fffffff, code: f.payload.readUInt32BE(4), debug: f.payload.subarray(8).toString() };
}

/** A raw TCP connection to the server that records what comes back. */
export class RawConnection {
  readonly socket: net.Socket;
  readonly reader = new FrameReader();
  /** Counts of received frames by type. */
  readonly counts = new Map<number, number>();
  /** The values of the SETTINGS frames the server sent (id -> value), latest wins. */
  readonly serverSettings = new Map<number, number>();
  closed = false;
  readonly closedPromise: Promise<void>;
  private waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      for (const f of this.reader.push(chunk)) {
        this.counts.set(f.type, (this.counts.get(f.type) ?? 0) + 1);
        if (f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0) {
          for (let o = 0; o + 6 <= f.payload.length; o += 6) this.serverSettings.set(f.payload.readUInt16BE(o), f.payload.readUInt32BE(o + 2));
        }
        // ACK the server's SETTINGS so the connection is well-behaved unless the attack says otherwise.
        if (f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0 && this.autoAck && !socket.destroyed) socket.write(settings([], true));
      }
      this.wake();
    });
    socket.on("error", () => {});
    this.closedPromise = new Promise((resolve) =>
      socket.on("close", () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  autoAck = true;

  /** Connects; with `preface` (default) sends the client preface and an empty SETTINGS. */
  static open(port: number, opts: { preface?: boolean; settings?: ReadonlyArray<readonly [number, number]> } = {}): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.setNoDelay(true);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        const c = new RawConnection(socket);
        if (opts.preface !== false) socket.write(Buffer.concat([PREFACE, settings(opts.settings ?? [])]));
        resolve(c);
      });
    });
  }

  /** Writes; resolves when the bytes are handed to the kernel (false if the socket is gone). */
  write(bytes: Buffer): Promise<boolean> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.socket.write(bytes, (err) => resolve(err === undefined || err === null));
    });
  }

  count(type: number): number {
    return this.counts.get(type) ?? 0;
  }

  goaway(): { lastStreamId: number; code: number; debug: string } | undefined {
    const f = this.reader.frames.find((x) => x.type === FrameType.GOAWAY);
    return f === undefined ? undefined : parseGoaway(f);
  }

  /** RST_STREAM codes received, by stream id. */
  resets(): Map<number, number> {
    const m = new Map<number, number>();
    for (const f of this.reader.frames) if (f.type === FrameType.RST_STREAM) m.set(f.streamId, rstCodeOf(f));
    return m;
  }

  /** Waits until `cond` holds or the socket closed (no time limit of its own: the test's bounds it). */
  async until(cond: () => boolean): Promise<void> {
    while (!cond() && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One raw connection (plain or TLS) that records EVERY frame the server sends, SETTINGS and PING
 *  included, and acknowledges them: for tests of stream and connection limits (cf. RawConnection,
 *  which keeps counts and drops SETTINGS/PING from its list so that floods stay cheap). */
export class RawH2 {
  readonly frames: ReceivedFrame[] = [];
  closed = false;
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 9) {
        const len = this.buf.readUIntBE(0, 3);
        if (this.buf.length < 9 + len) break;
        const f: ReceivedFrame = { type: this.buf[3], flags: this.buf[4], streamId: this.buf.readUInt32BE(5) & 0x7fffffff, payload: this.buf.subarray(9, 9 + len) };
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
  async until(pred: (frames: ReceivedFrame[]) => boolean, what = "condition"): Promise<void> {
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
