// Implements PROTOCOL-HTTP2 "Responses" for one server stream: Response-Headers *Length-Prefixed-Message Trailers, or Trailers-Only (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { AsyncQueue, type QueueOwner } from "../wire/async-queue.js";
import type { Encoding } from "../wire/compression.js";
import { EnvelopeDecoder, type EnvelopeSink } from "../wire/framing.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Header } from "../wire/headers.js";
import type { Metadata } from "../wire/metadata.js";
import { frameMessage, readMessage } from "../wire/message.js";
import { Status } from "../wire/status.js";
import { statusToTrailers } from "../wire/trailers.js";
import type { CallTrace } from "../wire/trace.js";
import { CallContext } from "./call-context.js";
import { attachCall, detachCall, listenForDrain, type StreamEvents } from "./call-stream.js";
import { countPeerReset } from "./connection.js";
import { admitCall, run } from "./dispatch.js";
import { excusePings, type SessionState } from "./keepalive.js";
import type { ResolvedServerOptions } from "./options.js";
import { OK_TRAILERS, RESPONSE_HEADERS, RESPOND_OPTIONS, closeNoError, respondTrailersOnly, responseHeaders } from "./respond.js";
import type { Route } from "./router.js";
import type { ServerWriter, WriteOptions } from "./types.js";
import { BATCH_MESSAGE_MAX, WriteBatch } from "./write-batch.js";

/** What a call needs from its server: options and the registry of live calls (for shutdown). */
export interface CallHost {
  readonly options: ResolvedServerOptions;
  callEnded(call: ServerCall): void;
  /** The call's request side is ready for its handler: start it now or when the connection's handler quota allows. */
  admit(call: ServerCall): void;
  /** The call's handler has returned (or thrown): its handler-quota slot is free. */
  handlerReturned(call: ServerCall): void;
}

const MAX_TIMER_MS = 0x7fffffff;
/** What write() returns when the message is on its way: one shared, already-resolved promise. */
const WRITTEN: Promise<void> = Promise.resolve();

/**
 * One gRPC call on one HTTP/2 stream. Its stages, in order (dispatch.ts starts the handler):
 * split (onData → EnvelopeDecoder) → decompress and parse (onEnvelope → readMessage) → invoke
 * (runHandler) → serialize, compress and join (write, or close(OK) for a single response →
 * frameMessage) → trailers (close → onWantTrailers, or Trailers-Only). Every end goes through
 * `close(status)`: the handler's result, a limit or protocol failure, the deadline, shutdown,
 * and the client's reset.
 */
export class ServerCall extends CallContext implements ServerWriter<unknown>, EnvelopeSink, QueueOwner<unknown>, StreamEvents {
  /** The single request of unary and server-streaming calls. */
  request: unknown = undefined;
  private requestCount = 0;
  /** The incoming messages of client-streaming and bidi calls. */
  readonly queue: AsyncQueue<unknown> | undefined;
  response: unknown = undefined; // a unary/client-streaming handler's result, sent by close()
  /** The wire trace of this call; set by the server only when `wireTrace.enabled` (src/wire/trace.ts). */
  trace: CallTrace | undefined = undefined;

  private readonly decoder: EnvelopeDecoder;
  private pendingTrailers: OutgoingHttpHeaders = OK_TRAILERS;
  private timer: NodeJS.Timeout | undefined;
  private drainWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> | undefined;
  /** Small response messages not yet handed to the stream (see write()). */
  private readonly batch = new WriteBatch();
  /** Set while a flushBatchLater is queued (process.nextTick). */
  private batchScheduled = false;
  /** Between `runHandler` and the handler's return: the call holds a handler-quota slot. */
  private handlerRunning = false;
  /** Compressed-Flags of queued messages (only tracked when the request encoding is not identity). */
  private queuedFlags: boolean[] | undefined;
  private queuedFlagsHead = 0;

  constructor(
    private readonly host: CallHost,
    connState: SessionState | undefined,
    stream: ServerHttp2Stream,
    route: Route,
    requestHeaders: IncomingHttpHeaders,
    rawHeaders: readonly string[],
    requestEncoding: Encoding,
    acceptEncoding: string | undefined,
    timeoutMs: number | undefined,
  ) {
    super(connState, stream, route, requestHeaders, rawHeaders, requestEncoding, acceptEncoding, timeoutMs);
    this.decoder = new EnvelopeDecoder(this, host.options.maxReceiveMessageSize);
    attachCall(stream, this);
    // setTimeout fires at once for delays over 2^31-1 ms (~24.8 days): such deadlines never fire here.
    if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) this.timer = setTimeout(expire, Math.max(0, Math.ceil(timeoutMs)), this);
    this.queue = route.kind === "client_streaming" || route.kind === "bidi_streaming" ? new AsyncQueue<unknown>(16, this) : undefined;
  }

  // ---- split, decompress, parse (request side) --------------------------------------------------

  onData(chunk: Buffer): void {
    if (this.ended) return;
    const err = this.decoder.push(chunk);
    if (err !== undefined) this.close(new GrpcError(err.code, err.message));
  }

  onEnvelope(compressed: boolean, data: Buffer): void {
    if (this.ended) return;
    if (this.trace !== undefined) this.trace.message("in", compressed, data);
    const o = this.host.options;
    const message = readMessage(this.route.requestCodec, compressed, data, this.requestEncoding, o.maxReceiveMessageSize, this.trace);
    if (message instanceof GrpcError) return this.close(message);
    const q = this.queue;
    if (q !== undefined) {
      if (this.requestEncoding !== "identity") (this.queuedFlags ??= []).push(compressed);
      q.push(message);
      return;
    }
    this.lastRequestCompressed = compressed;
    if (++this.requestCount > 1) {
      return this.close(new GrpcError(Status.INTERNAL, `received more than one request message for ${this.kind} method ${this.path}`));
    }
    this.request = message;
  }

  onEnd(): void {
    if (this.ended) return;
    if (this.trace !== undefined) this.trace.halfClose("in");
    if (this.decoder.hasPartial) return this.close(new GrpcError(Status.INTERNAL, "request stream ended in the middle of a message"));
    const q = this.queue;
    if (q !== undefined) return q.close();
    if (this.requestCount === 0) {
      return this.close(new GrpcError(Status.INTERNAL, `received no request message for ${this.kind} method ${this.path}`));
    }
    admitCall(this); // unary and server-streaming: the request is complete
  }

  /** QueueOwner: the handler took a queued request; interceptor hooks apply now. */
  taken(message: unknown): unknown {
    const flags = this.queuedFlags;
    if (flags !== undefined) {
      this.lastRequestCompressed = flags[this.queuedFlagsHead++] === true;
      if (this.queuedFlagsHead === flags.length) {
        flags.length = 0;
        this.queuedFlagsHead = 0;
      }
    }
    const hooks = this.requestHooks;
    if (hooks === undefined) return message;
    for (let i = 0; i < hooks.length; i++) message = hooks[i](message);
    return message;
  }

  /** QueueOwner: the handler is behind; HTTP/2 flow control slows the client. */
  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  // ---- invoke -----------------------------------------------------------------------------------

  /** dispatch.ts `admitCall`: the host applies the handler quota. */
  admit(): void {
    this.host.admit(this);
  }

  /** Whether the handler may still start: the call has not ended and the client has not reset the
   *  stream (a closed stream we have not ended was reset: we send END_STREAM only when ending). */
  get startable(): boolean {
    return !this.ended && !this.stream.closed && !this.stream.destroyed;
  }

  /** Runs the handler now (called by the host once the handler quota allows). */
  runHandler(): void {
    // Ended while it waited for the quota: the handler never runs; give the slot back.
    if (this.ended) return this.host.handlerReturned(this);
    this.handlerRunning = true;
    run(this, this.host.options.interceptors);
  }

  /** The handler (with its interceptors) returned `response`: free its quota slot, end with OK. */
  returned(response: unknown): void {
    this.handlerDone();
    this.response = response;
    this.close();
  }

  /** The handler threw: its GrpcError's status, or UNKNOWN (reported to `onError`) for anything else. */
  threw(reason: unknown): void {
    this.handlerDone();
    if (!this.ended) this.close(this.statusOf(reason));
  }

  private handlerDone(): void {
    if (this.handlerRunning) {
      this.handlerRunning = false;
      this.host.handlerReturned(this);
    }
  }

  private statusOf(reason: unknown): GrpcError {
    if (!(reason instanceof GrpcError)) this.host.options.onError(reason);
    return GrpcError.from(reason, Status.UNKNOWN);
  }

  // ---- serialize, compress, join (response side) ------------------------------------------------

  get closed(): boolean {
    return this.ended;
  }

  get writableNeedDrain(): boolean {
    return this.drainWaiters !== undefined && this.drainWaiters.length > 0;
  }

  sendHeader(metadata?: Metadata): void {
    if (metadata !== undefined) this.responseHeader.merge(metadata);
    this.ensureHeaders();
  }

  private ensureHeaders(): void {
    // A destroyed stream whose 'close' has not run: nothing can be sent ('close' ends the call).
    if (this.headersSent || this.ended || this.stream.destroyed) return;
    this.headersSent = true;
    let headers = RESPONSE_HEADERS;
    if (this.header !== undefined || this.responseEncoding !== "identity") {
      headers = responseHeaders();
      if (this.responseEncoding !== "identity") headers[Header.grpcEncoding] = this.responseEncoding;
      if (this.header !== undefined) this.header.toHeaders(headers);
    }
    if (this.trace !== undefined) this.trace.headers("out", "HEADERS", headers);
    this.stream.respond(headers, RESPOND_OPTIONS);
    if (this.connState !== undefined) excusePings(this.connState, 0);
  }

  /** Interceptor hooks, then the message path out (src/wire/message.ts). */
  private frame(message: unknown, allowCompression: boolean): Buffer | GrpcError {
    const hooks = this.responseHooks;
    if (hooks !== undefined) {
      try {
        for (let i = hooks.length - 1; i >= 0; i--) message = hooks[i](message);
      } catch (err) {
        return this.statusOf(err);
      }
    }
    const encoding = allowCompression ? this.responseEncoding : "identity";
    return frameMessage(this.route.responseCodec, message, this.host.options.maxSendMessageSize, encoding, this.trace);
  }

  /** ServerWriter.write: resolves at once while the stream holds < `writeBufferSize` bytes, else on
   *  'drain'; rejects once the call has ended. A message that cannot be framed ends the call. */
  write(message: unknown, options?: WriteOptions): Promise<void> {
    if (this.ended || this.stream.destroyed) return rejected(this.endError ?? new GrpcError(Status.CANCELLED, this.ended ? "call already ended" : "call cancelled by the client"));
    const compress = options === undefined || options.compress !== false;
    // Small messages leave together at the next tick (write-batch.ts), encoded straight into the
    // batch when no hook, trace or compression applies; larger ones go alone, after the batch.
    let length: number | GrpcError = -1;
    if (this.responseHooks === undefined && this.trace === undefined && (this.responseEncoding === "identity" || !compress)) {
      const o = this.host.options;
      length = this.batch.frameInto(this.route.responseCodec, message, o.maxSendMessageSize);
      if (length === -1 && this.batch.used > 0) {
        this.flushBatch(); // (a batch with bytes in it means headers are out)
        length = this.batch.frameInto(this.route.responseCodec, message, o.maxSendMessageSize);
      }
    }
    let written = true;
    if (length === -1) {
      const buf = this.frame(message, compress);
      if (buf instanceof GrpcError) length = buf;
      else {
        length = buf.length;
        this.ensureHeaders(); // before any stream.write: node would send default headers itself
        if (this.trace !== undefined) this.trace.message("out", buf[0] === 1, buf, true);
        if (buf.length > BATCH_MESSAGE_MAX) {
          this.flushBatch();
          written = this.stream.write(buf);
        } else if (!this.batch.add(buf)) {
          this.flushBatch();
          this.batch.add(buf);
        }
      }
    }
    if (typeof length !== "number") {
      // typeof, not instanceof: on a number V8 took a slow path (7 % of a small-message stream).
      this.close(length);
      return rejected(length);
    }
    this.ensureHeaders();
    if (this.connState !== undefined) excusePings(this.connState, length);
    if (this.batch.used > 0 && !this.batchScheduled) {
      this.batchScheduled = true;
      process.nextTick(flushBatchLater, this);
    }
    // We wait only once the stream holds writeBufferSize bytes (not at node's 16 KiB): HTTP/2 stays
    // busy with large messages, and memory per stream is bounded (writeBufferSize + one message).
    const limit = this.host.options.writeBufferSize;
    if (this.stream.writableLength + this.batch.used < limit) return WRITTEN;
    if (this.batch.used > 0) written = this.flushBatch();
    if (written || this.stream.writableLength < limit) return WRITTEN;
    return new Promise<void>((resolve, reject) => {
      if (this.drainWaiters === undefined) {
        this.drainWaiters = [];
        listenForDrain(this.stream);
      }
      this.drainWaiters.push({ resolve, reject });
    });
  }

  /** Hands the batched messages to the stream (in order, before anything written after them). */
  flushBatch(): boolean {
    const bytes = this.batch.take();
    if (bytes === undefined) return true;
    // Cancelled, or the stream is gone: nothing more goes out. (After an error status the batch
    // has already been written by close().)
    if ((this.ended && this.endError !== undefined) || this.stream.destroyed) return true;
    return this.stream.write(bytes);
  }

  /** The tick after a write: what the handler's synchronous loop batched goes out. */
  flushLater(): void {
    this.batchScheduled = false;
    this.flushBatch();
  }

  onDrain(): void {
    const w = this.drainWaiters;
    if (w === undefined || w.length === 0) return;
    this.drainWaiters = [];
    for (const x of w) x.resolve();
  }

  // ---- trailers: the one way a call ends --------------------------------------------------------

  /**
   * Ends the call once. No `status`: OK, after the single response of unary and client-streaming
   * calls. Else `status` in trailers after headers already sent (written messages first), or as
   * Trailers-Only; the signal aborts, the request stream and pending writes fail. On a stream the
   * client reset only the state changes. Never RST_STREAM(CANCEL): the client reads the status.
   */
  close(status?: GrpcError): void {
    if (this.ended) return;
    if (status === undefined) return this.closeOk();
    let md = status.metadata;
    const tmd = this.trailerMd;
    if (tmd !== undefined && tmd.size > 0) md = tmd.clone().merge(md);
    // Response header metadata set by the handler or an interceptor (x-request-id, say) goes out in
    // its own HEADERS frame, then the status in trailers, as grpc-go and grpc-js do: a client reads
    // headers and trailers separately, and in a Trailers-Only response it would find that metadata
    // among the trailers only.
    if (!this.headersSent && this.header !== undefined && this.header.size > 0) this.ensureHeaders();
    if (!this.headersSent && !this.stream.destroyed) {
      this.headersSent = true;
      this.markEnded(status);
      respondTrailersOnly(this.stream, status.code, status.rawMessage, md, status.details, this.trace);
      return;
    }
    this.pendingTrailers = statusToTrailers(status.code, status.rawMessage, md, status.details);
    // Messages the handler wrote before failing still go out, before the trailers.
    const batched = this.batch.take();
    this.markEnded(status);
    if (!this.stream.destroyed) {
      if (batched !== undefined) this.stream.write(batched);
      this.stream.end();
    }
  }

  private closeOk(): void {
    let buf: Buffer | undefined;
    if (this.kind === "unary" || this.kind === "client_streaming") {
      const framed = this.frame(this.response, true);
      if (framed instanceof GrpcError) return this.close(framed);
      buf = framed;
    }
    this.ensureHeaders();
    const tmd = this.trailerMd;
    if (tmd !== undefined && tmd.size > 0) this.pendingTrailers = statusToTrailers(Status.OK, "", tmd, undefined);
    this.markEnded(undefined);
    this.flushBatch();
    if (buf === undefined) {
      this.stream.end();
      return;
    }
    // One write for the single response and the end of the stream; the trailers follow on 'wantTrailers'.
    if (this.trace !== undefined) this.trace.message("out", buf[0] === 1, buf, true);
    if (this.connState !== undefined) excusePings(this.connState, buf.length);
    this.stream.end(buf);
  }

  onWantTrailers(): void {
    if (this.trace !== undefined) this.trace.headers("out", "TRAILERS", this.pendingTrailers);
    this.stream.sendTrailers(this.pendingTrailers);
    // The client is still sending: once the trailers are out, reset its half with NO_ERROR (as grpc-go does).
    if (!this.stream.readableEnded) {
      if (this.trace !== undefined) this.trace.reset(constants.NGHTTP2_NO_ERROR);
      setImmediate(closeNoError, this.stream);
    }
  }

  /** The stream closed: if we had not finished, the client cancelled (RST_STREAM) or went away. */
  onStreamClose(): void {
    if (this.trace !== undefined) this.trace.closed(this.stream.rstCode);
    const code = this.stream.rstCode;
    if (!this.ended) {
      // A reset from the client before our status spends its reset budget. Only an RST_STREAM code
      // says so: a stream closed with no code went with its connection.
      if (this.connState !== undefined && code !== undefined && code !== constants.NGHTTP2_NO_ERROR) countPeerReset(this.connState);
      const msg = code === constants.NGHTTP2_CANCEL || code === undefined ? "call cancelled by the client" : `stream reset by the client (HTTP/2 code ${code})`;
      this.close(new GrpcError(Status.CANCELLED, msg));
    }
    detachCall(this.stream);
  }

  onDeadline(): void {
    this.timer = undefined;
    if (this.ended) return;
    if (this.trace !== undefined) this.trace.note("deadline (grpc-timeout) expired");
    this.close(new GrpcError(Status.DEADLINE_EXCEEDED, "deadline exceeded"));
  }

  /** The call's state once its status is decided: timer stopped, request queue failed, signal fired, writers woken. */
  private markEnded(err: GrpcError | undefined): void {
    this.ended = true;
    this.endError = err;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (err !== undefined) {
      this.queue?.abort(err);
      this.controller?.abort(err);
    }
    const w = this.drainWaiters;
    if (w !== undefined) {
      this.drainWaiters = undefined;
      for (const x of w) err === undefined ? x.resolve() : x.reject(err);
    }
    this.host.callEnded(this);
  }
}

function flushBatchLater(call: ServerCall): void {
  call.flushLater();
}

function expire(call: ServerCall): void {
  call.onDeadline();
}

function noop(): void {}

/** A rejected promise that does not count as unhandled when a handler does not await its write. */
function rejected(err: GrpcError): Promise<void> {
  const p = Promise.reject(err);
  p.catch(noop);
  return p;
}
