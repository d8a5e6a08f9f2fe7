// Implements PROTOCOL-HTTP2 "Requests" and "Responses": header names and fixed values (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

/** Header names gRPC owns. HTTP/2 header names are always lower case. */
export const Header = {
  method: ":method",
  path: ":path",
  scheme: ":scheme",
  authority: ":authority",
  status: ":status",
  contentType: "content-type",
  te: "te",
  userAgent: "user-agent",
  grpcTimeout: "grpc-timeout",
  grpcEncoding: "grpc-encoding",
  grpcAcceptEncoding: "grpc-accept-encoding",
  grpcStatus: "grpc-status",
  grpcMessage: "grpc-message",
  grpcStatusDetailsBin: "grpc-status-details-bin",
  messageType: "grpc-message-type",
} as const;

/** Fixed header values. */
export const HeaderValue = {
  methodPost: "POST",
  teTrailers: "trailers",
  contentTypeGrpc: "application/grpc",
  contentTypeGrpcProto: "application/grpc+proto",
} as const;

/** Our `user-agent` / `server` product token (spec: "grpc-<lang>-<impl>/<version>"). */
export const USER_AGENT = "grpc-node-scratch/0.1.0";
