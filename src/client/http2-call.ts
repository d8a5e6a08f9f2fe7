// Implements PROTOCOL-HTTP2 "Requests" and "Responses" for one client call on one HTTP/2 stream, with the "HTTP to gRPC Status Code Mapping" and "Errors" tables (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
import type { ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader, OutgoingHttpHeaders } from "node:http2";
import { constants as h2 } from "node:http2";
import { addAbortSignal } from "node:stream";
import { ACCEPT_ENCODING, parseEncoding, type Encoding } from "../wire/compression.js";
import { parseContentType } from "../wire/content-type.js";
import { EnvelopeDecoder, type EnvelopeSink } from "../wire/framing.js";
import { frameMessage, readMessage } from "../wire/message.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Header, HeaderValue } from "../wire/headers.js";
import { describeHttpStatus, grpcCodeForHttpStatus } from "../wire/http-status.js";
import { Metadata } from "../wire/metadata.js";
import { describeRstStream, grpcCodeForRstStream } from "../wire/rst-stream.js";
import { Status, type StatusCode } from "../wire/status.js";
import { formatTimeout } from "../wire/timeout.js";
import { statusToError, trailersToStatus } from "../wire/trailers.js";
import { CallTrace, wireTrace } from "../wire/trace.js";
import type { Acquired, Channel, SessionRecord } from "./channel.js";
import type { CallOptions, ClientMethod } from "./types.js";
import { takeUncompressed } from "./message-options.js";

const CALL = Symbol("grpcCall");
/**
 * An aborted signal: `addAbortSignal(ABORTED, stream)` destroys the stream with node's AbortError,
 * which node:http2 answers with RST_STREAM(CANCEL) and nothing else. `stream.close(CANCEL)` would
 * first end the writable side: with a write in flight, the empty DATA frame with END_STREAM then
 * goes out before the RST_STREAM and the server sees a complete request (docs/RELIABILITY.md "Soak").
 */
const ABORTED = AbortSignal.abort(new Error("call cancelled"));
/** Bound on retries of calls whose connection never came up (each tries the next address pick_first offers). */
const MAX_UNSENT_RETRIES = 16;
type CallStream = ClientHttp2Stream & { [CALL]: Http2Call<unknown, unknown> };

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
  this[CALL].onStreamDrain();
}
function streamEnd(this: CallStream): void {
  this[CALL].onStreamEnd(this);
}
function deadlineFired(call: Http2Call<unknown, unknown>): void {
  call.onDeadline();
}

/** What one call reports, in this order: headers (at most once), messages, then the end (exactly once). */
export interface CallSink<O> {
  onHeaders(headers: Metadata): void;
  onMessage(message: O): void;
  /** `error` undefined means status OK. `trailers` is the trailing user metadata. */
  onEnd(error: GrpcError | undefined, trailers: Metadata): void;
}

/**
 * One gRPC call on one HTTP/2 stream: writes the request headers and Length-Prefixed-Messages,
 * parses and validates the response (status, content-type, encoding, framing, trailers), enforces
 * the deadline and the AbortSignal, and reports to a {@link CallSink}. No promise or closure per
 * message: `send` is a plain method and incoming messages go straight from the envelope decoder
 * to the sink.
 */
export class Http2Call<I, O> implements EnvelopeSink {
  private stream: ClientHttp2Stream | undefined;
  private record: SessionRecord | undefined;
  private decoder: EnvelopeDecoder | undefined;
  private responseEncoding: Encoding = "identity";
  private done = false;
  private gotHeaders = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private streamAt = 0;
  private headersAt = 0;
  private received = 0;
  private deadlineMs = 0;
  /** Writes made before the stream exists (only while a waitForReady call waits for the channel). */
  private pending: Buffer[] | undefined;
  /** Bytes in `pending`: bounded by the channel's writeBufferSize like the stream's own buffer. */
  private pendingBytes = 0;
  private pendingEnd = false;
  private readonly compression: Encoding;
  private counted = false;
  private retired = false;
  /** gRFC A6 transparent retry of a stream the server did not process: done at most once per call. */
  private transparentRetried = false;
  /** Retries of a stream that never left the client (its connection failed first). */
  private unsentRetries = 0;
  /** The final request frame (sendLast), kept for a transparent retry: a field, no allocation. */
  private lastFrame: Buffer | undefined;
  /** Frames a streaming call wrote before the response started, kept for a transparent retry (up to writeBufferSize). */
  private replay: Buffer[] | undefined;
  private replayBytes = 0;
  /** The call wrote more than `replay` keeps: it can no longer be replayed. */
  private replayLost = false;
  private halfClosed = false;
  private remoteEnded = false;
  /** The wire trace of this call, only when `wireTrace.enabled` (src/wire/trace.ts). */
  private trace: CallTrace | undefined;
  /** Called when the stream can take more data after `send` returned false. */
  onDrain: (() => void) | undefined;
  /** Called once when the call ends, with its error (undefined for OK). */
  onFinished: ((error: GrpcError | undefined) => void) | undefined;

  constructor(
    private readonly channel: Channel,
    private readonly method: ClientMethod<I, O>,
    private readonly options: CallOptions,
    private readonly sink: CallSink<O>,
  ) {
    this.compression = options.compression ?? "identity";
  }

  /** True once the call has ended (status received, cancelled or failed). */
  get isDone(): boolean {
    return this.done;
  }

  /** Opens the stream. Failures (expired deadline, aborted signal, no connection) go to the sink. */
  start(): void {
    const o = this.options;
    if (wireTrace.enabled) this.trace = new CallTrace("client", this.method.path);
    if (o.signal !== undefined) {
      if (o.signal.aborted) {
        this.finish(this.abortError(), new Metadata());
        return;
      }
      o.signal.addEventListener("abort", this);
    }
    let timeout: number | undefined;
    if (o.deadline !== undefined) timeout = o.deadline.getTime() - this.startedAt;
    if (o.timeoutMs !== undefined) timeout = timeout === undefined ? o.timeoutMs : Math.min(timeout, o.timeoutMs);
    if (timeout !== undefined) {
      this.deadlineMs = timeout;
      if (timeout <= 0) {
        this.finish(new GrpcError(Status.DEADLINE_EXCEEDED, `deadline expired before the call started (${-timeout} ms ago) calling ${this.method.path}`), new Metadata());
        return;
      }
      this.timer = setTimeout(deadlineFired, timeout, this);
    }
    this.channel.callStarted();
    this.counted = true;
    const acquired = this.channel.acquire(o.waitForReady === true, this);
    if (acquired instanceof Promise) {
      this.pending = [];
      acquired.then((a) => this.openOn(a), (err: unknown) => this.finish(GrpcError.from(err, Status.UNAVAILABLE), new Metadata()));
    } else {
      this.openOn(acquired);
    }
  }

  /**
   * Encodes and writes one request message (prefix written in place). Returns false when the
   * stream holds `writeBufferSize` bytes flow control has not let out: wait for `onDrain` before
   * sending more. (Waiting at node's own 16 KiB mark would leave HTTP/2 idle between large messages.)
   */
  send(message: I): boolean {
    if (this.done) return false;
    const frame = this.frame(message);
    if (frame === undefined) return false;
    if (this.stream === undefined) {
      // Still connecting: hold the message, but no more than an open stream would.
      this.pending?.push(frame);
      this.pendingBytes += frame.length;
      return this.pendingBytes < this.channel.writeBufferSize;
    }
    if (this.trace !== undefined) this.trace.message("out", frame[0] === 1, frame, true);
    this.keepForReplay(frame);
    return this.stream.write(frame) || this.stream.writableLength < this.channel.writeBufferSize;
  }

  /** Sends the last request message and half-closes in one write (unary and server-streaming). */
  sendLast(message: I): void {
    if (this.done) return;
    const frame = this.frame(message);
    if (frame === undefined) return;
    this.halfClosed = true;
    this.lastFrame = frame;
    if (this.stream === undefined) {
      this.pending?.push(frame);
      this.pendingEnd = true;
      return;
    }
    if (this.trace !== undefined) this.trace.message("out", frame[0] === 1, frame, true, undefined, true);
    this.stream.end(frame);
  }

  /** Half-closes: no more request messages. */
  halfClose(): void {
    if (this.done) return;
    this.halfClosed = true;
    if (this.stream === undefined) this.pendingEnd = true;
    else {
      if (this.trace !== undefined) this.trace.halfClose("out");
      this.stream.end();
    }
  }

  /** Cancels the call: resets the stream (RST_STREAM CANCEL) and reports CANCELLED (or `code`). */
  cancel(message = "call cancelled by the client", code: StatusCode = Status.CANCELLED): void {
    if (this.done) return;
    this.finish(new GrpcError(code, message), new Metadata());
  }

  /** Pauses (`false`) or resumes delivery of response messages: HTTP/2 flow control does the rest. */
  setReading(on: boolean): void {
    const s = this.stream;
    if (s === undefined) return;
    if (on) s.resume();
    else s.pause();
  }

  /** Keeps a frame written on the stream until the response starts, so a refused stream can be replayed. */
  private keepForReplay(frame: Buffer): void {
    if (this.gotHeaders || this.replayLost) return;
    this.replayBytes += frame.length;
    if (this.replayBytes > this.channel.writeBufferSize) {
      this.replayLost = true;
      this.replay = undefined;
      return;
    }
    (this.replay ??= []).push(frame);
  }

  /** The message path out (src/wire/message.ts): encode, limit, compress, prefix; a failure ends the call. */
  private frame(message: I): Buffer | undefined {
    const encoding = this.compression === "identity" || takeUncompressed(message) ? "identity" : this.compression;
    const frame = frameMessage(this.method.requestCodec, message, this.channel.maxSendMessageSize, encoding, this.trace);
    if (!(frame instanceof GrpcError)) return frame;
    this.finish(frame, new Metadata());
    return undefined;
  }

  // The methods below are internal: called by the shared stream listeners above.

  openOn(acquired: Acquired): void {
    if (this.done) return;
    if ("failure" in acquired) {
      this.finish(new GrpcError(Status.UNAVAILABLE, acquired.failure), new Metadata());
      return;
    }
    this.record = acquired;
    const headers: OutgoingHttpHeaders = {
      [Header.method]: HeaderValue.methodPost,
      [Header.path]: this.method.path,
      [Header.contentType]: HeaderValue.contentTypeGrpc,
      [Header.te]: HeaderValue.teTrailers,
      [Header.userAgent]: this.channel.userAgent,
      [Header.grpcAcceptEncoding]: ACCEPT_ENCODING,
    };
    if (this.compression !== "identity") headers[Header.grpcEncoding] = this.compression;
    if (this.deadlineMs > 0) headers[Header.grpcTimeout] = formatTimeout(this.deadlineMs - (Date.now() - this.startedAt));
    const md = this.options.metadata;
    if (md !== undefined && md.size > 0) md.toHeaders(headers);
    let stream: ClientHttp2Stream;
    try {
      stream = acquired.session.request(headers, { endStream: false });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === "ERR_HTTP2_OUT_OF_STREAMS" || code === "ERR_HTTP2_GOAWAY_SESSION") && !this.retired) {
        // This session can take no new stream (stream ids used up, or GOAWAY just arrived): retire
        // it and start the call once more on a fresh session. No byte of the call was sent.
        this.retired = true;
        this.channel.retire(acquired);
        const again = this.channel.acquire(this.options.waitForReady === true, this);
        if (again instanceof Promise) {
          // Writes made until the new session is ready wait in `pending`.
          this.pending ??= [];
          again.then((a) => this.openOn(a), (e: unknown) => this.finish(GrpcError.from(e, Status.UNAVAILABLE), new Metadata()));
        } else this.openOn(again);
        return;
      }
      this.finish(new GrpcError(Status.UNAVAILABLE, `could not start a call to ${this.peer}: ${(err as Error).message}`, { cause: err }), new Metadata());
      return;
    }
    this.stream = stream;
    acquired.streamOpened();
    if (this.trace !== undefined) traceRequest(this.trace, stream, headers);
    this.streamAt = Date.now();
    this.decoder = new EnvelopeDecoder(this, this.channel.maxReceiveMessageSize);
    // Shared listeners find the call through the stream: no closures per call.
    (stream as CallStream)[CALL] = this as Http2Call<unknown, unknown>;
    stream.on("response", streamResponse);
    stream.on("data", streamData);
    stream.on("trailers", streamTrailers);
    stream.on("error", streamError);
    stream.on("close", streamClose);
    stream.on("drain", streamDrain);
    stream.on("end", streamEnd);
    const pending = this.pending;
    if (pending !== undefined) {
      this.pending = undefined;
      const last = pending.length - 1;
      if (this.trace !== undefined) for (let i = 0; i <= last; i++) this.trace.message("out", pending[i][0] === 1, pending[i], true, undefined, i === last && this.pendingEnd);
      if (this.trace !== undefined && last < 0 && this.pendingEnd) this.trace.halfClose("out");
      for (let i = 0; i < last; i++) stream.write(pending[i]);
      for (const f of pending) if (f !== this.lastFrame) this.keepForReplay(f);
      if (this.pendingEnd) stream.end(last >= 0 ? pending[last] : undefined);
      else if (last >= 0) stream.write(pending[last]);
      this.pendingBytes = 0;
      // A sender told to wait while connecting is woken here, or by 'drain' when node will emit one.
      if (!stream.writableNeedDrain || stream.writableLength < this.channel.writeBufferSize) this.onDrain?.();
    }
  }

  onResponse(headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
    if (this.trace !== undefined) this.trace.headers("in", headers[Header.grpcStatus] !== undefined ? "TRAILERS-ONLY" : "HEADERS", headers);
    if (this.done) return;
    this.gotHeaders = true;
    this.replay = undefined;
    this.headersAt = Date.now();
    const httpStatus = headers[Header.status] ?? 0;
    const hasStatus = headers[Header.grpcStatus] !== undefined;
    if (hasStatus) {
      // Trailers-Only (or a proxy that put a status in its headers): the status wins (http-grpc-status-mapping.md).
      this.onTrailers(headers);
      return;
    }
    const contentType = headers[Header.contentType];
    if (httpStatus !== 200) {
      this.finish(new GrpcError(grpcCodeForHttpStatus(httpStatus), `${describeHttpStatus(httpStatus, contentType)} from ${this.peer}`), new Metadata());
      return;
    }
    const ct = parseContentType(contentType);
    if (!ct.ok) {
      this.finish(
        new GrpcError(Status.INTERNAL, `unexpected content-type "${contentType ?? ""}" in the response from ${this.peer}: want application/grpc`),
        new Metadata(),
      );
      return;
    }
    const enc = parseEncoding(headers[Header.grpcEncoding] as string | undefined);
    if (!enc.ok) {
      // compression.md: a message compressed with an algorithm the client does not support is INTERNAL.
      this.finish(new GrpcError(Status.INTERNAL, `server ${enc.message}`), new Metadata());
      return;
    }
    this.responseEncoding = enc.encoding;
    const md = Metadata.fromHeaders(headers, this.channel.maxMetadataSize);
    if (!md.ok) {
      this.finish(new GrpcError(md.tooLarge ? Status.RESOURCE_EXHAUSTED : Status.INTERNAL, `response headers: ${md.error}`), new Metadata());
      return;
    }
    this.options.onHeader?.(md.metadata);
    this.sink.onHeaders(md.metadata);
  }

  onData(chunk: Buffer): void {
    if (this.done) return;
    if (!this.gotHeaders) {
      this.finish(new GrpcError(Status.INTERNAL, "received DATA before response headers"), new Metadata());
      return;
    }
    const err = (this.decoder as EnvelopeDecoder).push(chunk);
    if (err !== undefined && !this.done) {
      this.finish(new GrpcError(err.code, `response from ${this.peer}: ${err.message}`), new Metadata());
    }
  }

  /** EnvelopeSink: one complete response message. */
  onEnvelope(compressed: boolean, data: Buffer): void {
    if (this.done) return;
    if (this.trace !== undefined) this.trace.message("in", compressed, data);
    const observe = this.options.onResponseEnvelope;
    if (observe !== undefined) observe(compressed, data.length);
    // The message path in (src/wire/message.ts): the decoder checked the length; inflate, decode.
    const message = readMessage(this.method.responseCodec, compressed, data, this.responseEncoding, this.channel.maxReceiveMessageSize, this.trace);
    if (message instanceof GrpcError) {
      this.finish(message, new Metadata());
      return;
    }
    this.received++;
    this.sink.onMessage(message);
  }

  onTrailers(trailers: IncomingHttpHeaders): void {
    // Trailers-Only headers (with :status) were traced by onResponse.
    if (this.trace !== undefined && trailers[Header.status] === undefined) this.trace.headers("in", "TRAILERS", trailers);
    if (this.done) return;
    this.remoteEnded = true;
    const parsed = trailersToStatus(trailers, this.channel.maxMetadataSize);
    const st = parsed.status;
    if (st.code === Status.OK && parsed.ok && this.decoder?.hasPartial === true) {
      this.finish(new GrpcError(Status.INTERNAL, "the response ended in the middle of a message"), st.metadata);
      return;
    }
    this.finish(st.code === Status.OK && parsed.ok ? undefined : statusToError(st), st.metadata);
  }

  private streamError: Error | undefined;

  /** The address of the connection this call runs on (or the target, before it has one). */
  private get peer(): string {
    return this.record?.peer ?? this.channel.peer;
  }

  onStreamError(err: Error): void {
    this.streamError ??= err;
  }

  onStreamDrain(): void {
    this.onDrain?.();
  }

  /**
   * The response side ended. When the peer closed the stream (RST_STREAM(NO_ERROR) after its
   * status, as PROTOCOL-HTTP2 has a server refuse a request it will not read, or END_STREAM and
   * then a close) while request bytes were still queued, node:http2 emits 'close' only once those
   * bytes are written, which can no longer happen: the call would wait for 'close' (no status yet)
   * or keep the queued request alive (status already in). Destroying the closed stream drops the
   * queued bytes and brings 'close' (onClose: the status or the reset, as for any other close).
   */
  onStreamEnd(stream: ClientHttp2Stream): void {
    if (stream.closed && !stream.destroyed) stream.destroy();
  }

  onClose(): void {
    if (this.trace !== undefined) this.trace.closed(this.stream?.rstCode);
    if (this.done) return;
    const stream = this.stream as ClientHttp2Stream;
    // The session owner explains connection failures and refusals (session-record.ts).
    const failure = this.record?.explainClose(stream, this.streamError, this.channel.state === "shutdown");
    if (failure !== undefined) {
      if (failure.transparentRetry !== false && this.retryTransparently(failure.transparentRetry === "unsent")) return;
      this.finish(new GrpcError(failure.code, failure.message, { cause: this.streamError }), new Metadata());
      return;
    }
    const rst = stream.rstCode ?? h2.NGHTTP2_NO_ERROR;
    if (rst !== h2.NGHTTP2_NO_ERROR) {
      this.finish(new GrpcError(grpcCodeForRstStream(rst), `${describeRstStream(rst)} (${this.peer})`), new Metadata());
      return;
    }
    if (this.streamError !== undefined) {
      this.finish(new GrpcError(Status.UNAVAILABLE, `call to ${this.peer} failed: ${this.streamError.message}`, { cause: this.streamError }), new Metadata());
      return;
    }
    this.finish(new GrpcError(Status.INTERNAL, `the server at ${this.peer} closed the stream without sending a gRPC status`), new Metadata());
  }

  /**
   * gRFC A6 "Transparent Retry": the server never processed this stream (REFUSED_STREAM, above
   * GOAWAY's last stream id: once), or it never left the client (the connection never came up: as
   * often as the channel offers another connecting address, bounded), so it is sent again on
   * whatever session the channel picks now: the request frames it had written are replayed.
   * False when the call cannot be replayed (it already retried, or wrote more than it kept).
   */
  private retryTransparently(unsent: boolean): boolean {
    if (this.gotHeaders || this.replayLost) return false;
    if (unsent ? ++this.unsentRetries > MAX_UNSENT_RETRIES : this.transparentRetried) return false;
    if (!unsent) this.transparentRetried = true;
    const old = this.stream as ClientHttp2Stream;
    old.off("response", streamResponse);
    old.off("data", streamData);
    old.off("trailers", streamTrailers);
    old.off("close", streamClose);
    old.off("drain", streamDrain);
    old.off("end", streamEnd);
    this.record?.streamClosed();
    this.stream = undefined;
    this.record = undefined;
    this.streamError = undefined;
    const pending = this.replay ?? [];
    this.replay = undefined;
    this.replayBytes = 0;
    if (this.lastFrame !== undefined) pending.push(this.lastFrame);
    this.pending = pending;
    this.pendingBytes = 0;
    for (const f of pending) this.pendingBytes += f.length;
    this.pendingEnd = this.halfClosed;
    if (this.trace !== undefined) this.trace.note("transparent retry: the server did not process the stream");
    const again = this.channel.acquire(this.options.waitForReady === true, this);
    if (again instanceof Promise) again.then((a) => this.openOn(a), (e: unknown) => this.finish(GrpcError.from(e, Status.UNAVAILABLE), new Metadata()));
    else this.openOn(again);
    return true;
  }

  onDeadline(): void {
    this.timer = undefined;
    if (this.done) return;
    this.finish(new GrpcError(Status.DEADLINE_EXCEEDED, this.describeDeadline()), new Metadata());
  }

  /** EventListener for the AbortSignal (an object listener: no closure per call). */
  handleEvent(): void {
    this.onAbort();
  }

  onAbort(): void {
    if (!this.done) this.finish(this.abortError(), new Metadata());
  }

  private abortError(): GrpcError {
    const reason: unknown = this.options.signal?.reason;
    const why = reason instanceof Error ? reason.message : reason === undefined ? "" : String(reason);
    return new GrpcError(Status.CANCELLED, `call to ${this.method.path} cancelled by its AbortSignal${why === "" ? "" : `: ${why}`}`, { cause: reason });
  }

  /** Says where the time went, as grpc-js does: connecting, waiting for headers, receiving. */
  private describeDeadline(): string {
    const now = Date.now();
    const parts: string[] = [];
    if (this.streamAt === 0) parts.push(`waiting for a connection to ${this.peer}: ${now - this.startedAt} ms`);
    else {
      parts.push(`connection: ${this.streamAt - this.startedAt} ms`);
      if (this.headersAt === 0) parts.push(`waiting for response headers: ${now - this.streamAt} ms`);
      else parts.push(`waiting for response headers: ${this.headersAt - this.streamAt} ms`, `receiving (${this.received} messages so far): ${now - this.headersAt} ms`);
    }
    return `deadline of ${this.deadlineMs} ms exceeded after ${now - this.startedAt} ms calling ${this.method.path} on ${this.peer} (${parts.join(", ")})`;
  }

  /** Ends the call once: stops timers and listeners, resets the stream if it is still open, reports. */
  private finish(error: GrpcError | undefined, trailers: Metadata): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.options.signal?.removeEventListener("abort", this);
    if (this.counted) this.channel.callEnded();
    if (this.stream !== undefined) this.record?.streamClosed();
    const s = this.stream;
    if (s !== undefined && !s.closed && !s.destroyed) {
      // After the server's status the stream is over on its side: only an unfinished request side
      // needs closing (NO_ERROR). Ending early ourselves (deadline, abort, bad response) is a CANCEL.
      const code = !this.remoteEnded ? h2.NGHTTP2_CANCEL : !s.writableEnded ? h2.NGHTTP2_NO_ERROR : undefined;
      if (code !== undefined) {
        if (this.trace !== undefined) this.trace.reset(code);
        // A cancel of an unfinished request must not half-close first (see ABORTED).
        if (code === h2.NGHTTP2_CANCEL && !s.writableEnded) addAbortSignal(ABORTED, s);
        else s.close(code);
      }
    }
    if (error !== undefined && error.metadata !== trailers && trailers.size > 0) {
      // Keep trailers on the error: GrpcError.metadata is the trailing metadata.
      error = new GrpcError(error.code, error.rawMessage, { metadata: trailers, details: error.details, cause: error.cause });
    }
    if (this.trace !== undefined) this.trace.note(error === undefined ? "call ended: OK" : `call ended: ${error.message}`);
    this.options.onTrailer?.(trailers);
    this.sink.onEnd(error, trailers);
    // A send loop waiting for 'drain' or for its next message must wake up and see the call is over.
    this.onDrain?.();
    this.onFinished?.(error);
  }
}

/** Traces the request headers, and the HTTP/2 stream id once node assigns it (on 'ready'). */
function traceRequest(trace: CallTrace, stream: ClientHttp2Stream, headers: OutgoingHttpHeaders): void {
  trace.session(stream.session);
  trace.headers("out", "HEADERS", headers);
  if (stream.id !== undefined) trace.stream(stream.id);
  else
    stream.once("ready", () => {
      trace.session(stream.session); // the peer's address is known once connected
      trace.stream(stream.id);
    });
}
