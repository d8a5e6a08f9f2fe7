// Implements PROTOCOL-HTTP2 "Responses" for one server stream: Response-Headers *Length-Prefixed-Message Trailers, or Trailers-Only (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { TLSSocket } from "node:tls";
import { ACCEPT_ENCODING, compress, decompress, type Encoding } from "../wire/compression.js";
import { CONTENT_TYPE } from "../wire/content-type.js";
import { EnvelopeDecoder, PREFIX_LENGTH, encodeEnvelope, writeEnvelopePrefix, type EnvelopeSink } from "../wire/framing.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Header } from "../wire/headers.js";
import { Metadata } from "../wire/metadata.js";
import { Status } from "../wire/status.js";
import { statusToTrailers } from "../wire/trailers.js";
import type { CallTrace } from "../wire/trace.js";
import type { ResolvedServerOptions } from "./options.js";
import { RequestQueue, type QueueSource } from "./request-queue.js";
import type { Route } from "./router.js";
import { countPeerReset } from "./connection.js";
import { excusePings, type SessionState } from "./keepalive.js";
import type { MethodKind, PeerCertificate, ServerInterceptor, ServerInterceptorCall, ServerWriter, WriteOptions } from "./types.js";

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

const CALL: unique symbol = Symbol("grpc.serverCall");
type CallStream = ServerHttp2Stream & { [CALL]?: ServerCall };

// Shared, immutable header objects: node:http2 copies them in respond()/sendTrailers().
const RESPONSE_HEADERS: OutgoingHttpHeaders = {
  [Header.status]: 200,
  [Header.contentType]: CONTENT_TYPE,
  [Header.grpcAcceptEncoding]: ACCEPT_ENCODING,
};
const OK_TRAILERS: OutgoingHttpHeaders = { [Header.grpcStatus]: "0" };
/**
 * respond() options. `sendDate: false` (the option node's own compat layer passes for
 * `response.sendDate = false`) drops the `date` header node adds by default: gRPC does not use it
 * (PROTOCOL-HTTP2 Response-Headers), grpc-go and grpc-java do not send it, and it is the 5th entry
 * of the dictionary node builds in processHeaders, which grows it: a profile showed 2 µs per call.
 */
export const RESPOND_OPTIONS = { waitForTrailers: true, sendDate: false };
/** respond() options of a Trailers-Only response. */
export const RESPOND_END_OPTIONS = { endStream: true, sendDate: false };

// Stream listeners are module functions reading the call from the stream: no closures per call.
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

/**
 * One gRPC call on one HTTP/2 stream: decodes request envelopes, gives the handler its context and
 * writer, and ends the stream with exactly one status (trailers or Trailers-Only).
 */
export class ServerCall implements ServerInterceptorCall, ServerWriter<unknown>, EnvelopeSink, QueueSource<unknown> {
  readonly deadline: number | undefined;

  /** The single request of unary and server-streaming calls. */
  request: unknown = undefined;
  private requestCount = 0;
  /** The incoming messages of client-streaming and bidi calls. */
  queue: RequestQueue<unknown> | undefined;
  /** A unary/client-streaming handler's result, sent when the interceptor chain returns. */
  response: unknown = undefined;

  private readonly decoder: EnvelopeDecoder;
  private responseEncoding: Encoding = "identity";
  private headersSent = false;
  /** Set once the status is decided (sent or the stream is gone). */
  private ended = false;
  private endError: GrpcError | undefined;
  private pendingTrailers: OutgoingHttpHeaders = OK_TRAILERS;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private header: Metadata | undefined;
  private trailerMd: Metadata | undefined;
  private requestHooks: Array<(m: unknown) => unknown> | undefined;
  private responseHooks: Array<(m: unknown) => unknown> | undefined;
  private drainWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> | undefined;
  /** Small response messages not yet handed to the stream (see write()); `batchUsed` bytes of it. */
  private batch: Buffer | undefined;
  private batchUsed = 0;
  /** Set while a flushBatchLater is queued (process.nextTick). */
  batchScheduled = false;
  /** The wire trace of this call; set by the server only when `wireTrace.enabled` (src/wire/trace.ts). */
  trace: CallTrace | undefined = undefined;
  /** Runs the handler (with or without interceptors; set by dispatch.ts `startCall`). Unary and
   *  server-streaming calls start when the request stream is complete, the others at once. */
  runner: ((call: ServerCall, interceptors: readonly ServerInterceptor[]) => void) | undefined;
  /** Between `runHandler` and the handler's return: the call holds a handler-quota slot. */
  private handlerRunning = false;

  /** Whether the request message the handler received last carried the Compressed-Flag. */
  lastRequestCompressed = false;
  /** Membership in the server's list of live calls (kept by Server: onStream and callEnded). */
  live = false;
  livePrev: ServerCall | undefined = undefined;
  liveNext: ServerCall | undefined = undefined;
  /** Compressed-Flags of queued messages (only tracked when the request encoding is not identity). */
  private queuedFlags: boolean[] | undefined;
  private queuedFlagsHead = 0;

  constructor(
    private readonly host: CallHost,
    /** The connection's keepalive state (sending headers or data clears the client's ping strikes). */
    readonly connState: SessionState | undefined,
    readonly stream: ServerHttp2Stream,
    readonly route: Route,
    private readonly requestHeaders: IncomingHttpHeaders,
    private readonly rawHeaders: readonly string[],
    readonly requestEncoding: Encoding,
    private readonly acceptEncoding: string | undefined,
    timeoutMs: number | undefined,
  ) {
    this.decoder = new EnvelopeDecoder(this, host.options.maxReceiveMessageSize);
    // Mirror a compressed request in the response when the client accepts it (as grpc-go does).
    if (requestEncoding !== "identity" && this.accepts(requestEncoding)) this.responseEncoding = requestEncoding;
    const s = stream as CallStream;
    s[CALL] = this;
    s.on("data", onData);
    s.on("end", onEnd);
    s.on("close", onClose);
    s.on("error", onStreamError);
    s.on("wantTrailers", onWantTrailers);
    if (timeoutMs !== undefined) {
      this.deadline = Date.now() + timeoutMs;
      // setTimeout fires at once for delays over 2^31-1 ms (~24.8 days): such deadlines never fire here.
      if (timeoutMs <= MAX_TIMER_MS) this.timer = setTimeout(expire, Math.max(0, Math.ceil(timeoutMs)), this);
    } else {
      this.deadline = undefined;
    }
    if (route.kind === "client_streaming" || route.kind === "bidi_streaming") this.queue = new RequestQueue<unknown>(this);
  }

  // ---- context ----------------------------------------------------------------------------------

  private md: Metadata | undefined;

  get path(): string {
    return this.route.path;
  }

  get service(): string {
    return this.route.service;
  }

  get method(): string {
    return this.route.method;
  }

  get kind(): MethodKind {
    return this.route.kind;
  }

  get authority(): string | undefined {
    return this.requestHeaders[":authority"];
  }

  get userAgent(): string | undefined {
    return this.requestHeaders["user-agent"];
  }

  /** Built on first use from the raw request headers (validated by the server before the call began). */
  get metadata(): Metadata {
    return (this.md ??= Metadata.fromRawHeaders(this.rawHeaders));
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.ended && this.endError !== undefined && this.endError.code !== Status.OK) this.controller.abort(this.endError);
    }
    return this.controller.signal;
  }

  get peer(): string {
    return this.connState?.peer ?? "unknown";
  }

  get peerCertificate(): PeerCertificate | undefined {
    const sock = this.stream.session?.socket as TLSSocket | undefined;
    if (sock === undefined || typeof sock.getPeerCertificate !== "function") return undefined;
    const cert = sock.getPeerCertificate();
    if (cert === null || cert === undefined || Object.keys(cert).length === 0) return undefined;
    return {
      subject: cert.subject as unknown as Record<string, string | string[]>,
      issuer: cert.issuer as unknown as Record<string, string | string[]>,
      fingerprint256: cert.fingerprint256,
      serialNumber: cert.serialNumber,
      raw: cert.raw,
    };
  }

  get responseHeader(): Metadata {
    return (this.header ??= new Metadata());
  }

  get trailer(): Metadata {
    return (this.trailerMd ??= new Metadata());
  }

  sendHeader(metadata?: Metadata): void {
    if (metadata !== undefined) this.responseHeader.merge(metadata);
    this.ensureHeaders();
  }

  setResponseEncoding(encoding: Encoding): void {
    if (this.headersSent) return;
    this.responseEncoding = encoding === "identity" || this.accepts(encoding) ? encoding : "identity";
  }

  onRequestMessage(fn: (message: unknown) => unknown): void {
    (this.requestHooks ??= []).push(fn);
  }

  onResponseMessage(fn: (message: unknown) => unknown): void {
    (this.responseHooks ??= []).push(fn);
  }

  private accepts(encoding: Encoding): boolean {
    const list = this.acceptEncoding;
    if (list === undefined) return false;
    for (const part of list.split(",")) if (part.trim() === encoding) return true;
    return false;
  }

  // ---- request side -----------------------------------------------------------------------------

  onData(chunk: Buffer): void {
    if (this.ended) return;
    const err = this.decoder.push(chunk);
    if (err !== undefined) this.fail(new GrpcError(err.code, err.message));
  }

  onEnvelope(compressed: boolean, data: Buffer): void {
    if (this.ended) return;
    if (this.trace !== undefined) this.trace.message("in", compressed, data);
    if (compressed) {
      const r = decompress(this.requestEncoding, data, this.host.options.maxReceiveMessageSize);
      if (!r.ok) return this.fail(new GrpcError(r.code, r.message));
      data = r.data;
      if (this.trace !== undefined) this.trace.decompressed(data);
    }
    let message: unknown;
    try {
      message = this.route.requestCodec.decode(data);
    } catch (err) {
      return this.fail(new GrpcError(Status.INTERNAL, `failed to parse request message: ${(err as Error).message}`));
    }
    const q = this.queue;
    if (q !== undefined) {
      if (this.requestEncoding !== "identity") (this.queuedFlags ??= []).push(compressed);
      q.push(message);
      return;
    }
    this.lastRequestCompressed = compressed;
    if (++this.requestCount > 1) {
      return this.fail(new GrpcError(Status.INTERNAL, `received more than one request message for ${this.kind} method ${this.path}`));
    }
    this.request = message;
  }

  onEnd(): void {
    if (this.ended) return;
    if (this.trace !== undefined) this.trace.halfClose("in");
    if (this.decoder.hasPartial) {
      return this.fail(new GrpcError(Status.INTERNAL, "request stream ended in the middle of a message"));
    }
    const q = this.queue;
    if (q !== undefined) {
      q.end();
      return;
    }
    if (this.requestCount === 0) {
      return this.fail(new GrpcError(Status.INTERNAL, `received no request message for ${this.kind} method ${this.path}`));
    }
    if (this.runner !== undefined) admitCall(this);
  }

  /** Hands the call to its host for the handler quota (see `admitCall`). */
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
    if (this.ended || this.runner === undefined) {
      // Ended while it waited for the quota: the handler never runs; give the slot back.
      this.host.handlerReturned(this);
      return;
    }
    this.handlerRunning = true;
    this.runner(this, this.host.options.interceptors);
  }

  /** First thing in finishOk/finishError: the handler has returned, release its quota slot. */
  private handlerDone(): void {
    if (this.handlerRunning) {
      this.handlerRunning = false;
      this.host.handlerReturned(this);
    }
  }

  transformRequest(message: unknown): unknown {
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

  pauseReading(): void {
    this.stream.pause();
  }

  resumeReading(): void {
    this.stream.resume();
  }

  // ---- response side ----------------------------------------------------------------------------

  get closed(): boolean {
    return this.ended;
  }

  private ensureHeaders(): void {
    // A destroyed stream whose 'close' has not run yet: nothing can be sent; 'close' ends the call.
    if (this.headersSent || this.ended || this.stream.destroyed) return;
    this.headersSent = true;
    let headers = RESPONSE_HEADERS;
    if (this.header !== undefined || this.responseEncoding !== "identity") {
      headers = { ...RESPONSE_HEADERS };
      if (this.responseEncoding !== "identity") headers[Header.grpcEncoding] = this.responseEncoding;
      if (this.header !== undefined) this.header.toHeaders(headers);
    }
    if (this.trace !== undefined) this.trace.headers("out", "HEADERS", headers);
    this.stream.respond(headers, RESPOND_OPTIONS);
    if (this.connState !== undefined) excusePings(this.connState, 0);
  }

  /** Encodes and frames one response message; throws GrpcError on oversize or hook failure. */
  private frame(message: unknown, allowCompression = true): Buffer {
    const hooks = this.responseHooks;
    if (hooks !== undefined) for (let i = hooks.length - 1; i >= 0; i--) message = hooks[i](message);
    let buf: Buffer;
    try {
      buf = this.route.responseCodec.encode(message, PREFIX_LENGTH);
    } catch (err) {
      throw new GrpcError(Status.INTERNAL, `failed to serialize response: ${(err as Error).message}`, { cause: err });
    }
    const size = buf.length - PREFIX_LENGTH;
    if (size > this.host.options.maxSendMessageSize) {
      throw new GrpcError(Status.RESOURCE_EXHAUSTED, `response message larger than max (${size} vs. ${this.host.options.maxSendMessageSize})`);
    }
    if (this.responseEncoding === "identity" || !allowCompression) return writeEnvelopePrefix(buf, false);
    if (this.trace !== undefined) this.trace.beforeCompression(buf.subarray(PREFIX_LENGTH));
    return encodeEnvelope(compress(this.responseEncoding, buf.subarray(PREFIX_LENGTH)), true);
  }

  /** ServerWriter.write: sends one message, waiting for flow control when the send buffer is full. */
  write(message: unknown, options?: WriteOptions): Promise<void> | void {
    if (this.ended) throw this.endError ?? new GrpcError(Status.CANCELLED, "call already ended");
    if (this.stream.destroyed) throw new GrpcError(Status.CANCELLED, "call cancelled by the client");
    const buf = this.frame(message, options === undefined || options.compress !== false);
    this.ensureHeaders();
    if (this.connState !== undefined) excusePings(this.connState, buf.length);
    if (this.trace !== undefined) this.trace.message("out", buf[0] === 1, buf, true);
    // Small messages written in one go (a handler's synchronous loop) are copied into one batch
    // buffer and leave in one stream.write, at the next tick or when the batch is full: a
    // stream.write per message (a Writable entry, a native write and a callback each) cost
    // small-message streams most of their time. Larger messages go out as they are, after the batch.
    let written: boolean;
    if (buf.length <= BATCH_MESSAGE_MAX) {
      let batch = this.batch;
      if (batch === undefined || this.batchUsed + buf.length > batch.length) {
        if (batch !== undefined) this.flushBatch();
        batch = this.batch = Buffer.allocUnsafe(BATCH_SIZE);
      }
      if (!this.batchScheduled) {
        this.batchScheduled = true;
        process.nextTick(flushBatchLater, this);
      }
      batch.set(buf, this.batchUsed);
      this.batchUsed += buf.length;
      written = this.stream.writableLength + this.batchUsed < this.host.options.writeBufferSize;
      if (written) return undefined;
      written = this.flushBatch();
    } else {
      this.flushBatch();
      written = this.stream.write(buf);
    }
    // stream.write() says "wait" once node's 16 KiB writable buffer is full; we wait only once the
    // stream holds writeBufferSize bytes, so a handler keeps HTTP/2 busy with large messages while
    // memory per stream stays bounded (writeBufferSize + one message).
    if (written || this.stream.writableLength < this.host.options.writeBufferSize) return undefined;
    return new Promise<void>((resolve, reject) => {
      if (this.drainWaiters === undefined) {
        this.drainWaiters = [];
        this.stream.on("drain", onDrain);
      }
      this.drainWaiters.push({ resolve, reject });
    });
  }

  /** Hands the batched messages to the stream (in order, before anything written after them). */
  flushBatch(): boolean {
    const batch = this.batch;
    if (batch === undefined) return true;
    const used = this.batchUsed;
    this.batch = undefined;
    this.batchUsed = 0;
    if (this.ended && this.endError !== undefined) return true; // cancelled: nothing more goes out
    if (this.stream.destroyed) return true;
    return this.stream.write(batch.subarray(0, used));
  }

  onDrain(): void {
    const w = this.drainWaiters;
    if (w === undefined || w.length === 0) return;
    this.drainWaiters = [];
    for (const x of w) x.resolve();
  }

  /** Ends the call with OK, first sending `response` when the kind has a single response. */
  finishOk(): void {
    this.handlerDone();
    if (this.ended) return;
    let buf: Buffer | undefined;
    if (this.kind === "unary" || this.kind === "client_streaming") {
      try {
        buf = this.frame(this.response);
      } catch (err) {
        return this.finishError(err);
      }
    }
    this.ensureHeaders();
    const tmd = this.trailerMd;
    if (tmd !== undefined && tmd.size > 0) this.pendingTrailers = statusToTrailers(Status.OK, "", tmd, undefined);
    this.end(undefined);
    // One write for the single response and the end of the stream; the trailers follow on 'wantTrailers'.
    if (this.trace !== undefined && buf !== undefined) this.trace.message("out", buf[0] === 1, buf, true);
    if (buf !== undefined) {
      if (this.connState !== undefined) excusePings(this.connState, buf.length);
      this.flushBatch();
      this.stream.end(buf);
    } else {
      this.flushBatch();
      this.stream.end();
    }
  }

  /** Ends the call with the status of `reason` (GrpcError, or UNKNOWN for anything else). */
  finishError(reason: unknown): void {
    this.handlerDone();
    if (this.ended) return;
    if (!(reason instanceof GrpcError)) this.host.options.onError(reason);
    const err = GrpcError.from(reason, Status.UNKNOWN);
    this.sendStatus(err);
  }

  /** A protocol or limit failure detected by us: status to the client, abort to the handler. */
  fail(err: GrpcError): void {
    if (this.ended) return;
    this.sendStatus(err);
  }

  private sendStatus(err: GrpcError): void {
    let md = err.metadata;
    const tmd = this.trailerMd;
    if (tmd !== undefined && tmd.size > 0) md = tmd.clone().merge(md);
    // Response header metadata set by the handler or an interceptor (x-request-id, say) goes out in
    // its own HEADERS frame, then the status in trailers, as grpc-go and grpc-js do: a client reads
    // headers and trailers separately (grpc-js 'metadata' event, grpc-go grpc.Header()), and in a
    // Trailers-Only response it would find that metadata among the trailers only.
    if (!this.headersSent && this.header !== undefined && this.header.size > 0) this.ensureHeaders();
    if (!this.headersSent && !this.stream.destroyed) {
      // Trailers-Only: one HEADERS frame with the status and END_STREAM (no header metadata was set).
      this.headersSent = true;
      const headers: OutgoingHttpHeaders = { ...RESPONSE_HEADERS };
      statusToTrailers(err.code, err.rawMessage, md, err.details, headers);
      this.end(err);
      if (this.trace !== undefined) this.trace.headers("out", "TRAILERS-ONLY", headers);
      this.stream.respond(headers, RESPOND_END_OPTIONS);
      // The client is still sending: reset its half with NO_ERROR, as grpc-go does.
      if (!this.stream.readableEnded) {
        if (this.trace !== undefined) this.trace.reset(constants.NGHTTP2_NO_ERROR);
        this.stream.close(constants.NGHTTP2_NO_ERROR);
      }
      return;
    }
    this.pendingTrailers = statusToTrailers(err.code, err.rawMessage, md, err.details);
    // Messages the handler wrote before failing still go out, before the trailers.
    const batched = this.batch;
    this.batch = undefined;
    this.end(err);
    if (!this.stream.destroyed) {
      if (batched !== undefined) this.stream.write(batched.subarray(0, this.batchUsed));
      this.batchUsed = 0;
      this.stream.end();
    }
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
    // A reset from the client before our status spends its reset budget. Only an RST_STREAM code says
    // so: a stream closed with no code went with its connection, and one we had finished was closed by
    // us (node reports our own resets in rstCode too).
    if (this.connState !== undefined && !this.ended && code !== undefined && code !== constants.NGHTTP2_NO_ERROR) countPeerReset(this.connState);
    if (!this.ended) {
      const msg = code === constants.NGHTTP2_CANCEL || code === undefined ? "call cancelled by the client" : `stream reset by the client (HTTP/2 code ${code})`;
      this.end(new GrpcError(Status.CANCELLED, msg));
    }
    (this.stream as CallStream)[CALL] = undefined;
  }

  /** Ends the call from our side (shutdown, max connection age) with `err`'s status: trailers
   *  after the headers already sent, or Trailers-Only. No RST_STREAM(CANCEL): the client reads the
   *  status (UNAVAILABLE, which it may retry) instead of CANCELLED. The handler's signal aborts. */
  cancel(err: GrpcError): void {
    if (this.ended) return;
    this.sendStatus(err);
  }

  onDeadline(): void {
    this.timer = undefined;
    if (this.ended) return;
    if (this.trace !== undefined) this.trace.note("deadline (grpc-timeout) expired");
    this.sendStatus(new GrpcError(Status.DEADLINE_EXCEEDED, "deadline exceeded"));
  }

  /** Marks the call ended once: stops the timer, fails the request queue, fires the signal, wakes writers. */
  private end(err: GrpcError | undefined): void {
    this.ended = true;
    this.endError = err;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (err !== undefined) {
      this.queue?.fail(err);
      this.controller?.abort(err);
      const w = this.drainWaiters;
      if (w !== undefined) {
        this.drainWaiters = undefined;
        for (const x of w) x.reject(err);
      }
    } else {
      const w = this.drainWaiters;
      if (w !== undefined) {
        this.drainWaiters = undefined;
        for (const x of w) x.resolve();
      }
    }
    this.host.callEnded(this);
  }
}

/** Messages batched by write() smaller than this are copied into the batch; bigger ones go alone. */
const BATCH_MESSAGE_MAX = 4096;
const BATCH_SIZE = 16 * 1024;

function flushBatchLater(call: ServerCall): void {
  call.batchScheduled = false;
  call.flushBatch();
}

function closeNoError(stream: ServerHttp2Stream): void {
  if (!stream.destroyed && !stream.closed) stream.close(constants.NGHTTP2_NO_ERROR);
}

/**
 * Starts a handler one event-loop turn after its request became ready (in the check phase of the
 * same loop iteration, so no extra wait for I/O). Why: node:http2 reports a request's END_STREAM,
 * or a new stream, before it has parsed the rest of the bytes read with it; a RST_STREAM sent right
 * behind them (the rapid-reset pattern) is seen only after that. By the check phase it has been,
 * and `admit` finds the stream closed and never runs the handler. One setImmediate per loop turn
 * for all calls that became ready in it (an array push per call).
 */
export function admitCall(call: ServerCall): void {
  pendingAdmits.push(call);
  if (pendingAdmits.length === 1) setImmediate(admitPending);
}

let pendingAdmits: ServerCall[] = [];

function admitPending(): void {
  const calls = pendingAdmits;
  pendingAdmits = [];
  for (let i = 0; i < calls.length; i++) calls[i].admit();
}

function expire(call: ServerCall): void {
  call.onDeadline();
}
