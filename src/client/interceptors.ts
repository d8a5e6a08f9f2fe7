// Implements client interceptors for the four call kinds of PROTOCOL-HTTP2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): one chain, composed in one place.
import type { Metadata } from "../wire/metadata.js";
import type { CallOptions, ClientMethod } from "./types.js";

/**
 * A call as interceptors see it. Exactly one of `message` (unary, server streaming) and `messages`
 * (client streaming, bidi) is used, according to `method.kind`. Interceptors may change `metadata`,
 * `options`, or replace `message`/`messages` (e.g. to log or transform each request).
 */
export interface ClientRequest {
  readonly method: ClientMethod<unknown, unknown>;
  /** Request metadata; add to it freely (auth tokens, request ids). */
  metadata: Metadata;
  options: CallOptions;
  message: unknown;
  messages: AsyncIterable<unknown> | undefined;
}

/**
 * The answer. For unary and client-streaming calls, `message` is the response and the promise
 * resolves when the call is over (trailers filled in). For server-streaming and bidi calls the
 * promise resolves when the response headers arrive; `messages` yields the responses and throws
 * the call's `GrpcError` if it fails; `trailers` is filled in when `messages` is exhausted.
 */
export interface ClientResponse {
  headers: Metadata;
  message: unknown;
  messages: AsyncIterable<unknown> | undefined;
  trailers: Metadata;
  /**
   * Streaming responses from the transport: settles when the call has ended and `trailers` is
   * filled in (it never rejects; the error comes out of `messages`). Optional: an interceptor that
   * builds its own response may leave it out.
   */
  ended?: Promise<void>;
}

/** Runs a call (the transport, or the rest of the chain). */
export type CallHandler = (request: ClientRequest) => Promise<ClientResponse>;

/**
 * An interceptor wraps the next handler: it can read and change the request, short-circuit by
 * returning or throwing without calling `next`, retry by calling `next` again, and observe or
 * transform the response. The first interceptor in the list is the outermost.
 */
export type ClientInterceptor = (next: CallHandler) => CallHandler;

/** Composes interceptors around `transport`: `[a, b]` runs a, then b, then the transport. */
export function composeInterceptors(interceptors: readonly ClientInterceptor[], transport: CallHandler): CallHandler {
  let handler = transport;
  for (let i = interceptors.length - 1; i >= 0; i--) handler = interceptors[i](handler);
  return handler;
}
