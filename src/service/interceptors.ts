// The server interceptor chain of the user service, assembled in ONE place: `userServiceInterceptors`
// below lists them in the order they run (first = outermost). docs/SERVICE.md describes each.

import { randomUuid } from "../store/random-uuid.js";
import { performance } from "node:perf_hooks";
import type { CreateUserRequest, DeleteUserRequest, GetUserRequest, ListUsersRequest } from "../schema/user.js";
import type { ServerCallContext, ServerInterceptor, ServerInterceptorCall } from "../server/types.js";
import { GrpcError } from "../wire/grpc-error.js";
import { StoreUnavailableError } from "../store/user-store.js";
import { Status, statusName } from "../wire/status.js";
import type { Principal, TokenAuthenticator } from "./auth.js";
import { PUBLIC_SERVICES, USER_SERVICE, isAllowed } from "./authorization.js";
import { invalidArgument } from "./errors.js";
import { formatCallLine } from "./call-log.js";
import type { Logger } from "./logger.js";
import { checkId, checkListUsers, createUserViolations, type FieldViolation } from "./validation.js";

export const REQUEST_ID_HEADER = "x-request-id";
/** A client's request id is echoed if it is at most this long (and printable ASCII, which metadata
 *  guarantees); otherwise a fresh one replaces it. */
export const MAX_REQUEST_ID_LENGTH = 128;

export interface InterceptorDeps {
  readonly authenticator: TokenAuthenticator;
  readonly logger: Logger;
}

/** The chain, outermost first. */
export function userServiceInterceptors(deps: InterceptorDeps): ServerInterceptor[] {
  return [
    requestIdInterceptor(), // 1. id first, so every later step (and the log) has it
    loggingInterceptor(deps.logger), // 2. sees every call, refused ones too, with its final status
    recoveryInterceptor(), // 3. a bug below becomes INTERNAL; the server keeps serving
    authInterceptor(deps.authenticator), // 4. token → principal, or UNAUTHENTICATED
    authorizationInterceptor(), // 5. principal's role vs the method → PERMISSION_DENIED
    validationInterceptor(), // 6. request fields → INVALID_ARGUMENT with google.rpc.BadRequest
  ];
}

// ---- per-call state shared by the interceptors and the handlers ----------------------------------

// Kept on the call object itself, under a module-private symbol: the server passes the same object to
// the interceptors (as `call`) and to the handler (as `ctx`), and it goes with the call. (A WeakMap
// keyed by the call did the same at a cost: every entry is an ephemeron the garbage collector must
// trace; keying by `ctx.signal` would make the server build an AbortController per call.)
const PRINCIPAL: unique symbol = Symbol("user-service.principal");
type WithPrincipal = { [PRINCIPAL]?: Principal };

/** The authenticated caller of a call (set by the auth interceptor), or undefined. */
export function principalOf(ctx: ServerCallContext): Principal | undefined {
  return (ctx as WithPrincipal)[PRINCIPAL];
}

// ---- the interceptors --------------------------------------------------------------------------

/** Echoes the client's `x-request-id` or makes one (a random UUID), in the response headers. */
export function requestIdInterceptor(): ServerInterceptor {
  return (call, next) => {
    let id = call.metadata.get(REQUEST_ID_HEADER);
    if (id === undefined || id.length === 0 || id.length > MAX_REQUEST_ID_LENGTH) {
      id = randomUuid();
      call.metadata.set(REQUEST_ID_HEADER, id); // so later steps read one value
    }
    call.responseHeader.set(REQUEST_ID_HEADER, id);
    return next();
  };
}

/** One JSON line per call, when it ends: method, status, duration, request id, peer, role. */
export function loggingInterceptor(logger: Logger): ServerInterceptor {
  // Plain functions rather than `async`/`try`/`finally`: one `then` per call, no closure when the
  // call log (level info) is off, as it is with LOG_LEVEL=error; failures are logged either way.
  const infoOn = logger.enabled("info");
  const logCall = (call: ServerInterceptorCall, start: number, peer: string, error: GrpcError | undefined): void => {
    const code = error === undefined ? Status.OK : error.code;
    const level = code === Status.INTERNAL || code === Status.UNKNOWN || code === Status.DATA_LOSS ? "error" : "info";
    if (!logger.enabled(level)) return;
    const cause = error?.cause;
    logger.writeLine(
      level,
      formatCallLine(level, {
        method: call.path,
        code: statusName(code),
        status: code,
        durationMs: Math.round((performance.now() - start) * 1000) / 1000,
        requestId: call.metadata.get(REQUEST_ID_HEADER),
        peer,
        role: principalOf(call)?.role,
        error: error?.rawMessage,
        cause: cause instanceof Error ? cause.stack : cause === undefined ? undefined : String(cause),
      }),
    );
  };
  return (call, next) => {
    const start = performance.now();
    // Read at the start: once the client has gone, the socket no longer knows its remote address.
    const peer = call.peer;
    let result: Promise<void>;
    try {
      result = next();
    } catch (err) {
      logCall(call, start, peer, GrpcError.from(err, Status.UNKNOWN));
      throw err;
    }
    // Callbacks written inline: a function held in a named `const` gets a name-keeping wrapper call
    // per creation when the TypeScript runs through tsx/esbuild (keepNames).
    return result.then(
      infoOn ? () => logCall(call, start, peer, undefined) : undefined,
      (err: unknown) => {
        logCall(call, start, peer, GrpcError.from(err, Status.UNKNOWN));
        throw err;
      },
    );
  };
}

/** A handler or interceptor that throws anything but a GrpcError answers INTERNAL with a generic
 *  message (a StoreUnavailableError answers UNAVAILABLE); the original error travels as `cause` to the
 *  log, never to the client. */
export function recoveryInterceptor(): ServerInterceptor {
  return (_call, next) => {
    let result: Promise<void>;
    try {
      result = next();
    } catch (err) {
      return Promise.reject(recovered(err));
    }
    return result.then(undefined, rethrowRecovered);
  };
}

function recovered(err: unknown): unknown {
  if (err instanceof GrpcError) return err;
  // The database is down: not a bug, and the client may retry elsewhere or later.
  if (err instanceof StoreUnavailableError) return new GrpcError(Status.UNAVAILABLE, `the user store is unavailable: ${err.message}`, { cause: err });
  return new GrpcError(Status.INTERNAL, "internal error (the server logged the details)", { cause: err });
}

function rethrowRecovered(err: unknown): never {
  throw recovered(err);
}

/** `authorization: Bearer <token>` → principal; health and reflection pass without one. */
export function authInterceptor(authenticator: TokenAuthenticator): ServerInterceptor {
  return (call, next) => {
    if (PUBLIC_SERVICES.has(call.service)) return next();
    const header = call.metadata.get("authorization");
    if (header === undefined) throw new GrpcError(Status.UNAUTHENTICATED, "missing authorization metadata: send `authorization: Bearer <token>`");
    const principal = authenticator.authenticate(header);
    if (principal === undefined) throw new GrpcError(Status.UNAUTHENTICATED, "invalid or unknown bearer token");
    (call as WithPrincipal)[PRINCIPAL] = principal;
    return next();
  };
}

/** The method's role table (src/service/authorization.ts). */
export function authorizationInterceptor(): ServerInterceptor {
  return (call, next) => {
    if (PUBLIC_SERVICES.has(call.service)) return next();
    const principal = principalOf(call);
    if (principal === undefined) throw new GrpcError(Status.UNAUTHENTICATED, "not authenticated");
    if (!isAllowed(call.path, principal.role)) {
      throw new GrpcError(Status.PERMISSION_DENIED, `role "${principal.role}" may not call ${call.method}`);
    }
    return next();
  };
}

type Validator = (message: unknown) => FieldViolation[] | undefined;

const violationsOf = <T>(r: { ok: true; value: T } | { ok: false; violations: FieldViolation[] }): FieldViolation[] | undefined =>
  r.ok ? undefined : r.violations;

/** A request hook that fails the call with INVALID_ARGUMENT (google.rpc.BadRequest) on violations. */
function hookOf(validate: Validator): (message: unknown) => unknown {
  return (message) => {
    const violations = validate(message);
    if (violations !== undefined) throw invalidArgument(violations);
    return message;
  };
}

/** Request hooks of the unary and server-streaming methods, by `:path`; built once, shared by every call. */
const VALIDATION_HOOKS: ReadonlyMap<string, (message: unknown) => unknown> = new Map([
  [`/${USER_SERVICE}/CreateUser`, hookOf((m) => createUserViolations(m as CreateUserRequest))],
  [`/${USER_SERVICE}/GetUser`, hookOf((m) => violationsOf(checkId((m as GetUserRequest).id)))],
  [`/${USER_SERVICE}/DeleteUser`, hookOf((m) => violationsOf(checkId((m as DeleteUserRequest).id)))],
  [`/${USER_SERVICE}/ListUsers`, hookOf((m) => violationsOf(checkListUsers(m as ListUsersRequest)))],
]);

export function validationInterceptor(): ServerInterceptor {
  return (call, next) => {
    const hook = VALIDATION_HOOKS.get(call.path);
    if (hook !== undefined) call.onRequestMessage(hook);
    return next();
  };
}
