// Implements the public server API of this gRPC implementation (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): re-exports.

export { Server, DEFAULT_SHUTDOWN_GRACE_MS } from "./server.js";
export { defineService, rpc, stream } from "./types.js";
export type {
  MethodKind,
  MethodDescriptor,
  MethodMap,
  Stream,
  ServiceDescriptor,
  ServiceImplementation,
  HandlerFor,
  UnaryHandler,
  ServerStreamingHandler,
  ClientStreamingHandler,
  BidiStreamingHandler,
  ServerCallContext,
  ServerWriter,
  WriteOptions,
  ServerInterceptor,
  ServerInterceptorCall,
  PeerCertificate,
} from "./types.js";
export {
  DEFAULT_KEEPALIVE_TIME_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_MIN_PING_INTERVAL_MS,
  DEFAULT_MAX_PING_STRIKES,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_HEADER_LIST_SIZE,
} from "./options.js";
export type { ServerOptions, ListenOptions, TlsOptions, KeepaliveOptions } from "./options.js";
// The wire types a service author needs, so one import is enough.
export { GrpcError, Metadata, Status } from "../wire/index.js";
export type { StatusCode, MetadataValue, Encoding } from "../wire/index.js";
