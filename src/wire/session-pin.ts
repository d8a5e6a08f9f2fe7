// Works around a node:http2 native abort tied to RFC 9113 §4.3 header blocks (docs/RELIABILITY.md,
// "Native http2 abort on a torn header block"); used by the server and the client on every stream.

/** node's private `kHandle` symbol (the native object behind an Http2Session or Http2Stream), found once; null if absent. */
let kHandle: symbol | null | undefined;
function handleOf(o: object): object | undefined {
  if (kHandle === undefined) kHandle = Object.getOwnPropertySymbols(o).find((s) => s.description === "kHandle") ?? null;
  if (kHandle === null) return undefined;
  const h = (o as Record<symbol, unknown>)[kHandle];
  return typeof h === "object" && h !== null ? h : undefined;
}

/** Holds a pinned session's native handle until its stream's native handle is collected. */
const sessionPins = new FinalizationRegistry<object>(() => {});

let registered = 0;
/** How many streams this process has pinned so far (for tests: ordinary calls must add none). */
export function sessionPinsRegistered(): number {
  return registered;
}

/** The part of a node:http2 stream this module touches (ServerHttp2Stream and ClientHttp2Stream both have it). */
export interface GuardedStream {
  readonly session?: object | undefined;
  readonly _readableState: { ended: boolean };
  _destroy(err: Error | null, callback: (err?: Error | null) => void): void;
}

/** node's own Http2Stream.prototype._destroy, taken from the first guarded stream's prototype. */
let nodeDestroy: GuardedStream["_destroy"] | undefined;

/**
 * The stream's `_destroy`: before node tears the stream down, pins the session if the peer had not
 * ended its side. Only then can nghttp2 still hold header fields of an unfinished block for the
 * stream: after END_STREAM the peer may send no frame on it that carries headers (§5.1,
 * half-closed (remote)), and nghttp2 drops any that come. Ordinary calls (END_STREAM seen) cost a
 * single check; cancelled, reset and torn-down calls pay one FinalizationRegistry cell.
 */
function destroyPinningUnended(this: GuardedStream, err: Error | null, callback: (err?: Error | null) => void): void {
  if (!this._readableState.ended) {
    const stream = handleOf(this);
    const session = stream === undefined || this.session === undefined ? undefined : handleOf(this.session);
    if (stream !== undefined && session !== undefined) {
      sessionPins.register(stream, session);
      registered++;
    }
  }
  nodeDestroy!.call(this, err, callback);
}

/**
 * Makes the stream's native session outlive the stream's native object when that matters.
 * node 20 frees the header fields a stream holds (an unfinished trailer block) only when the stream
 * itself is freed. If the stream is destroyed while one of its writes is still on the socket,
 * `Http2Stream::Destroy` drops it from the session's map without detaching it; a GC that then frees
 * the session first aborts the process: `Http2Session::~Http2Session(): Assertion
 * (current_nghttp2_memory_) == (0)`. A FinalizationRegistry keeps the session's handle referenced
 * until the stream's handle is gone, so the session is freed one GC after its stream.
 * Only streams destroyed before the peer's END_STREAM are registered (registered objects survive
 * young-generation GCs, which costs ordinary calls CPU). Does nothing on a node without `kHandle`.
 */
export function pinSessionOnEarlyDestroy(stream: object): void {
  const s = stream as GuardedStream;
  nodeDestroy ??= Object.getPrototypeOf(s)._destroy as GuardedStream["_destroy"];
  s._destroy = destroyPinningUnended;
}
