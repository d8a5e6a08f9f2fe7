// Opens a call's stream with node:http2's ClientHttp2Session.request() (RFC 9113 §8.1) without node's AsyncResource.prototype.bind, a V8 GC workaround (docs/TRANSPORT.md, "Cost per call").

/**
 * Why: node 20's request() wraps its deferred start in `new AsyncResource("PendingRequest").bind(...)`.
 * That bind (node:async_hooks) defines a deprecated `asyncResource` accessor (DEP0172) whose getter and
 * setter are each wrapped by util.deprecate, which calls Object.setPrototypeOf(wrapper, getter): every
 * call makes a fresh closure a prototype, and V8 allocates the maps that makes in OLD space. Those maps
 * are dead once request() returns, but until the next full GC they point at the getter closure, whose
 * context holds the bound function, which holds the stream (its bound `this`), which holds the whole
 * call. Young-generation GCs treat old-to-new pointers as roots, so every finished call was copied
 * twice and promoted: 4.4 KB per call on our client against the floor, and ~5.7 µs of CPU per bind
 * (scripts/gc-hunt/client-gc.sh, scripts/gc-hunt/bind-repro.mjs).
 *
 * What: for the duration of the synchronous request() call only, AsyncResource.prototype.bind is a
 * plain binding with the same async-context behaviour (the function runs in the resource's scope via
 * runInAsyncScope, with the caller's `this` when no thisArg is given) but without the deprecated
 * `asyncResource` property; node's own bind is put back before request() returns or throws.
 * Nothing asynchronous can observe the swap. Does nothing different if node's request() does not bind.
 */
import { AsyncResource } from "node:async_hooks";
import type { ClientHttp2Session, ClientHttp2Stream, ClientSessionRequestOptions, OutgoingHttpHeaders } from "node:http2";

type Bind = AsyncResource["bind"];
const nodeBind: Bind = AsyncResource.prototype.bind;

let leanBinds = 0;
/** How many binds request() made through the lean bind in this process (for tests). */
export function leanBindCount(): number {
  return leanBinds;
}

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

function leanBind(this: AsyncResource, fn: AnyFn, thisArg?: unknown): AnyFn {
  if (typeof fn !== "function") return Reflect.apply(nodeBind, this, [fn, thisArg]) as AnyFn; // node's own validation error
  leanBinds++;
  const resource = this;
  return function (this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn, thisArg === undefined ? this : thisArg, ...args);
  };
}

/** `session.request(headers, options)`, with the lean bind in place while it runs (see the module comment). */
export function requestStream(session: ClientHttp2Session, headers: OutgoingHttpHeaders, options: ClientSessionRequestOptions): ClientHttp2Stream {
  const proto = AsyncResource.prototype;
  proto.bind = leanBind as Bind;
  try {
    return session.request(headers, options);
  } finally {
    proto.bind = nodeBind;
  }
}
