// A CreateUser load generator that speaks HTTP/2 itself (RFC 9113 §3.4 preface, §4.1 frames, §6.5
// SETTINGS, §6.9 flow control; RFC 7541 literal header fields) on plain TCP sockets, so that the
// generator, not the server, stays under its core: node's own HTTP/2 client spends ~15 µs of CPU
// per request before gRPC starts (an AsyncResource per request in Node 20), and h2load sends one
// fixed body, which CreateUser refuses after the first call (the username is taken).
//
// Every call creates a new user: `<prefix>_<n>` with `<prefix>_<n>@bench.example`, full name
// "Bench User", role 1, the requests bench/loadgen/user-loadgen.ts makes. Headers are HPACK-coded
// as real clients (and h2load) code them: the first request of a connection adds its fields to the
// server's dynamic table (RFC 7541 §6.2.1, no Huffman), every later one names them by index (§6.1),
// so the server decodes a few bytes per request, not the whole block. The requests started in answer
// to one read from the socket leave in one write, as h2load and the gRPC clients batch theirs: the
// socket is corked while the read is handled and uncorked once the calls it finished have been
// replaced (in the check phase, after the promise callbacks that start them).
//
// A call counts only if its stream carried a response message containing the username it sent (the
// created user echoes it) and then ended with a HEADERS frame (the trailers). A stream that ends
// without that message (a Trailers-Only error), or is reset, counts as an error. Response headers
// are not HPACK-decoded (that needs the Huffman code): grpc-status itself is not read, but a server
// only returns the created user when the create succeeded.
//   node --import tsx bench/loadgen/h2raw-loadgen.ts --target 127.0.0.1:PORT --token T [loop options]
import { connect, type Socket } from "node:net";
import { parseArgs } from "node:util";
import * as F from "../../test/support/h2-frames.js";
import { LOOP_FLAGS, loopSettings, runLoop } from "./loop.js";
import type { OneCall } from "./loop.js";

const { values } = parseArgs({
  options: {
    target: { type: "string" },
    token: { type: "string", default: "" },
    ...LOOP_FLAGS,
  },
});
if (values.target === undefined) throw new Error("--target host:port is required");
const [host, portText] = [values.target.slice(0, values.target.lastIndexOf(":")), values.target.slice(values.target.lastIndexOf(":") + 1)];

// ---- frames (RFC 9113 §4.1: 24-bit length, type, flags, 31-bit stream id) -------------------------
// Set-up frames come from test/support/h2-frames.ts; a request's frames are written in place (below).

const { DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, CONTINUATION } = F.FrameType;
const { END_STREAM, ACK, END_HEADERS, PADDED } = F.Flag;

function writeFrameHeader(buf: Buffer, at: number, length: number, type: number, flags: number, stream: number): void {
  buf[at] = length >>> 16;
  buf[at + 1] = (length >>> 8) & 0xff;
  buf[at + 2] = length & 0xff;
  buf[at + 3] = type;
  buf[at + 4] = flags;
  buf.writeUInt32BE(stream, at + 5);
}

// :method POST and :scheme http are whole static-table entries (indexes 3 and 6, §6.1: 0x80 | index);
// :path, :authority, content-type and authorization are static-table names (4, 1, 31, 23; Appendix A).
const DYNAMIC: [string | number, string][] = [
  [4, "/user.UserService/CreateUser"],
  [1, values.target],
  [31, "application/grpc"],
  ["te", "trailers"],
  [23, `Bearer ${values.token}`],
];
/** The first request's block: the five fields go into the dynamic table, the last one at index 62.
 *  Names by static-table index where they have one, as nghttp2's encoder does: node then reuses one
 *  string per name instead of making one per request. */
const FIRST_BLOCK = Buffer.concat([
  F.indexed(3),
  F.indexed(6),
  ...DYNAMIC.map(([n, v]) => (typeof n === "number" ? F.literalIndexedName(n, v) : F.literalIndexed(n, v))),
]);
/** Every later request's block: seven one-byte indexes (the first field added is now the oldest). */
const INDEXED_BLOCK = Buffer.concat([F.indexed(3), F.indexed(6), ...DYNAMIC.map((_, i) => F.indexed(62 + DYNAMIC.length - 1 - i))]);

const WINDOW = 0x7fffffff;
// Streams never wait for a window update; no server push.
const CLIENT_SETTINGS = F.settings([
  [F.SettingsId.ENABLE_PUSH, 0],
  [F.SettingsId.INITIAL_WINDOW_SIZE, WINDOW],
]);
const SETTINGS_ACK = F.settings([], true);

// ---- the request ---------------------------------------------------------------------------------

const prefix = `r${process.pid.toString(36)}${Date.now().toString(36)}`;
const FULL_NAME = Buffer.from("Bench User", "latin1");
let seq = 0;

/** HEADERS + DATA(END_STREAM) of one CreateUser on `stream`. */
function request(stream: number, username: string, headerBlock: Buffer): Buffer {
  const u = username.length;
  const e = u + "@bench.example".length;
  const msg = 2 + u + 2 + e + 2 + FULL_NAME.length + 2;
  const dataLen = 5 + msg;
  const out = Buffer.allocUnsafe(9 + headerBlock.length + 9 + dataLen);
  let at = 0;
  writeFrameHeader(out, at, headerBlock.length, HEADERS, END_HEADERS, stream);
  at += 9;
  at += headerBlock.copy(out, at);
  writeFrameHeader(out, at, dataLen, DATA, END_STREAM, stream);
  at += 9;
  out[at++] = 0; // gRPC prefix: not compressed, then the 4-byte length
  out.writeUInt32BE(msg, at);
  at += 4;
  out[at++] = 0x0a; // username = 1
  out[at++] = u;
  at += out.write(username, at, "latin1");
  out[at++] = 0x12; // email = 2
  out[at++] = e;
  at += out.write(username, at, "latin1");
  at += out.write("@bench.example", at, "latin1");
  out[at++] = 0x1a; // full_name = 3
  out[at++] = FULL_NAME.length;
  at += FULL_NAME.copy(out, at);
  out[at++] = 0x20; // role = 4
  out[at++] = 1;
  return out;
}

// ---- a connection --------------------------------------------------------------------------------

interface Pending {
  username: Buffer;
  /** Response DATA payloads seen so far (one for a small message). */
  data: Buffer[];
  resolve(n: number): void;
  reject(err: Error): void;
}

class Connection {
  private readonly socket: Socket;
  private nextStream = 1;
  private readonly calls = new Map<number, Pending>();
  private leftover: Buffer | undefined;
  /** The stream of a header block still waiting for CONTINUATION frames, and whether it ended the stream. */
  private continuing = 0;
  private continuingEnds = false;
  private consumed = 0;
  private failed: Error | undefined;
  private corked = false;
  readonly ready: Promise<void>;

  constructor() {
    this.socket = connect({ host, port: Number(portText), noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once("connect", () => {
        this.socket.write(Buffer.concat([F.PREFACE, CLIENT_SETTINGS, F.windowUpdate(0, WINDOW - 65535)]));
        resolve();
      });
      this.socket.once("error", reject);
    });
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (err) => this.fail(err));
    this.socket.on("close", () => this.fail(new Error("the server closed the connection")));
  }

  call(username: string): Promise<number> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const stream = this.nextStream;
    this.nextStream += 2;
    return new Promise((resolve, reject) => {
      this.calls.set(stream, { username: Buffer.from(username, "latin1"), data: [], resolve, reject });
      this.socket.write(request(stream, username, stream === 1 ? FIRST_BLOCK : INDEXED_BLOCK));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  uncork(): void {
    this.corked = false;
    this.socket.uncork();
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.calls.values()) p.reject(err);
    this.calls.clear();
  }

  private onData(chunk: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(uncork, this);
    }
    let buf = chunk;
    if (this.leftover !== undefined) {
      buf = Buffer.concat([this.leftover, chunk]); // only a frame cut by a TCP read boundary
      this.leftover = undefined;
    }
    let at = 0;
    while (buf.length - at >= 9) {
      const length = (buf[at] << 16) | (buf[at + 1] << 8) | buf[at + 2];
      if (buf.length - at < 9 + length) break;
      const type = buf[at + 3];
      const flags = buf[at + 4];
      const stream = buf.readUInt32BE(at + 5) & 0x7fffffff;
      this.onFrame(type, flags, stream, buf, at + 9, length);
      at += 9 + length;
    }
    if (at < buf.length) this.leftover = buf.subarray(at);
  }

  private onFrame(type: number, flags: number, stream: number, buf: Buffer, at: number, length: number): void {
    switch (type) {
      case DATA: {
        this.consumed += length;
        if (this.consumed > 1 << 30) {
          this.socket.write(F.windowUpdate(0, this.consumed));
          this.consumed = 0;
        }
        const p = this.calls.get(stream);
        if (p === undefined) return;
        let start = at;
        let end = at + length;
        if (flags & PADDED) {
          start += 1;
          end -= buf[at];
        }
        p.data.push(buf.subarray(start, end));
        if (flags & END_STREAM) this.end(stream);
        return;
      }
      case HEADERS:
        if (!(flags & END_HEADERS)) {
          this.continuing = stream;
          this.continuingEnds = (flags & END_STREAM) !== 0;
        } else if (flags & END_STREAM) this.end(stream);
        return;
      case CONTINUATION:
        if (flags & END_HEADERS && stream === this.continuing) {
          this.continuing = 0;
          if (this.continuingEnds) this.end(stream);
        }
        return;
      case RST_STREAM: {
        const p = this.calls.get(stream);
        if (p === undefined) return;
        this.calls.delete(stream);
        p.reject(new Error(`stream ${stream} reset by the server (code ${buf.readUInt32BE(at)})`));
        return;
      }
      case SETTINGS:
        if (!(flags & ACK)) this.socket.write(SETTINGS_ACK);
        return;
      case PING:
        if (!(flags & ACK)) this.socket.write(F.ping(buf.subarray(at, at + 8), true));
        return;
      case GOAWAY:
        this.fail(new Error(`GOAWAY from the server (code ${buf.readUInt32BE(at + 4)}): ${buf.toString("latin1", at + 8, at + length)}`));
        return;
      default:
        return; // WINDOW_UPDATE, PRIORITY, unknown types
    }
  }

  /** The stream ended: a success only if the created user (with our username) came back. */
  private end(stream: number): void {
    const p = this.calls.get(stream);
    if (p === undefined) return;
    this.calls.delete(stream);
    const body = p.data.length === 1 ? p.data[0] : Buffer.concat(p.data);
    if (body.length > 5 && body.indexOf(p.username) >= 5) p.resolve(1);
    else p.reject(new Error(body.length === 0 ? "a Trailers-Only answer (an error status) instead of the created user" : "the response does not carry the username that was sent"));
  }
}

function uncork(c: Connection): void {
  c.uncork();
}

const connections = Array.from({ length: Number(values.connections) }, () => new Connection());
await Promise.all(connections.map((c) => c.ready));

const result = await runLoop({
  ...loopSettings(values),
  bytesPerCall: 0,
  worker: (conn): OneCall => () => connections[conn].call(`${prefix}_${seq++}`),
});
process.stdout.write(JSON.stringify(result) + "\n");
for (const c of connections) c.close();
process.exit(0);
