// Implements the four call kinds of PROTOCOL-HTTP2 on a ServerCall (one request or a stream of them; one response or a stream), with the interceptor chain composed in one place (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
//
// A server call, stage by stage (the order connect-es shows as split → decompress → parse →
// invoke → serialize → compress → join → trailers):
//   1. server.ts onStream    validate the request headers (Requests: :method, content-type, path,
//                            grpc-encoding, grpc-timeout, metadata) or refuse with Trailers-Only
//                            (respond.ts); route; new ServerCall; startCall (below)
//   2. split                 call.ts onData → EnvelopeDecoder (wire/framing.ts, Length-Prefixed-Message)
//   3. decompress, parse     call.ts onEnvelope → readMessage (wire/message.ts, compression.md)
//   4. invoke                admitCall → Server.admit (handler quota) → call.runHandler → run (below)
//   5. serialize, compress,  call.ts write / close() → frameMessage (wire/message.ts) → stream.write
//      join
//   6. trailers              call.ts close(status) → 'wantTrailers' → Trailers, or Trailers-Only

import type { ServerCall } from "./call.js";
import type { ServerInterceptor } from "./types.js";

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" && typeof (v as { then?: unknown }).then === "function";
}

/**
 * Starts a call once its request is available: client-streaming and bidi calls at once (their
 * handler reads the request stream), unary and server-streaming ones when call.ts `onEnd` has the
 * single request message.
 */
export function startCall(call: ServerCall): void {
  const kind = call.route.kind;
  if (kind === "client_streaming" || kind === "bidi_streaming") admitCall(call);
}

/**
 * Starts a handler one event-loop turn after its request became ready (in the check phase of the
 * same loop iteration, so no extra wait for I/O). Why: node:http2 reports a request's END_STREAM,
 * or a new stream, before it has parsed the rest of the bytes read with it; a RST_STREAM sent right
 * behind them (the rapid-reset pattern) is seen only after that. By the check phase it has been,
 * and `admit` finds the stream closed and never runs the handler. One setImmediate per loop turn
 * for all calls that became ready in it (an array push per call).
 */
export function admitCall(call: ServerCall): void {
  pendingAdmits.push(call);
  if (pendingAdmits.length === 1) setImmediate(admitPending);
}

let pendingAdmits: ServerCall[] = [];

function admitPending(): void {
  const calls = pendingAdmits;
  pendingAdmits = [];
  for (let i = 0; i < calls.length; i++) calls[i].admit();
}

/** The one switch over the call kinds: calls the handler with what its kind takes; returns its result. */
function invoke(call: ServerCall): unknown {
  const route = call.route;
  switch (route.kind) {
    case "unary":
      return route.handler(call.taken(call.request), call);
    case "server_streaming":
      return route.handler(call.taken(call.request), call, call);
    case "client_streaming":
      return route.handler(call.queue!, call);
    case "bidi_streaming":
      return route.handler(call.queue!, call, call);
  }
}

/**
 * Runs the handler, inside the interceptor chain when there is one; its result or exception ends
 * the call (`returned` → close(OK), `threw` → close(status)). Without interceptors a synchronous
 * handler costs no promise at all.
 */
export function run(call: ServerCall, interceptors: readonly ServerInterceptor[]): void {
  if (interceptors.length > 0) {
    void runChain(call, interceptors);
    return;
  }
  let result: unknown;
  try {
    result = invoke(call);
  } catch (err) {
    call.threw(err);
    return;
  }
  if (isPromiseLike(result)) void settle(call, result);
  else call.returned(result);
}

async function settle(call: ServerCall, pending: PromiseLike<unknown>): Promise<void> {
  let response: unknown;
  try {
    response = await pending;
  } catch (err) {
    call.threw(err);
    return;
  }
  call.returned(response);
}

async function runChain(call: ServerCall, interceptors: readonly ServerInterceptor[]): Promise<void> {
  try {
    await dispatchAt(call, interceptors, 0);
  } catch (err) {
    call.threw(err);
    return;
  }
  call.returned(call.response);
}

/** interceptors[i](call, next → interceptors[i+1](call, next → … handler)). */
function dispatchAt(call: ServerCall, interceptors: readonly ServerInterceptor[], i: number): Promise<void> {
  if (i === interceptors.length) return invokeLast(call);
  let called = false;
  return interceptors[i](call, () => {
    if (called) return Promise.reject(new Error("an interceptor called next() twice"));
    called = true;
    return dispatchAt(call, interceptors, i + 1);
  });
}

/** What the end of the chain returns after a synchronous handler: one shared, resolved promise. */
const HANDLED: Promise<void> = Promise.resolve();

/** The end of the chain: the handler's response is kept for `returned`. A synchronous handler's
 *  result costs no promise of its own (an `async` function here cost one, and a microtask, per call);
 *  its exception becomes a rejection, so `next()` never throws. */
function invokeLast(call: ServerCall): Promise<void> {
  let result: unknown;
  try {
    result = invoke(call);
  } catch (err) {
    return Promise.reject(err);
  }
  if (!isPromiseLike(result)) {
    call.response = result;
    return HANDLED;
  }
  return Promise.resolve(result).then((response) => {
    call.response = response;
  });
}
