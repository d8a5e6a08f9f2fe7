// Implements the server-side call model of PROTOCOL-HTTP2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): service/method descriptors, the four handler kinds, the call context and interceptors.

import type { MessageCodec } from "../codec/codec.js";
import type { Encoding } from "../wire/compression.js";
import type { Metadata } from "../wire/metadata.js";

/** The four call kinds (PROTOCOL-HTTP2: a stream of request messages and a stream of responses). */
export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/** One RPC of a service, written by hand next to its codecs. */
export interface MethodDescriptor<Req = unknown, Res = unknown, K extends MethodKind = MethodKind> {
  /** The method name on the wire (`GetUser` in `/user.UserService/GetUser`). Defaults to the key in `methods`. */
  readonly name?: string;
  readonly kind: K;
  readonly requestCodec: MessageCodec<Req>;
  readonly responseCodec: MessageCodec<Res>;
}

/** The methods of a service, keyed by the implementation's property name. */
export type MethodMap = { readonly [key: string]: MethodDescriptor };

/** A service: its fully-qualified name (`user.UserService`) and its methods. */
export interface ServiceDescriptor<M extends MethodMap = MethodMap> {
  readonly typeName: string;
  readonly methods: M;
}

/**
 * Builds a typed descriptor, one method a line, as the .proto's `rpc` lines read:
 * ```ts
 * defineService("user.UserService", {
 *   GetUser: rpc(GetUserRequestCodec, UserCodec),            // rpc GetUser(GetUserRequest) returns (User)
 *   ListUsers: rpc(ListUsersRequestCodec, stream(UserCodec)), // rpc ListUsers(ListUsersRequest) returns (stream User)
 * })
 * ```
 */
export function defineService<const M extends MethodMap>(typeName: string, methods: M): ServiceDescriptor<M> {
  return { typeName, methods };
}

/** A side of a method that carries a stream of messages: `stream` in the .proto (see {@link rpc}). */
export interface Stream<T> {
  readonly stream: MessageCodec<T>;
}

/** Marks a request or response of {@link rpc} as a stream: `rpc(stream(ReqCodec), ResCodec)`. */
export function stream<T>(codec: MessageCodec<T>): Stream<T> {
  return { stream: codec };
}

type Side = MessageCodec<unknown> | Stream<unknown>;
type MessageOfSide<S> = S extends Stream<infer T> ? T : S extends MessageCodec<infer T> ? T : never;
/** The call kind of `rpc(request, response)`: which of the two sides are streams. */
type KindOf<Q, R> = Q extends Stream<unknown>
  ? R extends Stream<unknown> ? "bidi_streaming" : "client_streaming"
  : R extends Stream<unknown> ? "server_streaming" : "unary";

/**
 * One method, read like its .proto line: `rpc(Req, Res)` is unary, `rpc(Req, stream(Res))` server
 * streaming, `rpc(stream(Req), Res)` client streaming, `rpc(stream(Req), stream(Res))` bidirectional.
 */
export function rpc<Q extends Side, R extends Side>(request: Q, response: R): MethodDescriptor<MessageOfSide<Q>, MessageOfSide<R>, KindOf<Q, R>> {
  const clientStreams = "stream" in request;
  const serverStreams = "stream" in response;
  const kind = clientStreams ? (serverStreams ? "bidi_streaming" : "client_streaming") : serverStreams ? "server_streaming" : "unary";
  return {
    kind: kind as KindOf<Q, R>,
    requestCodec: (clientStreams ? request.stream : request) as MessageCodec<MessageOfSide<Q>>,
    responseCodec: (serverStreams ? response.stream : response) as MessageCodec<MessageOfSide<R>>,
  };
}

/** Writes response messages. `write` resolves when the message is handed to HTTP/2 (at once while
 *  the send buffer has room, else when the peer's flow-control window opens), so `await` it; it
 *  rejects once the call has ended. */
export interface ServerWriter<Res> {
  write(message: Res, options?: WriteOptions): Promise<void>;
  /** True while the promise of the last `write` waits for 'drain' (as node's `writableNeedDrain`).
   *  The others are already settled, so a loop writing many small messages may await only when
   *  this is set: each `await` costs a microtask turn (~15% of a small-message stream's CPU). */
  readonly writableNeedDrain: boolean;
  /** True once the call has ended (status sent, cancelled or deadline passed): further writes throw. */
  readonly closed: boolean;
}

/** Per-message write options. */
export interface WriteOptions {
  /** `false` sends this message uncompressed even when the call's responses are compressed
   *  (compression.md "Specific Disabling of Compression"). Default true. */
  compress?: boolean;
}

/** What every handler and interceptor sees of the call. */
export interface ServerCallContext {
  /** `/package.Service/Method`. */
  readonly path: string;
  readonly service: string;
  readonly method: string;
  readonly kind: MethodKind;
  /** Request metadata (custom headers; reserved `grpc-*`/pseudo headers are not included). */
  readonly metadata: Metadata;
  /** Aborted on deadline (reason: GrpcError DEADLINE_EXCEEDED), client cancel/disconnect (CANCELLED) or forced shutdown. */
  readonly signal: AbortSignal;
  /** Absolute deadline in `Date.now()` milliseconds, or undefined when the client sent no `grpc-timeout`. */
  readonly deadline: number | undefined;
  /** Remote address, e.g. `127.0.0.1:53412` or `[::1]:53412`. */
  readonly peer: string;
  /** The request's `:authority`. */
  readonly authority: string | undefined;
  /** The client's `user-agent`. */
  readonly userAgent: string | undefined;
  /** The client's TLS certificate (mTLS) when the connection is TLS and the client sent one. */
  readonly peerCertificate: PeerCertificate | undefined;
  /** Response header metadata: add to it before the first message (or call `sendHeader`). */
  readonly responseHeader: Metadata;
  /** Response trailer metadata, sent with the status. */
  readonly trailer: Metadata;
  /** Sends the response headers now (merging `metadata` into `responseHeader` first). Idempotent. */
  sendHeader(metadata?: Metadata): void;
  /** Compresses the responses with this encoding if the client accepts it (call before the first message). */
  setResponseEncoding(encoding: Encoding): void;
  /** The request's `grpc-encoding` ("identity" when absent). */
  readonly requestEncoding: Encoding;
  /** Whether the request message the handler received last carried the Compressed-Flag. */
  readonly lastRequestCompressed: boolean;
}

/** A subset of node:tls PeerCertificate that does not tie users to node types. */
export interface PeerCertificate {
  readonly subject: Readonly<Record<string, string | string[]>>;
  readonly issuer: Readonly<Record<string, string | string[]>>;
  readonly fingerprint256: string;
  readonly serialNumber: string;
  readonly raw: Buffer;
}

export type UnaryHandler<Req, Res> = (request: Req, ctx: ServerCallContext) => Promise<Res> | Res;
export type ServerStreamingHandler<Req, Res> = (request: Req, ctx: ServerCallContext, out: ServerWriter<Res>) => Promise<void> | void;
export type ClientStreamingHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: ServerCallContext) => Promise<Res> | Res;
export type BidiStreamingHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: ServerCallContext, out: ServerWriter<Res>) => Promise<void> | void;

/** The handler type a method descriptor calls for. */
export type HandlerFor<D> =
  D extends MethodDescriptor<infer Req, infer Res, infer K>
    ? K extends "unary"
      ? UnaryHandler<Req, Res>
      : K extends "server_streaming"
        ? ServerStreamingHandler<Req, Res>
        : K extends "client_streaming"
          ? ClientStreamingHandler<Req, Res>
          : BidiStreamingHandler<Req, Res>
    : never;

/** The object a service implementation must be: one handler per method key. */
export type ServiceImplementation<S extends ServiceDescriptor> = { readonly [K in keyof S["methods"]]: HandlerFor<S["methods"][K]> };

/** What an interceptor sees: the context plus hooks on the message streams. */
export interface ServerInterceptorCall extends ServerCallContext {
  /** Applies `fn` to every decoded request message before the handler sees it (in interceptor order). Throw a GrpcError to fail the call. */
  onRequestMessage(fn: (message: unknown) => unknown): void;
  /** Applies `fn` to every response message before it is encoded (outermost interceptor last). Throw a GrpcError to fail the call. */
  onResponseMessage(fn: (message: unknown) => unknown): void;
}

/**
 * A server interceptor: runs around the rest of the chain and the handler. `await next()` resolves
 * when the handler has finished (the status is sent after the whole chain returns, so trailers can
 * still be added); it rejects with the handler's error, which the interceptor may replace. Throw a
 * `GrpcError` before `next()` to reject the call without running the handler.
 */
export type ServerInterceptor = (call: ServerInterceptorCall, next: () => Promise<void>) => Promise<void>;
