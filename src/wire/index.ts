// Implements the gRPC wire protocol of PROTOCOL-HTTP2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): one module per section, re-exported.

export * from "./headers.js";
export * from "./status.js";
export * from "./status-message.js";
export * from "./status-details.js";
export * from "./grpc-error.js";
export * from "./metadata.js";
export * from "./framing.js";
export * from "./timeout.js";
export * from "./compression.js";
export * from "./content-type.js";
export * from "./trailers.js";
export * from "./http-status.js";
export * from "./rst-stream.js";
export * from "./message.js";
export * from "./async-queue.js";
