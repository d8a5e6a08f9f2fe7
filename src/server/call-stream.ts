// Implements the node:http2 stream events one server call listens to (RFC 9113 §5.1 stream states as node:http2 reports them: data, end, close, wantTrailers, drain), with shared listeners instead of closures per call.

import type { ServerHttp2Stream } from "node:http2";

/** What a call does on each event of its stream. */
export interface StreamEvents {
  onData(chunk: Buffer): void;
  onEnd(): void;
  onStreamClose(): void;
  onWantTrailers(): void;
  onDrain(): void;
}

const CALL: unique symbol = Symbol("grpc.serverCall");
type CallStream = ServerHttp2Stream & { [CALL]?: StreamEvents };

// Module functions reading the call from the stream: no closures per call.
function onData(this: CallStream, chunk: Buffer): void {
  this[CALL]?.onData(chunk);
}
function onEnd(this: CallStream): void {
  this[CALL]?.onEnd();
}
function onClose(this: CallStream): void {
  this[CALL]?.onStreamClose();
}
function onWantTrailers(this: CallStream): void {
  this[CALL]?.onWantTrailers();
}
function onDrain(this: CallStream): void {
  this[CALL]?.onDrain();
}
function onStreamError(): void {
  // Errors are followed by 'close', where the call is cancelled; nothing to add here.
}

/** Routes the stream's events to `call` until `detachCall`. */
export function attachCall(stream: ServerHttp2Stream, call: StreamEvents): void {
  const s = stream as CallStream;
  s[CALL] = call;
  s.on("data", onData);
  s.on("end", onEnd);
  s.on("close", onClose);
  s.on("error", onStreamError);
  s.on("wantTrailers", onWantTrailers);
}

/** Also routes 'drain' (only for calls whose writer had to wait). */
export function listenForDrain(stream: ServerHttp2Stream): void {
  stream.on("drain", onDrain);
}

export function detachCall(stream: ServerHttp2Stream): void {
  (stream as CallStream)[CALL] = undefined;
}
