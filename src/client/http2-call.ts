// Implements PROTOCOL-HTTP2 "Requests" and "Responses" for one client call on one HTTP/2 stream, with the "HTTP to gRPC Status Code Mapping" and "Errors" tables (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
import type { ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader } from "node:http2";
import { parseEncoding, type Encoding } from "../wire/compression.js";
import { EnvelopeDecoder, type EnvelopeSink } from "../wire/framing.js";
import { frameMessage, readMessage } from "../wire/message.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Header } from "../wire/headers.js";
import { Metadata } from "../wire/metadata.js";
import { Status, type StatusCode } from "../wire/status.js";
import { statusToError, trailersToStatus } from "../wire/trailers.js";
import { CallTrace, wireTrace } from "../wire/trace.js";
import type { Acquired, Channel, SessionRecord } from "./channel.js";
import type { CallOptions, ClientMethod } from "./types.js";
import { takeUncompressed } from "./message-options.js";
import { requestHeaders, responseHeadersError } from "./call-headers.js";
import { closeStream, listen, traceRequest, unlisten, type StreamEvents } from "./call-stream.js";
import { callTimeout, deadlineExceeded, deadlinePassed, type CallTiming } from "./deadline.js";
import { HeldFrames } from "./held-frames.js";
import type { StreamFailure } from "./session-record.js";

/** Bound on retries of calls that never left the client: their connection never came up (each tries the next address pick_first offers), or their session could take no new stream. */
const MAX_UNSENT_RETRIES = 16;

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
export class Http2Call<I, O> implements EnvelopeSink, StreamEvents, CallTiming {
  private stream: ClientHttp2Stream | undefined;
  private record: SessionRecord | undefined;
  private decoder: EnvelopeDecoder | undefined;
  private responseEncoding: Encoding = "identity";
  private done = false;
  private gotHeaders = false;
  private timer: NodeJS.Timeout | undefined;
  // CallTiming (deadline.ts): when the call reached each stage, and its timeout (0: none).
  readonly startedAt = Date.now();
  streamAt = 0;
  headersAt = 0;
  received = 0;
  deadlineMs = 0;
  /** Frames written before the stream exists, or kept for a transparent retry: made only when needed. */
  private held: HeldFrames | undefined;
  private readonly compression: Encoding;
  private counted = false;
  /** gRFC A6 transparent retry of a stream the server did not process: done at most once per call. */
  private transparentRetried = false;
  /** Retries of a stream that never left the client (its connection failed first). */
  private unsentRetries = 0;
  /** The final request frame (sendLast), kept for a transparent retry: a field, no allocation. */
  private lastFrame: Buffer | undefined;
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
    const timeout = callTimeout(o, this.startedAt);
    if (timeout !== undefined) {
      this.deadlineMs = timeout;
      if (timeout <= 0) return this.finish(new GrpcError(Status.DEADLINE_EXCEEDED, `deadline expired before the call started (${-timeout} ms ago) calling ${this.method.path}`), new Metadata());
      this.timer = setTimeout(deadlineFired, timeout, this);
    }
    this.channel.callStarted();
    this.counted = true;
    this.acquire();
  }

  /** Asks the channel for a session and opens the stream on it; while the channel connects, writes are held. */
  private acquire(): void {
    const acquired = this.channel.acquire(this.options.waitForReady === true, this);
    if (acquired instanceof Promise) void this.openWhenReady(acquired);
    else this.openOn(acquired);
  }

  private async openWhenReady(acquired: Promise<Acquired>): Promise<void> {
    try {
      this.openOn(await acquired);
    } catch (err) {
      this.finish(GrpcError.from(err, Status.UNAVAILABLE), new Metadata());
    }
  }

  private heldFrames(): HeldFrames {
    return (this.held ??= new HeldFrames(this.channel.writeBufferSize));
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
    // Still connecting: hold the message, but no more than an open stream would.
    if (this.stream === undefined) return this.heldFrames().hold(frame, false);
    if (this.trace !== undefined) this.trace.message("out", frame[0] === 1, frame, true);
    if (!this.gotHeaders) this.heldFrames().keep(frame);
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
      this.heldFrames().hold(frame, true);
      return;
    }
    if (this.trace !== undefined) this.trace.message("out", frame[0] === 1, frame, true, undefined, true);
    this.stream.end(frame);
  }

  /** Half-closes: no more request messages. */
  halfClose(): void {
    if (this.done) return;
    this.halfClosed = true;
    if (this.stream === undefined) this.heldFrames().halfClose();
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

  /** The message path out (src/wire/message.ts): encode, limit, compress, prefix; a failure ends the call. */
  private frame(message: I): Buffer | undefined {
    const encoding = this.compression === "identity" || takeUncompressed(message) ? "identity" : this.compression;
    const frame = frameMessage(this.method.requestCodec, message, this.channel.maxSendMessageSize, encoding, this.trace);
    if (!(frame instanceof GrpcError)) return frame;
    this.finish(frame, new Metadata());
    return undefined;
  }

  // The methods below are internal: called when the channel hands out a session (openOn) and by the shared stream listeners (call-stream.ts).

  openOn(acquired: Acquired): void {
    if (this.done) return;
    if ("failure" in acquired) {
      this.finish(new GrpcError(Status.UNAVAILABLE, acquired.failure), new Metadata());
      return;
    }
    const left = this.deadlineMs > 0 ? this.deadlineMs - (Date.now() - this.startedAt) : undefined;
    const headers = requestHeaders(this.method.path, this.channel.userAgent, this.compression, left, this.options.metadata);
    const stream = acquired.openStream(headers);
    if ("transparentRetry" in stream) return this.failOrRetry(stream);
    this.record = acquired;
    this.stream = stream;
    if (this.trace !== undefined) traceRequest(this.trace, stream, headers);
    this.streamAt = Date.now();
    this.decoder = new EnvelopeDecoder(this, this.channel.maxReceiveMessageSize);
    listen(stream, this);
    const held = this.held;
    if (held !== undefined) {
      held.flush(stream, this.lastFrame, this.trace);
      // A sender told to wait while connecting is woken here, or by 'drain' when node will emit one.
      if (!stream.writableNeedDrain || stream.writableLength < this.channel.writeBufferSize) this.onDrain?.();
    }
  }

  onResponse(headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
    if (this.trace !== undefined) this.trace.headers("in", headers[Header.grpcStatus] !== undefined ? "TRAILERS-ONLY" : "HEADERS", headers);
    if (this.done) return;
    this.gotHeaders = true;
    this.held?.drop();
    this.headersAt = Date.now();
    if (headers[Header.grpcStatus] !== undefined) {
      // Trailers-Only (or a proxy that put a status in its headers): the status wins (http-grpc-status-mapping.md).
      this.onTrailers(headers);
      return;
    }
    const notGrpc = responseHeadersError(headers, this.peer);
    if (notGrpc !== undefined) {
      this.finish(notGrpc, new Metadata());
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
      this.failResponse(err.code, err.message, undefined);
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
      this.failResponse(message.code, message.rawMessage, message.cause);
      return;
    }
    this.received++;
    this.sink.onMessage(message);
  }

  /** Ends the call over response bytes that cannot be read, saying whose bytes they were. */
  private failResponse(code: StatusCode, message: string, cause: unknown): void {
    this.finish(new GrpcError(code, `response from ${this.peer}: ${message}`, { cause }), new Metadata());
  }

  onTrailers(trailers: IncomingHttpHeaders): void {
    // Trailers-Only headers (with :status) were traced by onResponse.
    if (this.trace !== undefined && trailers[Header.status] === undefined) this.trace.headers("in", "TRAILERS", trailers);
    if (this.done) return;
    this.remoteEnded = true;
    const parsed = trailersToStatus(trailers, this.channel.maxMetadataSize);
    const st = parsed.status;
    if (this.deadlineMs > 0 && deadlinePassed(this, Date.now(), st.code)) {
      // Our deadline ran out before this status was read: report it as ours, saying where the time went (deadline.ts).
      this.finish(deadlineExceeded(this, this.method.path, this.peer, Date.now(), st), st.metadata);
      return;
    }
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

  onClose(): void {
    if (this.trace !== undefined) this.trace.closed(this.stream?.rstCode);
    if (this.done) return;
    // The session owner explains why the stream ended without a status (session-record.ts).
    this.failOrRetry((this.record as SessionRecord).explainClose(this.stream as ClientHttp2Stream, this.streamError, this.channel.state === "shutdown"));
  }

  /** Ends the call with `failure`, unless it is safe to send again and the call can still be replayed. */
  private failOrRetry(failure: StreamFailure): void {
    if (failure.transparentRetry !== false && this.retryTransparently(failure.transparentRetry === "unsent", failure.message)) return;
    this.finish(new GrpcError(failure.code, failure.message, { cause: failure.cause ?? this.streamError }), new Metadata());
  }

  /**
   * gRFC A6 "Transparent Retry": the server never processed this stream (REFUSED_STREAM, above
   * GOAWAY's last stream id: once), or it never left the client (the connection never came up, or
   * the session could take no new stream: as often as the channel offers another session, bounded),
   * so it is sent again on whatever session the channel picks now: the request frames it had
   * written are replayed. False when the call cannot be replayed (it already retried, its response
   * started, or it wrote more than it kept).
   */
  private retryTransparently(unsent: boolean, why: string): boolean {
    if (this.gotHeaders || this.held?.replayable === false) return false;
    if (unsent ? ++this.unsentRetries > MAX_UNSENT_RETRIES : this.transparentRetried) return false;
    if (!unsent) this.transparentRetried = true;
    const old = this.stream;
    if (old !== undefined) {
      unlisten(old);
      this.record?.streamClosed();
      this.stream = undefined;
      this.heldFrames().rewind(this.lastFrame, this.halfClosed);
    }
    this.record = undefined;
    this.streamError = undefined;
    if (this.trace !== undefined) this.trace.note(`transparent retry: ${why}`);
    this.acquire();
    return true;
  }

  onDeadline(): void {
    this.timer = undefined;
    if (this.done) return;
    this.finish(deadlineExceeded(this, this.method.path, this.peer, Date.now()), new Metadata());
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

  /** Ends the call once: stops timers and listeners, resets the stream if it is still open, reports. */
  private finish(error: GrpcError | undefined, trailers: Metadata): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.options.signal?.removeEventListener("abort", this);
    if (this.counted) this.channel.callEnded();
    const s = this.stream;
    if (s !== undefined) {
      this.record?.streamClosed();
      if (!s.closed && !s.destroyed) closeStream(s, this.remoteEnded, this.trace);
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
