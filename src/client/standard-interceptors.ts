// Implements ready-made client interceptors (auth token, request id, logging, retries) over the chain of interceptors.ts; retries follow the retry rules of gRFC A6 in spirit: only before any response was committed (https://github.com/grpc/proposal/blob/master/A6-client-retries.md).
import { randomUUID } from "node:crypto";
import { GrpcError } from "../wire/grpc-error.js";
import { Status, statusName, type StatusCode } from "../wire/status.js";
import type { ClientInterceptor, ClientRequest, ClientResponse } from "./interceptors.js";

/** Sets `authorization: Bearer <token>` on every call. `token` may be a function (e.g. to refresh). */
export function bearerToken(token: string | (() => string | Promise<string>)): ClientInterceptor {
  return (next) => async (req) => {
    const t = typeof token === "string" ? token : await token();
    req.metadata.set("authorization", `Bearer ${t}`);
    return next(req);
  };
}

/** Sets a request id header (default `x-request-id`, a random UUID) unless the caller set one. */
export function requestId(key = "x-request-id", generate: () => string = randomUUID): ClientInterceptor {
  return (next) => (req) => {
    if (!req.metadata.has(key)) req.metadata.set(key, generate());
    return next(req);
  };
}

/** One log record per call, written when the call ends. */
export interface CallLogEntry {
  path: string;
  kind: ClientRequest["method"]["kind"];
  code: StatusCode;
  codeName: string;
  message: string;
  durationMs: number;
  /** Response messages received (streaming responses) or 1 (single responses that succeeded). */
  responses: number;
}

/** Calls `log` once per call with its path, final status and duration, for all four kinds. */
export function logging(log: (entry: CallLogEntry) => void): ClientInterceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const emit = (err: unknown, responses: number): void => {
      const e = err === undefined ? undefined : GrpcError.from(err);
      const code = e?.code ?? Status.OK;
      log({
        path: req.method.path,
        kind: req.method.kind,
        code,
        codeName: statusName(code),
        message: e?.rawMessage ?? "",
        durationMs: performance.now() - started,
        responses,
      });
    };
    let res: ClientResponse;
    try {
      res = await next(req);
    } catch (err) {
      emit(err, 0);
      throw err;
    }
    if (res.messages === undefined) {
      emit(undefined, 1);
      return res;
    }
    const inner = res.messages;
    return {
      ...res,
      messages: (async function* () {
        let n = 0;
        try {
          for await (const m of inner) {
            n++;
            yield m;
          }
        } catch (err) {
          emit(err, n);
          throw err;
        }
        emit(undefined, n);
      })(),
    };
  };
}

export interface RetryOptions {
  /** Attempts in all, including the first. Default 3. */
  maxAttempts?: number;
  /** Codes worth retrying. Default: UNAVAILABLE only (the server did not process the call). */
  retryableCodes?: readonly StatusCode[];
  /** Delay before retry n (1-based): default 50 ms × 2^(n-1) with ±20 % jitter, capped at 1 s. */
  delayMs?: (attempt: number) => number;
}

function defaultDelay(attempt: number): number {
  const base = Math.min(1000, 50 * 2 ** (attempt - 1));
  return base * (0.8 + Math.random() * 0.4);
}

/**
 * Retries calls that failed with a retryable code before any response was committed: unary and
 * server-streaming calls (their single request can be sent again; a server stream is retried only
 * if it failed before its headers). Client-streaming and bidi calls are passed through: their
 * request stream cannot be replayed. Respects the call's AbortSignal between attempts.
 */
export function retry(options: RetryOptions = {}): ClientInterceptor {
  const max = options.maxAttempts ?? 3;
  const codes = options.retryableCodes ?? [Status.UNAVAILABLE];
  const delay = options.delayMs ?? defaultDelay;
  return (next) => async (req) => {
    if (req.messages !== undefined) return next(req);
    // One deadline for all attempts: a relative timeout would restart with each retry.
    if (req.options.timeoutMs !== undefined) {
      const deadline = new Date(Date.now() + req.options.timeoutMs);
      const d = req.options.deadline;
      req = { ...req, options: { ...req.options, timeoutMs: undefined, deadline: d !== undefined && d < deadline ? d : deadline } };
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(attempt === 1 ? req : { ...req, metadata: req.metadata.clone() });
      } catch (err) {
        if (!(err instanceof GrpcError) || !codes.includes(err.code) || attempt >= max || req.options.signal?.aborted === true) throw err;
        await new Promise((r) => setTimeout(r, delay(attempt)));
      }
    }
  };
}
