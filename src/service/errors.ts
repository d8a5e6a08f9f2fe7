// How the user service turns its failures into gRPC statuses (grpc/grpc doc/statuscodes.md): field
// violations → INVALID_ARGUMENT with a google.rpc.BadRequest detail; store clashes → ALREADY_EXISTS;
// missing users → NOT_FOUND; a lost write race → ABORTED; an unreachable database → UNAVAILABLE
// (recoveryInterceptor, src/service/interceptors.ts).

import { StoreError } from "../store/user-store.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Status } from "../wire/status.js";
import type { FieldViolation } from "./validation.js";

/** At most this much violation text (field + description) goes into one answer. It travels three
 *  times in the trailers: in grpc-message, and base64-encoded in grpc-status-details-bin as the
 *  google.rpc.Status message and as the BadRequest. A default client accepts 8 KiB of metadata
 *  (grpc-js, ours): a batch of 100 bad items used to exceed that, so the client saw
 *  RESOURCE_EXHAUSTED or a reset instead of INVALID_ARGUMENT. 1 KiB keeps the trailers near 4.5 KiB. */
export const MAX_VIOLATION_TEXT = 1024;

/** INVALID_ARGUMENT naming the bad fields, in the message (for people) and in a BadRequest detail
 *  (for programs): all of them, or as many as fit MAX_VIOLATION_TEXT (at least one), and the message
 *  then says how many more there are. */
export function invalidArgument(violations: readonly FieldViolation[]): GrpcError {
  let shown = 0;
  let size = 0;
  for (; shown < violations.length; shown++) {
    size += violations[shown].field.length + violations[shown].description.length;
    if (size > MAX_VIOLATION_TEXT && shown > 0) break;
  }
  const listed = shown === violations.length ? [...violations] : violations.slice(0, shown);
  let text = listed.map((v) => `${v.field}: ${v.description}`).join("; ");
  if (shown < violations.length) text += `; and ${violations.length - shown} more not listed`;
  return new GrpcError(Status.INVALID_ARGUMENT, text).addBadRequest(listed);
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
