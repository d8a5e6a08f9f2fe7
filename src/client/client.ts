// Implements the client side of the four RPC kinds of PROTOCOL-HTTP2 (unary, server streaming, client streaming, bidi) (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
import { GrpcError } from "../wire/grpc-error.js";
import { Metadata } from "../wire/metadata.js";
import { AsyncQueue } from "../wire/async-queue.js";
import type { Channel } from "./channel.js";
import { Http2Call } from "./http2-call.js";
import { composeInterceptors, type CallHandler, type ClientInterceptor, type ClientRequest, type ClientResponse } from "./interceptors.js";
import { SingleResponseSink, transportHandler } from "./transport.js";
import type { CallOptions, ClientMethod, MethodKind } from "./types.js";
import { markUncompressed, type WriteOptions } from "./message-options.js";
import type { MethodConfig, RetryPolicy } from "./service-config.js";
import { retry, type RetryOptions } from "./standard-interceptors.js";

export interface ClientOptions {
  /** Interceptors for every call, outermost first. */
  interceptors?: readonly ClientInterceptor[];
  /** Options merged under each call's own (e.g. a default `timeoutMs`). */
  defaultCallOptions?: CallOptions;
}

function noop(): void {}

/** Marks a promise as handled (callers may ignore headers/trailers) while keeping its rejection for those who await it. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(noop);
  return p;
}

/**
 * A call whose responses arrive as a stream: iterate it with `for await`. Ending the loop early
 * cancels the call. The iteration throws the call's `GrpcError` if it fails.
 */
export class ResponseStream<O> implements AsyncIterable<O> {
  /** Response headers (user metadata). Rejects if the call fails before headers arrive. */
  readonly headers: Promise<Metadata>;
  /** Trailing metadata, when the call has ended (successfully or not). */
  readonly trailers: Promise<Metadata>;
  protected readonly controller = new AbortController();
  private readonly response: Promise<ClientResponse>;
  private resolveTrailers!: (md: Metadata) => void;

  constructor(start: (signal: AbortSignal) => Promise<ClientResponse>) {
    this.trailers = quiet(new Promise<Metadata>((resolve) => (this.resolveTrailers = resolve)));
    this.response = quiet(start(this.controller.signal));
    this.headers = quiet(this.response.then((r) => r.headers));
    this.response.catch((err: unknown) => {
      this.onFailed(err);
      this.resolveTrailers(err instanceof GrpcError ? err.metadata : new Metadata());
    });
  }

  /** Cancels the call: the stream ends with CANCELLED. */
  cancel(reason = "cancelled by the client"): void {
    this.controller.abort(new Error(reason));
  }

  protected onFailed(_err: unknown): void {}

  [Symbol.asyncIterator](): AsyncIterator<O> {
    let inner: AsyncIterator<O> | undefined;
    // The first next() waits for the response; later ones go straight to the messages (one promise per message).
    const first = async (): Promise<IteratorResult<O>> => {
      inner = this.messagesOf(await this.response);
      return inner.next();
    };
    return {
      next: (): Promise<IteratorResult<O>> => (inner !== undefined ? inner.next() : first()),
      return: (): Promise<IteratorResult<O>> => {
        if (inner?.return !== undefined) return inner.return();
        this.cancel("the client stopped reading the response stream");
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private messagesOf(r: ClientResponse): AsyncIterator<O> {
    if (r.ended === undefined) return this.watch(r);
    // The transport tells us when the call ends: hand out its iterator as is.
    void r.ended.then(() => this.resolveTrailers(r.trailers));
    return (r.messages as AsyncIterable<O>)[Symbol.asyncIterator]();
  }

  /** For responses an interceptor built without `ended`: learn the end by iterating. */
  private async *watch(r: ClientResponse): AsyncGenerator<O> {
    try {
      for await (const m of r.messages as AsyncIterable<O>) yield m;
    } catch (err) {
      this.resolveTrailers(err instanceof GrpcError ? err.metadata : r.trailers);
      this.onFailed(err);
      throw err;
    }
    this.resolveTrailers(r.trailers);
  }
}

/** A server-streaming call. */
export class ServerStreamingCall<O> extends ResponseStream<O> {}

/** A bidirectional call: `write` requests, `end()` when done, and iterate the responses. */
export class BidiStreamingCall<I, O> extends ResponseStream<O> {
  constructor(
    private readonly requests: AsyncQueue<I>,
    start: (signal: AbortSignal) => Promise<ClientResponse>,
  ) {
    super(start);
  }

  /**
   * Sends one request. Resolves when the transport has taken it (flow control); rejects if the call
   * is over. `{ compress: false }` sends this message uncompressed in a compressed call.
   */
  write(message: I, options?: WriteOptions): Promise<void> {
    markUncompressed(message, options);
    return this.requests.write(message);
  }

  /** Half-closes: no more requests. */
  end(): void {
    this.requests.close();
  }

  protected override onFailed(err: unknown): void {
    this.requests.abort(err);
  }
}

/** A client-streaming call: `write` requests, then `closeAndRecv()` for the single response. */
export class ClientStreamingCall<I, O> {
  /** Response headers. */
  readonly headers: Promise<Metadata>;
  /** Trailing metadata, when the call has ended. */
  readonly trailers: Promise<Metadata>;
  /** The response; settles when the call ends. */
  readonly response: Promise<O>;
  private readonly controller = new AbortController();

  constructor(
    private readonly requests: AsyncQueue<I>,
    start: (signal: AbortSignal) => Promise<ClientResponse>,
  ) {
    const r = quiet(start(this.controller.signal));
    r.catch((err: unknown) => this.requests.abort(err));
    this.response = quiet(r.then((x) => x.message as O));
    this.headers = quiet(r.then((x) => x.headers));
    this.trailers = quiet(r.then((x) => x.trailers, (err: unknown) => (err instanceof GrpcError ? err.metadata : new Metadata())));
  }

  /**
   * Sends one request. Resolves when the transport has taken it; rejects if the call is over.
   * `{ compress: false }` sends this message uncompressed in a compressed call.
   */
  write(message: I, options?: WriteOptions): Promise<void> {
    markUncompressed(message, options);
    return this.requests.write(message);
  }

  /** Half-closes and waits for the response. */
  closeAndRecv(): Promise<O> {
    this.requests.close();
    return this.response;
  }

  cancel(reason = "cancelled by the client"): void {
    this.controller.abort(new Error(reason));
  }
}

function checkKind(method: ClientMethod<unknown, unknown>, want: MethodKind): void {
  if (method.kind !== want) throw new TypeError(`${method.path} is a ${method.kind} method, not ${want}`);
}

/** A signal that aborts when either input does (AbortSignal.any holds no listener on a long-lived user signal). */
function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a === undefined ? b : AbortSignal.any([a, b]);
}

/**
 * Makes calls on a {@link Channel}: one method per call kind. Typed clients wrap it:
 * `getUser(req, opts) { return this.client.unary(GetUser, req, opts); }`.
 */
export class Client {
  private readonly handler: CallHandler;
  private readonly hasInterceptors: boolean;
  private readonly defaults: CallOptions | undefined;
  private readonly interceptors: readonly ClientInterceptor[];
  /** True when the channel's service config has method configs (else no per-call lookup). */
  private readonly hasMethodConfigs: boolean;
  /** The handler (interceptors, then gRFC A6 retries, then the transport) per method config with a retryPolicy. */
  private readonly retryHandlers = new Map<MethodConfig, CallHandler>();

  constructor(
    readonly channel: Channel,
    options: ClientOptions = {},
  ) {
    const interceptors = options.interceptors ?? [];
    this.interceptors = interceptors;
    this.hasInterceptors = interceptors.length > 0;
    this.handler = composeInterceptors(interceptors, transportHandler(channel));
    this.defaults = options.defaultCallOptions;
    this.hasMethodConfigs = channel.serviceConfig.methods.size > 0;
  }

  private opts(o: CallOptions | undefined, mc?: MethodConfig): CallOptions {
    let r = this.defaults === undefined ? o ?? {} : o === undefined ? this.defaults : { ...this.defaults, ...o };
    if (mc !== undefined) r = withMethodConfig(r, mc);
    return r;
  }

  private methodConfig(method: ClientMethod<unknown, unknown>): MethodConfig | undefined {
    return this.hasMethodConfigs ? this.channel.methodConfig(method.path) : undefined;
  }

  /** The call handler for a method: with a retryPolicy, retries sit under the interceptors (one logical call for them). */
  private handlerFor(mc: MethodConfig | undefined): CallHandler {
    const policy = mc?.retryPolicy;
    if (mc === undefined || policy === undefined) return this.handler;
    let h = this.retryHandlers.get(mc);
    if (h === undefined) {
      h = composeInterceptors([...this.interceptors, retry(retryOptionsFor(policy))], transportHandler(this.channel));
      this.retryHandlers.set(mc, h);
    }
    return h;
  }

  private request(method: ClientMethod<unknown, unknown>, options: CallOptions, message: unknown, messages: AsyncIterable<unknown> | undefined): ClientRequest {
    // Interceptors may change the metadata: give them a copy, never the caller's object (it may be reused).
    return { method, metadata: options.metadata?.clone() ?? new Metadata(), options, message, messages };
  }

  /** A unary call: resolves with the response, rejects with a `GrpcError`. */
  unary<I, O>(method: ClientMethod<I, O>, request: I, options?: CallOptions): Promise<O> {
    checkKind(method as ClientMethod<unknown, unknown>, "unary");
    const mc = this.methodConfig(method as ClientMethod<unknown, unknown>);
    const o = this.opts(options, mc);
    if (!this.hasInterceptors && mc?.retryPolicy === undefined) {
      // Fast path: one Http2Call and one promise, no request/response objects.
      return new Promise<O>((resolve, reject) => {
        const sink = new SingleResponseSink<O>(resolve as (v: unknown) => void, reject, false);
        const call = new Http2Call<I, O>(this.channel, method, o, sink);
        sink.call = call as Http2Call<unknown, O>;
        call.start();
        call.sendLast(request);
      });
    }
    return this.handlerFor(mc)(this.request(method as ClientMethod<unknown, unknown>, o, request, undefined)).then((r) => r.message as O);
  }

  /** A server-streaming call: iterate the result with `for await`. */
  serverStreaming<I, O>(method: ClientMethod<I, O>, request: I, options?: CallOptions): ServerStreamingCall<O> {
    return new ServerStreamingCall<O>(this.streamingStart(method, "server_streaming", options, request, undefined));
  }

  /** A client-streaming call: `write` requests, then `closeAndRecv()`. */
  clientStreaming<I, O>(method: ClientMethod<I, O>, options?: CallOptions): ClientStreamingCall<I, O> {
    const requests = new AsyncQueue<I>(1);
    return new ClientStreamingCall<I, O>(requests, this.streamingStart(method, "client_streaming", options, undefined, requests));
  }

  /** A bidirectional call: `write`/`end` requests and iterate responses at the same time. */
  bidiStreaming<I, O>(method: ClientMethod<I, O>, options?: CallOptions): BidiStreamingCall<I, O> {
    const requests = new AsyncQueue<I>(1);
    return new BidiStreamingCall<I, O>(requests, this.streamingStart(method, "bidi_streaming", options, undefined, requests));
  }

  /** How a streaming call object starts its call, with its own AbortSignal (its `cancel()`) joined to the caller's. */
  private streamingStart<I, O>(
    method: ClientMethod<I, O>,
    kind: MethodKind,
    options: CallOptions | undefined,
    message: I | undefined,
    messages: AsyncIterable<I> | undefined,
  ): (signal: AbortSignal) => Promise<ClientResponse> {
    const m = method as ClientMethod<unknown, unknown>;
    checkKind(m, kind);
    const mc = this.methodConfig(m);
    const o = this.opts(options, mc);
    const handler = this.handlerFor(mc);
    return (signal) => handler(this.request(m, { ...o, signal: anySignal(o.signal, signal) }, message, messages));
  }
}

/** service_config.md: the method's timeout caps the call's; its waitForReady applies unless the call sets one. */
function withMethodConfig(o: CallOptions, mc: MethodConfig): CallOptions {
  const t = mc.timeoutMs;
  const setTimeout = t !== undefined && (o.timeoutMs === undefined || o.timeoutMs > t);
  const setWait = mc.waitForReady !== undefined && o.waitForReady === undefined;
  if (!setTimeout && !setWait) return o;
  return { ...o, ...(setTimeout ? { timeoutMs: t } : {}), ...(setWait ? { waitForReady: mc.waitForReady } : {}) };
}

/** gRFC A6 backoff: attempt n waits random(0, min(initialBackoff * multiplier^(n-1), maxBackoff)). */
function retryOptionsFor(p: RetryPolicy): RetryOptions {
  return {
    maxAttempts: p.maxAttempts,
    retryableCodes: p.retryableStatusCodes,
    delayMs: (attempt) => Math.random() * Math.min(p.initialBackoffMs * p.backoffMultiplier ** (attempt - 1), p.maxBackoffMs),
  };
}
