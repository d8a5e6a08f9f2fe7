// The floor: a raw node:http2 server that answers every bench.Echo call with canned, pre-encoded
// gRPC responses and trailers (PROTOCOL-HTTP2 "Responses"), doing no gRPC work: no codec, no
// routing table, no metadata. No node:http2 server can beat it; the harness measures against it.
import http2 from "node:http2";
import type { ServerHttp2Stream } from "node:http2";
import { cannedCreatedUser, frame, frames, payloadMessage, streamSummaryMessage, parseStreamRequest, userMessage } from "../lib/wire-bytes.js";

const HEADERS = { ":status": 200, "content-type": "application/grpc" };
const TRAILERS = { "grpc-status": "0" };

/** Per-stream state, kept on the stream object itself (no closure, no map). */
interface FloorStream extends ServerHttp2Stream {
  floorFirst?: Buffer;
  floorLeft?: number; // bytes left in the current client-streaming frame (incl. prefix when negative)
  floorHead?: number; // prefix bytes of the current frame still to read
  floorLen?: number;
  floorCount?: number;
  floorBytes?: number;
  floorDone(): void;
}

const unaryCache = new Map<number, Buffer>();
function cannedUnary(length: number): Buffer {
  let b = unaryCache.get(length);
  if (b === undefined) {
    b = frame(payloadMessage(Math.max(0, length - payloadHeadLength(length))));
    unaryCache.set(length, b);
  }
  return b;
}
/** Length of the tag + varint length in front of a Payload body, given the message length. */
function payloadHeadLength(messageLength: number): number {
  if (messageLength === 0) return 0;
  for (let head = 2; head <= 6; head++) {
    const body = messageLength - head;
    if (body < 0) break;
    const v = body < 0x80 ? 1 : body < 0x4000 ? 2 : body < 0x200000 ? 3 : body < 0x10000000 ? 4 : 5;
    if (1 + v === head) return head;
  }
  return 0;
}

const streamCache = new Map<string, Buffer>();
function cannedStream(count: number, size: number): Buffer {
  const key = `${count}:${size}`;
  let b = streamCache.get(key);
  if (b === undefined) {
    b = frames(payloadMessage(size), count);
    if (b.length <= 64 << 20) streamCache.set(key, b);
  }
  return b;
}

function sendTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(TRAILERS);
}

/** A peer that goes away mid-call (h2load at the end of its time) resets streams: nothing to do. */
function ignore(): void {}

/** True when the client reset the stream or the session went away before the answer. */
function gone(s: ServerHttp2Stream): boolean {
  return s.destroyed || s.closed;
}

function keepFirst(this: FloorStream, chunk: Buffer): void {
  const first = this.floorFirst;
  if (first === undefined) this.floorFirst = chunk;
  // Rare: a DATA frame cut inside the 5-byte prefix (flow control); join until the prefix is whole.
  else if (first.length < 5) this.floorFirst = Buffer.concat([first, chunk]);
}

function unaryEnd(this: FloorStream): void {
  if (gone(this)) return;
  const first = this.floorFirst;
  const length = first !== undefined && first.length >= 5 ? first.readUInt32BE(1) : 0;
  this.respond(HEADERS, { waitForTrailers: true });
  this.end(cannedUnary(length));
}

function serverStreamEnd(this: FloorStream): void {
  if (gone(this)) return;
  const first = this.floorFirst;
  const { count, size } = first !== undefined && first.length >= 5 ? parseStreamRequest(first.subarray(5)) : { count: 0, size: 0 };
  this.respond(HEADERS, { waitForTrailers: true });
  this.end(cannedStream(count, size));
}

function countFrames(this: FloorStream, chunk: Buffer): void {
  // Walks the 5-byte prefixes only, to answer with the right count: the least a server can do.
  let i = 0;
  const n = chunk.length;
  while (i < n) {
    const left = this.floorLeft!;
    if (left > 0) {
      const take = Math.min(left, n - i);
      i += take;
      if (left === take) this.floorDone();
      else this.floorLeft = left - take;
      continue;
    }
    const head = this.floorHead!;
    if (head >= 1) this.floorLen = this.floorLen! * 256 + chunk[i];
    i++;
    if (head < 4) {
      this.floorHead = head + 1;
    } else if (this.floorLen === 0) {
      this.floorDone();
    } else {
      this.floorHead = 0;
      this.floorLeft = this.floorLen;
    }
  }
}

function floorDone(this: FloorStream): void {
  this.floorCount! += 1;
  this.floorBytes! += this.floorLen! - payloadHeadLength(this.floorLen!);
  this.floorHead = 0;
  this.floorLeft = 0;
  this.floorLen = 0;
}

function clientStreamEnd(this: FloorStream): void {
  if (gone(this)) return;
  this.respond(HEADERS, { waitForTrailers: true });
  this.end(frame(streamSummaryMessage(this.floorCount!, this.floorBytes!)));
}

function echoChunk(this: FloorStream, chunk: Buffer): void {
  if (!gone(this)) this.write(chunk);
}
function bidiEnd(this: FloorStream): void {
  if (!gone(this)) this.end();
}

// The user service's calls (bench scenario "service"): GetUser answers one canned user whatever the id;
// CreateUser copies the request's fields into a canned user (cannedCreatedUser). No auth, no log, no store.
const NOW = Date.now();
const CANNED_USER = frame(userMessage({ id: "00000000-0000-4000-8000-000000000000", username: "seed_0", email: "seed_0@bench.example", fullName: "Seed User 0", role: 2, createdAt: NOW, updatedAt: NOW }));
const CREATED_ID = Buffer.from([0x0a, 36, ...Buffer.from("00000000-0000-4000-8000-000000000001")]);
const CREATED_TIMES = userMessage({ id: "", username: "", email: "", fullName: "", role: 0, createdAt: NOW, updatedAt: NOW }).subarray(10);
const UNIMPLEMENTED = { ":status": 200, "content-type": "application/grpc", "grpc-status": "12" };

function getUserEnd(this: FloorStream): void {
  if (gone(this)) return;
  this.respond(HEADERS, { waitForTrailers: true });
  this.end(CANNED_USER);
}

function collect(this: FloorStream, chunk: Buffer): void {
  this.floorFirst = this.floorFirst === undefined ? chunk : Buffer.concat([this.floorFirst, chunk]);
}

function createUserEnd(this: FloorStream): void {
  if (gone(this)) return;
  const req = this.floorFirst;
  const answer = req !== undefined && req.length >= 5 ? cannedCreatedUser(req.subarray(5), CREATED_ID, CREATED_TIMES) : undefined;
  if (answer === undefined) {
    this.respond(UNIMPLEMENTED, { endStream: true });
    return;
  }
  this.respond(HEADERS, { waitForTrailers: true });
  this.end(answer);
}

const server = http2.createServer({ maxSessionMemory: 64 });
server.on("sessionError", ignore);
server.on("stream", (s: ServerHttp2Stream, headers) => {
  const stream = s as FloorStream;
  stream.on("error", ignore);
  stream.once("wantTrailers", sendTrailers);
  switch (headers[":path"]) {
    case "/bench.Echo/Unary":
      stream.on("data", keepFirst);
      stream.once("end", unaryEnd);
      return;
    case "/bench.Echo/ServerStream":
      stream.on("data", keepFirst);
      stream.once("end", serverStreamEnd);
      return;
    case "/bench.Echo/ClientStream":
      stream.floorLeft = 0;
      stream.floorHead = 0;
      stream.floorLen = 0;
      stream.floorCount = 0;
      stream.floorBytes = 0;
      stream.floorDone = floorDone;
      stream.on("data", countFrames);
      stream.once("end", clientStreamEnd);
      return;
    case "/bench.Echo/Bidi":
      stream.respond(HEADERS, { waitForTrailers: true });
      stream.on("data", echoChunk);
      stream.once("end", bidiEnd);
      return;
    case "/user.UserService/GetUser":
      stream.on("data", ignore);
      stream.once("end", getUserEnd);
      return;
    case "/user.UserService/CreateUser":
      stream.on("data", collect);
      stream.once("end", createUserEnd);
      return;
    default:
      stream.respond(UNIMPLEMENTED, { endStream: true });
  }
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const addr = server.address();
  process.stdout.write(`LISTENING ${typeof addr === "object" && addr !== null ? addr.port : 0}\n`);
});
process.on("SIGTERM", () => process.exit(0));
