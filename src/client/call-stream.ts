// Implements the client's side of PROTOCOL-HTTP2 "Responses" event by event: one HTTP/2 stream's response headers, DATA, trailers and close, handed to the call that owns it (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
import type { ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader, OutgoingHttpHeaders } from "node:http2";
import { constants as h2 } from "node:http2";
import { addAbortSignal } from "node:stream";
import type { CallTrace } from "../wire/trace.js";

/** What a call does with the events of its stream (Http2Call). */
export interface StreamEvents {
  onResponse(headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void;
  onData(chunk: Buffer): void;
  onTrailers(trailers: IncomingHttpHeaders): void;
  onStreamError(err: Error): void;
  onClose(): void;
  /** Called when the stream can take more data after a write that filled its buffer. */
  readonly onDrain: (() => void) | undefined;
}

const CALL = Symbol("grpcCall");
type CallStream = ClientHttp2Stream & { [CALL]: StreamEvents };

// Shared listeners: each finds its call through a symbol on the stream, so no closure per call.
function streamResponse(this: CallStream, headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
  this[CALL].onResponse(headers);
}
function streamData(this: CallStream, chunk: Buffer): void {
  this[CALL].onData(chunk);
}
function streamTrailers(this: CallStream, trailers: IncomingHttpHeaders): void {
  this[CALL].onTrailers(trailers);
}
function streamError(this: CallStream, err: Error): void {
  this[CALL].onStreamError(err);
}
function streamClose(this: CallStream): void {
  this[CALL].onClose();
}
function streamDrain(this: CallStream): void {
  this[CALL].onDrain?.();
}
/**
 * The response side ended. When the peer closed the stream (RST_STREAM(NO_ERROR) after its
 * status, as PROTOCOL-HTTP2 has a server refuse a request it will not read, or END_STREAM and
 * then a close) while request bytes were still queued, node:http2 emits 'close' only once those
 * bytes are written, which can no longer happen: the call would wait for 'close' (no status yet)
 * or keep the queued request alive (status already in). Destroying the closed stream drops the
 * queued bytes and brings 'close' (onClose: the status or the reset, as for any other close).
 */
function streamEnd(this: CallStream): void {
  if (this.closed && !this.destroyed) this.destroy();
}

const EVENTS = ["response", "data", "trailers", "error", "close", "drain", "end"] as const;
const LISTENERS = [streamResponse, streamData, streamTrailers, streamError, streamClose, streamDrain, streamEnd] as const;

/** Sends the events of `stream` to `call`. */
export function listen(stream: ClientHttp2Stream, call: StreamEvents): void {
  (stream as CallStream)[CALL] = call;
  for (let i = 0; i < EVENTS.length; i++) stream.on(EVENTS[i], LISTENERS[i]);
}

function ignore(): void {}

/** Stops sending the events of a stream the call gave up (a transparent retry); a late 'error' on it is absorbed. */
export function unlisten(stream: ClientHttp2Stream): void {
  for (let i = 0; i < EVENTS.length; i++) stream.off(EVENTS[i], LISTENERS[i]);
  stream.on("error", ignore);
}

/**
 * An aborted signal: `addAbortSignal(ABORTED, stream)` destroys the stream with node's AbortError,
 * which node:http2 answers with RST_STREAM(CANCEL) and nothing else. `stream.close(CANCEL)` would
 * first end the writable side: with a write in flight, the empty DATA frame with END_STREAM then
 * goes out before the RST_STREAM and the server sees a complete request (docs/RELIABILITY.md "Soak").
 */
const ABORTED = AbortSignal.abort(new Error("call cancelled"));

/**
 * Closes the still-open stream of a call that has ended. After the server's status (`remoteEnded`)
 * the stream is over on its side: only an unfinished request side needs closing (NO_ERROR).
 * Ending early ourselves (deadline, abort, bad response) is a CANCEL.
 */
export function closeStream(s: ClientHttp2Stream, remoteEnded: boolean, trace: CallTrace | undefined): void {
  const code = !remoteEnded ? h2.NGHTTP2_CANCEL : !s.writableEnded ? h2.NGHTTP2_NO_ERROR : undefined;
  if (code === undefined) return;
  if (trace !== undefined) trace.reset(code);
  // A cancel of an unfinished request must not half-close first (see ABORTED).
  if (code === h2.NGHTTP2_CANCEL && !s.writableEnded) addAbortSignal(ABORTED, s);
  else s.close(code);
}

/** Traces the request headers, and the HTTP/2 stream id once node assigns it (on 'ready'). */
export function traceRequest(trace: CallTrace, stream: ClientHttp2Stream, headers: OutgoingHttpHeaders): void {
  trace.session(stream.session);
  trace.headers("out", "HEADERS", headers);
  if (stream.id !== undefined) trace.stream(stream.id);
  else
    stream.once("ready", () => {
      trace.session(stream.session); // the peer's address is known once connected
      trace.stream(stream.id);
    });
}
