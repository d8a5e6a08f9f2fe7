// Implements the message queues between node:http2 streams and async iteration for the streaming call kinds of PROTOCOL-HTTP2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

interface Waiter<T> {
  resolve(r: IteratorResult<T>): void;
  reject(e: unknown): void;
}

/**
 * An async iterable fed by `push`. Used in both directions:
 * - responses: the call pushes decoded messages; `onLow`/`onHigh` pause and resume the HTTP/2
 *   stream so a slow consumer applies flow control instead of growing this queue;
 * - requests: `write` resolves once the consumer (the call's send loop) has taken the message.
 * `close(error)` ends it: pending and later `next()` calls reject with `error` (or end cleanly).
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly taken: Array<((error?: unknown) => void) | undefined> = [];
  private head = 0;
  private waiter: Waiter<T> | undefined;
  private ended = false;
  private error: unknown = undefined;
  private paused = false;
  /** Called when the consumer leaves early (`break` in for-await). */
  onReturn: (() => void) | undefined;
  /** Called when the queue grows past `highWaterMark` and when it drains again. */
  onHigh: (() => void) | undefined;
  onLow: (() => void) | undefined;

  constructor(private readonly highWaterMark = 16) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Adds an item; `onTaken` runs when the consumer takes it. Ignored after `close`. */
  push(item: T, onTaken?: (error?: unknown) => void): boolean {
    if (this.ended) return false;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      onTaken?.();
      w.resolve({ value: item, done: false });
      return true;
    }
    this.items.push(item);
    this.taken.push(onTaken);
    if (!this.paused && this.size >= this.highWaterMark && this.onHigh !== undefined) {
      this.paused = true;
      this.onHigh();
    }
    return true;
  }

  /** Resolves when the consumer has taken `item`; rejects if the queue closes with an error first. */
  write(item: T): Promise<void> {
    if (this.ended) return Promise.reject(this.error ?? new Error("the stream is already closed for writing"));
    return new Promise<void>((resolve, reject) => {
      this.push(item, (error) => (error === undefined ? resolve() : reject(error)));
    });
  }

  /** Ends the queue; with `error`, consumers get it after the items already queued. */
  close(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      if (error === undefined) w.resolve({ value: undefined, done: true });
      else w.reject(error);
    }
  }

  /** Ends the queue and drops what it holds (the call was cancelled). */
  abort(error: unknown): void {
    const dropped = this.taken.slice(this.head);
    this.items.length = 0;
    this.taken.length = 0;
    this.head = 0;
    this.close(error);
    const why = error ?? new Error("the stream was closed before this message was sent");
    for (const cb of dropped) cb?.(why);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const item = this.items[this.head];
      const cb = this.taken[this.head];
      this.head++;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.taken.length = 0;
        this.head = 0;
      }
      cb?.();
      if (this.paused && this.size <= this.highWaterMark >> 1) {
        this.paused = false;
        this.onLow?.();
      }
      return Promise.resolve({ value: item, done: false });
    }
    if (this.ended) {
      return this.error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.error);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.ended) {
      this.abort(undefined);
      this.onReturn?.();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
