// Implements gRPC "Status codes" error model: code, message, metadata and google.rpc.Status details (https://github.com/grpc/grpc/blob/master/doc/statuscodes.md).

import { Metadata } from "./metadata.js";
import { Status, isStatusCode, statusName, type StatusCode } from "./status.js";
import { anyTypeName, type Any, type DetailCodec } from "./status-details.js";
import { BadRequestCodec, ErrorInfoCodec, type BadRequest, type ErrorInfo, type FieldViolation } from "../schema/google-rpc.js";

export interface GrpcErrorOptions {
  /** Trailing metadata sent with (or received with) the status. */
  metadata?: Metadata;
  /** `google.rpc.Status.details`, carried in `grpc-status-details-bin`. */
  details?: Any[];
  cause?: unknown;
}

/**
 * The one error type of this library: a non-OK gRPC status. Throw it from a handler to answer with
 * that status; clients reject with it. `message` is "NAME: text" for logs; `rawMessage` is the
 * text sent as `grpc-message`.
 */
export class GrpcError extends Error {
  override name = "GrpcError";
  readonly code: StatusCode;
  readonly rawMessage: string;
  readonly metadata: Metadata;
  readonly details: Any[];

  constructor(code: StatusCode, message = "", options: GrpcErrorOptions = {}) {
    // No stack trace: a status is an answer sent or received, not a fault of this process, and
    // capturing one costs about 4 µs (bench/error-cost.ts), more than the rest of a failed call; a
    // hostile client could make us pay it on every request. `cause` keeps a real fault's stack.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message === "" ? statusName(code) : `${statusName(code)}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = limit;
    this.code = code;
    this.rawMessage = message;
    this.metadata = options.metadata ?? new Metadata();
    this.details = options.details ?? [];
  }

  /**
   * Turns anything thrown into a GrpcError: a GrpcError is returned as is; an AbortError (or an
   * aborted signal's reason) becomes CANCELLED; anything else becomes `fallback` (UNKNOWN by default)
   * with the error's message — never its stack.
   */
  static from(reason: unknown, fallback: StatusCode = Status.UNKNOWN): GrpcError {
    if (reason instanceof GrpcError) return reason;
    if (reason instanceof Error) {
      if (reason.name === "AbortError") return new GrpcError(Status.CANCELLED, reason.message, { cause: reason });
      // Errors from other gRPC libraries (grpc-js ServiceError) carry a numeric code.
      const code = (reason as { code?: unknown }).code;
      if (typeof code === "number" && isStatusCode(code) && code !== Status.OK) {
        const details = (reason as { details?: unknown }).details;
        return new GrpcError(code, typeof details === "string" ? details : reason.message, { cause: reason });
      }
      return new GrpcError(fallback, reason.message, { cause: reason });
    }
    return new GrpcError(fallback, typeof reason === "string" ? reason : String(reason), { cause: reason });
  }

  /** Adds a typed detail, e.g. `err.addDetail(BadRequestCodec, { fieldViolations: [...] })`. */
  addDetail<T>(codec: DetailCodec<T>, message: T): this {
    this.details.push({ typeUrl: "type.googleapis.com/" + codec.typeName, value: codec.encode(message) });
    return this;
  }

  /** Adds a `google.rpc.BadRequest` with these field violations. */
  addBadRequest(fieldViolations: Array<Pick<FieldViolation, "field" | "description">>): this {
    return this.addDetail<BadRequest>(BadRequestCodec, { fieldViolations: fieldViolations.map((v) => ({ field: v.field, description: v.description, reason: "" })) });
  }

  /** Adds a `google.rpc.ErrorInfo`. */
  addErrorInfo(reason: string, domain: string, metadata: Record<string, string> = {}): this {
    return this.addDetail<ErrorInfo>(ErrorInfoCodec, { reason, domain, metadata });
  }

  /** The `google.rpc.BadRequest` detail, if any. */
  get badRequest(): BadRequest | undefined {
    return this.findDetail(BadRequestCodec);
  }

  /** The `google.rpc.ErrorInfo` detail, if any. */
  get errorInfo(): ErrorInfo | undefined {
    return this.findDetail(ErrorInfoCodec);
  }

  /** Every detail of the codec's type, decoded (details that fail to decode are skipped). */
  findDetails<T>(codec: DetailCodec<T>): T[] {
    const out: T[] = [];
    for (const d of this.details) {
      if (anyTypeName(d) !== codec.typeName) continue;
      try {
        out.push(codec.decode(d.value));
      } catch {
        // A malformed detail from a peer is not worth failing over.
      }
    }
    return out;
  }

  /** The first detail of the codec's type, or undefined. */
  findDetail<T>(codec: DetailCodec<T>): T | undefined {
    return this.findDetails(codec)[0];
  }
}
