// Implements the client-side API types of PROTOCOL-HTTP2 "Requests" (path, metadata, timeout, encoding) (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
import type { Encoding } from "../wire/compression.js";
import type { Metadata } from "../wire/metadata.js";

/** The four call kinds of gRPC. */
export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/**
 * The part of a codec the client needs. Any `MessageCodec<T>` of `src/codec` fits: `encode(msg, 5)`
 * leaves room for the 5-byte message prefix, which the client writes in place.
 */
export interface ClientCodec<T> {
  encode(message: T, reserve?: number): Buffer;
  decode(bytes: Uint8Array): T;
}

/**
 * Describes one RPC. `path` is the HTTP/2 `:path`, "/package.Service/Method". `kind` is checked by
 * the `Client` method used to call it.
 */
export interface ClientMethod<I, O> {
  readonly path: string;
  readonly kind: MethodKind;
  readonly requestCodec: ClientCodec<I>;
  readonly responseCodec: ClientCodec<O>;
}

/** Builds a {@link ClientMethod} from a service name ("user.UserService") and a method name ("GetUser"). */
export function clientMethod<I, O>(
  service: string,
  name: string,
  kind: MethodKind,
  requestCodec: ClientCodec<I>,
  responseCodec: ClientCodec<O>,
): ClientMethod<I, O> {
  return { path: `/${service}/${name}`, kind, requestCodec, responseCodec };
}

/** Options of one call. Every field is optional. */
export interface CallOptions {
  /** Request metadata (custom headers). */
  metadata?: Metadata;
  /**
   * Deadline: an absolute `Date`, or a number of milliseconds from now (`timeoutMs`). Sent as
   * `grpc-timeout` and enforced locally: the call fails with DEADLINE_EXCEEDED when it passes.
   */
  deadline?: Date;
  timeoutMs?: number;
  /** Cancels the call (CANCELLED) when aborted. */
  signal?: AbortSignal;
  /** Compression of request messages (`grpc-encoding`). Default identity. */
  compression?: Encoding;
  /** Wait for the channel to connect instead of failing fast with UNAVAILABLE while it backs off. */
  waitForReady?: boolean;
  /** Called with the response headers (user metadata only) when they arrive. */
  onHeader?: (headers: Metadata) => void;
  /** Called with the trailers (user metadata only) when the call ends, successfully or not. */
  onTrailer?: (trailers: Metadata) => void;
  /**
   * Called for every response Length-Prefixed-Message as it arrives, before it is decoded, with its
   * Compressed-Flag and its Message-Length on the wire (PROTOCOL-HTTP2): how a caller sees whether
   * the server compressed a message.
   */
  onResponseEnvelope?: (compressed: boolean, length: number) => void;
}

/** The server's service descriptor shape (`src/server/types.ts`), as far as the client needs it. */
interface ServiceLike {
  readonly typeName: string;
  readonly methods: { readonly [key: string]: { readonly name?: string; readonly kind: MethodKind } };
}

type CodecsOf<D> = D extends { requestCodec: ClientCodec<infer I>; responseCodec: ClientCodec<infer O> } ? ClientMethod<I, O> : never;

/** Client methods for every method of a server-side `ServiceDescriptor` (`defineService(...)`), keyed alike. */
export type ClientMethodsOf<S extends ServiceLike> = { readonly [K in keyof S["methods"]]: CodecsOf<S["methods"][K]> };

/**
 * Derives client method descriptors from the descriptor the server registers, so one hand-written
 * service description serves both sides: `const m = clientMethods(UserService); client.unary(m.GetUser, req)`.
 */
export function clientMethods<S extends ServiceLike>(service: S): ClientMethodsOf<S> {
  const out: Record<string, ClientMethod<unknown, unknown>> = {};
  for (const key of Object.keys(service.methods)) {
    const d = service.methods[key] as unknown as { name?: string; kind: MethodKind; requestCodec: ClientCodec<unknown>; responseCodec: ClientCodec<unknown> };
    out[key] = { path: `/${service.typeName}/${d.name ?? key}`, kind: d.kind, requestCodec: d.requestCodec, responseCodec: d.responseCodec };
  }
  return out as ClientMethodsOf<S>;
}
