// Opens a call's stream with node:http2's ClientHttp2Session.request() (RFC 9113 §8.1) without the per-call garbage that outlives young-generation GCs; a V8 GC workaround (docs/TRANSPORT.md, "Cost per call").

/**
 * Why: node 20's request() leaves two kinds of objects behind on every call that keep a finished call
 * alive across young-generation GCs (which treat old-to-new pointers as roots):
 * 1. It wraps the stream's start in `new AsyncResource("PendingRequest").bind(...)`. That bind
 *    (node:async_hooks) defines the deprecated `asyncResource` accessor (DEP0172), whose getter and
 *    setter util.deprecate wraps with Object.setPrototypeOf(wrapper, getter): every call makes a fresh
 *    closure a prototype, and V8 allocates what that needs in OLD space. Until the next full GC those
 *    dead objects point at the getter, whose context holds the bound function, which holds the stream
 *    (its bound `this`) and so the whole call: 4.4 KB promoted per call on our client against the
 *    floor, and ~5.7 µs of CPU per bind (scripts/gc-hunt/bind-repro.mjs).
 * 2. It copies the options (`{ ...options }`) and adds the priority defaults the caller left out
 *    (weight, parent, exclusive, silent). An object-spread clone that then gets properties added
 *    outlives young GCs in V8 11.3 (scripts/gc-hunt/spread-repro.mjs: 254 B promoted per clone, a
 *    mark-compact every ~40k clones); the clone is held by the stream's start: ~420 B per call.
 *
 * What: request() is given options that already carry every priority default (node 20's values:
 * weight 16, parent 0, not exclusive, not silent, so the HEADERS frame is the same), and for the
 * duration of the synchronous request() call only, AsyncResource.prototype.bind is a plain binding
 * with the same async-context behaviour (the function runs in the resource's scope via
 * runInAsyncScope, with the caller's `this` when no thisArg is given) but without the deprecated
 * property; the bind found there is put back before request() returns or throws. Nothing asynchronous
 * can observe the swap; code that runs synchronously inside request() (an async_hooks init hook) would
 * only miss the deprecated property on what it binds. On a node whose request() does neither, or with a
 * frozen AsyncResource.prototype, this is an ordinary request().
 */
import { AsyncResource } from "node:async_hooks";
import type { ClientHttp2Session, ClientHttp2Stream, OutgoingHttpHeaders } from "node:http2";

/** A call's request options with node's priority defaults filled in (request() copies them, never writes them). */
const OPEN_OPTIONS = Object.freeze({ endStream: false, weight: 16, parent: 0, exclusive: false, silent: false });

type Bind = AsyncResource["bind"];
type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
const nodeBind: Bind = AsyncResource.prototype.bind;

let leanBinds = 0;
/** How many binds request() made through the lean bind in this process (for tests). */
export function leanBindCount(): number {
  return leanBinds;
}

function leanBind(this: AsyncResource, fn: AnyFn, thisArg?: unknown): AnyFn {
  if (typeof fn !== "function") return Reflect.apply(nodeBind, this, [fn, thisArg]) as AnyFn; // node's own validation error
  leanBinds++;
  const resource = this;
  return function (this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn, thisArg === undefined ? this : thisArg, ...args);
  };
}

/** `session.request(headers, { endStream: false })` without the per-call garbage (see the module comment). */
export function requestStream(session: ClientHttp2Session, headers: OutgoingHttpHeaders): ClientHttp2Stream {
  const proto = AsyncResource.prototype;
  const current = proto.bind; // node's, or whatever a tracer put there since: put back as found
  let swapped = false;
  try {
    proto.bind = leanBind as Bind;
    swapped = true;
  } catch {
    // a frozen AsyncResource.prototype: node's request() as it is
  }
  try {
    return session.request(headers, OPEN_OPTIONS);
  } finally {
    if (swapped) proto.bind = current;
  }
}
