// Implements the four call kinds of PROTOCOL-HTTP2 on a ServerCall, with the interceptor chain composed in one place (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import { admitCall, type ServerCall } from "./call.js";
import type { ServerInterceptor } from "./types.js";

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" && typeof (v as { then?: unknown }).then === "function";
}

/**
 * Starts a call once its request is available: unary and server-streaming calls when the single
 * request message has arrived (END_STREAM), client-streaming and bidi calls at once; in both cases
 * a loop turn later (call.ts `admitCall`) and through the host's `admit`, which applies the
 * per-connection handler quota.
 */
export function startCall(call: ServerCall, interceptors: readonly ServerInterceptor[]): void {
  // A module function, not a closure per call: runHandler passes the interceptors back.
  call.runner = interceptors.length === 0 ? runDirect : runIntercepted;
  const kind = call.route.kind;
  // Unary and server-streaming calls are admitted by ServerCall.onEnd, once the request is complete.
  if (kind === "client_streaming" || kind === "bidi_streaming") admitCall(call);
}

/** The fast path without interceptors: one handler call, at most one promise per call. */
function runDirect(call: ServerCall): void {
  const route = call.route;
  let result: unknown;
  try {
    switch (route.kind) {
      case "unary":
        result = route.handler(call.request, call);
        break;
      case "server_streaming":
        result = route.handler(call.request, call, call);
        break;
      case "client_streaming":
        result = route.handler(call.queue!, call);
        break;
      case "bidi_streaming":
        result = route.handler(call.queue!, call, call);
        break;
    }
  } catch (err) {
    call.finishError(err);
    return;
  }
  if (isPromiseLike(result)) {
    result.then(
      (value) => {
        call.response = value;
        call.finishOk();
      },
      (err: unknown) => call.finishError(err),
    );
  } else {
    call.response = result;
    call.finishOk();
  }
}

/** Runs the handler for the end of the interceptor chain; resolves when it has finished. */
async function invokeHandler(call: ServerCall): Promise<void> {
  const route = call.route;
  switch (route.kind) {
    case "unary":
      call.response = await route.handler(call.transformRequest(call.request), call);
      return;
    case "server_streaming":
      await route.handler(call.transformRequest(call.request), call, call);
      return;
    case "client_streaming":
      call.response = await route.handler(call.queue!, call);
      return;
    case "bidi_streaming":
      await route.handler(call.queue!, call, call);
      return;
  }
}

/** interceptors[i](call, next → interceptors[i+1](call, next → … handler)). A module function, not a
 *  named closure per call (tsx/esbuild keepNames would also wrap that in a __name call per call). */
function dispatchAt(call: ServerCall, interceptors: readonly ServerInterceptor[], i: number): Promise<void> {
  if (i === interceptors.length) return invokeHandler(call);
  let called = false;
  return interceptors[i](call, () => {
    if (called) return Promise.reject(new Error("an interceptor called next() twice"));
    called = true;
    return dispatchAt(call, interceptors, i + 1);
  });
}

/** Runs the interceptor chain around the handler; the status is sent after the chain returns. */
function runIntercepted(call: ServerCall, interceptors: readonly ServerInterceptor[]): void {
  let chain: Promise<void>;
  try {
    chain = dispatchAt(call, interceptors, 0);
  } catch (err) {
    chain = Promise.reject(err);
  }
  chain.then(
    () => call.finishOk(),
    (err: unknown) => call.finishError(err),
  );
}
