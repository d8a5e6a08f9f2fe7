// Implements the public client API of PROTOCOL-HTTP2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): re-exports.
export { Channel, DEFAULT_MAX_RECEIVE_MESSAGE_SIZE, type ChannelOptions, type ChannelTlsOptions, type ConnectivityState } from "./channel.js";
export { Client, ClientStreamingCall, BidiStreamingCall, ServerStreamingCall, ResponseStream, type ClientOptions } from "./client.js";
export type { WriteOptions } from "./message-options.js";
export { composeInterceptors, type CallHandler, type ClientInterceptor, type ClientRequest, type ClientResponse } from "./interceptors.js";
export { clientMethod, clientMethods, type ClientMethodsOf, type CallOptions, type ClientCodec, type ClientMethod, type MethodKind } from "./types.js";
export { Backoff, type BackoffOptions } from "./backoff.js";
export type { KeepaliveOptions } from "./keepalive.js";
export { parseTarget, type Address, type Target } from "./target.js";
export { parseServiceConfig, type MethodConfig, type RetryPolicy, type ServiceConfig, type ServiceConfigJson, type LoadBalancingPolicy } from "./service-config.js";
export type { ResolveFunction } from "./resolver.js";
export { GrpcError } from "../wire/grpc-error.js";
export { Metadata } from "../wire/metadata.js";
export { Status, type StatusCode } from "../wire/status.js";
export type { Encoding } from "../wire/compression.js";
export { bearerToken, logging, requestId, retry, type CallLogEntry, type RetryOptions } from "./standard-interceptors.js";
