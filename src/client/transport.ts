// Implements the four call kinds of PROTOCOL-HTTP2 (request messages then half-close; response headers, messages, trailers) over Http2Call (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
import { GrpcError } from "../wire/grpc-error.js";
import { Metadata } from "../wire/metadata.js";
import { Status } from "../wire/status.js";
import { AsyncQueue, type QueueOwner } from "../wire/async-queue.js";
import type { Channel } from "./channel.js";
import { Http2Call, type CallSink } from "./http2-call.js";
import type { CallHandler, ClientRequest, ClientResponse } from "./interceptors.js";
import type { CallOptions, ClientMethod } from "./types.js";

/**
 * Collects the single response of a unary or client-streaming call. With `full` false it resolves
 * with the bare message (the unary fast path: one promise per call, nothing else).
 */
export class SingleResponseSink<O> implements CallSink<O> {
  private headers: Metadata | undefined;
  private message: O | undefined;
  private count = 0;
  call: Http2Call<unknown, O> | undefined;

  constructor(
    private readonly resolve: (value: O | ClientResponse) => void,
    private readonly reject: (error: GrpcError) => void,
    private readonly full: boolean,
  ) {}

  onHeaders(headers: Metadata): void {
    this.headers = headers;
  }

  onMessage(message: O): void {
    if (++this.count === 2) {
      this.call?.cancel("the server sent more than one response message for a call with a single response", Status.INTERNAL);
      return;
    }
    this.message = message;
  }

  onEnd(error: GrpcError | undefined, trailers: Metadata): void {
    if (error !== undefined) {
      this.reject(error);
    } else if (this.count !== 1) {
      this.reject(new GrpcError(Status.INTERNAL, `the server sent ${this.count} response messages with status OK; want exactly one`, { metadata: trailers }));
    } else if (this.full) {
      this.resolve({ headers: this.headers ?? new Metadata(), message: this.message, messages: undefined, trailers });
    } else {
      this.resolve(this.message as O);
    }
  }
}

/** Feeds the response messages of a server-streaming or bidi call into an async queue. */
class StreamResponseSink<O> implements CallSink<O> {
  readonly queue = new AsyncQueue<O>();
  private readonly trailers = new Metadata();
  private settled = false;
  private markEnded!: () => void;
  private readonly ended = new Promise<void>((resolve) => (this.markEnded = resolve));

  constructor(
    private readonly resolve: (value: ClientResponse) => void,
    private readonly reject: (error: GrpcError) => void,
  ) {}

  onHeaders(headers: Metadata): void {
    this.settled = true;
    this.resolve({ headers, message: undefined, messages: this.queue, trailers: this.trailers, ended: this.ended });
  }

  onMessage(message: O): void {
    this.queue.push(message);
  }

  onEnd(error: GrpcError | undefined, trailers: Metadata): void {
    this.trailers.merge(trailers);
    if (!this.settled) {
      // Trailers-Only: no headers came. An error rejects the call; OK gives an empty stream.
      this.settled = true;
      if (error !== undefined) this.reject(error);
      else this.resolve({ headers: new Metadata(), message: undefined, messages: this.queue, trailers: this.trailers, ended: this.ended });
    }
    this.queue.close(error);
    this.markEnded();
  }
}

/** Pauses and resumes reading the response stream for its queue; cancels the call when the reader leaves. */
class ResponseReader implements QueueOwner<unknown> {
  constructor(private readonly call: Http2Call<unknown, unknown>) {}
  pause(): void {
    this.call.setReading(false);
  }
  resume(): void {
    this.call.setReading(true);
  }
  stopped(): void {
    this.call.cancel("the client stopped reading the response stream");
  }
}

/** Sends every message of `messages`, waiting for HTTP/2 flow control, then half-closes. */
async function pump<I, O>(call: Http2Call<I, O>, messages: AsyncIterable<I>): Promise<void> {
  const it = messages[Symbol.asyncIterator]();
  // When the call ends first (status, deadline, cancel), wake a pending next() and fail the
  // writes still queued, so no `write()` promise is left hanging.
  const stop = (error: GrpcError | undefined): void => {
    if (it instanceof AsyncQueue) it.abort(error ?? new GrpcError(Status.CANCELLED, "the call has already ended"));
    else void it.return?.();
  };
  if (call.isDone) {
    stop(undefined);
    return;
  }
  call.onFinished = stop;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done === true || call.isDone) break;
      if (!call.send(r.value) && !call.isDone) {
        await new Promise<void>((resolve) => {
          call.onDrain = resolve;
        });
        call.onDrain = undefined;
      }
    }
    call.halfClose();
  } catch (err) {
    call.cancel(`the request stream failed: ${err instanceof Error ? err.message : String(err)}`, GrpcError.from(err, Status.CANCELLED).code);
  }
}

function withMetadata(options: CallOptions, metadata: Metadata): CallOptions {
  return options.metadata === metadata ? options : { ...options, metadata };
}

/** The innermost handler of every interceptor chain: runs the call on the channel. */
export function transportHandler(channel: Channel): CallHandler {
  return (req: ClientRequest): Promise<ClientResponse> => {
    const method = req.method as ClientMethod<unknown, unknown>;
    const options = withMetadata(req.options, req.metadata);
    switch (method.kind) {
      case "unary":
      case "client_streaming":
        return new Promise<ClientResponse>((resolve, reject) => {
          const sink = new SingleResponseSink<unknown>(resolve as (v: unknown) => void, reject, true);
          const call = new Http2Call(channel, method, options, sink);
          sink.call = call;
          call.start();
          if (req.messages !== undefined) void pump(call, req.messages);
          else call.sendLast(req.message);
        });
      case "server_streaming":
      case "bidi_streaming":
        return new Promise<ClientResponse>((resolve, reject) => {
          const sink = new StreamResponseSink<unknown>(resolve, reject);
          const call = new Http2Call(channel, method, options, sink);
          sink.queue.owner = new ResponseReader(call);
          call.start();
          if (req.messages !== undefined) void pump(call, req.messages);
          else call.sendLast(req.message);
        });
    }
  };
}
