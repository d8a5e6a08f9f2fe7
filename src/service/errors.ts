// How the user service turns its failures into gRPC statuses (grpc/grpc doc/statuscodes.md): field
// violations → INVALID_ARGUMENT with a google.rpc.BadRequest detail; store clashes → ALREADY_EXISTS;
// missing users → NOT_FOUND; a lost write race → ABORTED; an unreachable database → UNAVAILABLE
// (recoveryInterceptor, src/service/interceptors.ts).

import { StoreError } from "../store/user-store.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Status } from "../wire/status.js";
import type { FieldViolation } from "./validation.js";

/** INVALID_ARGUMENT naming every bad field, in the message (for people) and in a BadRequest detail
 *  (for programs). */
export function invalidArgument(violations: readonly FieldViolation[]): GrpcError {
  const text = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new GrpcError(Status.INVALID_ARGUMENT, text).addBadRequest([...violations]);
}

/** A StoreError as its gRPC status (in a batch, the message names the position); anything else is
 *  rethrown for the recovery interceptor. */
export function storeFailure(err: unknown): GrpcError {
  if (!(err instanceof StoreError)) throw err;
  const where = err.index === undefined ? "" : `requests[${err.index}].`;
  const code = err.kind === "already_exists" ? Status.ALREADY_EXISTS : err.kind === "aborted" ? Status.ABORTED : Status.NOT_FOUND;
  return new GrpcError(code, where === "" ? err.message : `${where}${err.field}: ${err.message}`);
}

export function notFound(id: string): GrpcError {
  return new GrpcError(Status.NOT_FOUND, `no user with id "${id}"`);
}
