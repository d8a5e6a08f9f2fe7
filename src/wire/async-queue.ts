// Implements the message stream of the streaming call kinds of PROTOCOL-HTTP2 (*Length-Prefixed-Message, then EOS or a status) as one bounded async iterable, used by server requests and client requests/responses (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

/** What the queue tells the side that feeds it (the HTTP/2 stream's reader). */
export interface QueueOwner<T> {
  /** The queue holds `highWaterMark` items: stop reading, so HTTP/2 flow control slows the peer. */
  pause(): void;
  /** The queue drained to half (or the consumer left): read again. */
  resume(): void;
  /** Applied to each item as the consumer takes it (server interceptor hooks); may throw. */
  taken?(item: T): T;
  /** The consumer left early (`break` out of `for await`). */
  stopped?(): void;
}

interface Waiter<T> {
  resolve(r: IteratorResult<T>): void;
  reject(e: unknown): void;
}

/**
 * An async iterable fed by `push`, bounded: past `highWaterMark` undelivered items it asks its
 * owner to pause the stream, so a slow consumer slows its peer instead of growing memory.
 * - `close(error?)`: no more items; consumers get the queued items, then the end (or `error`);
 * - `abort(error)`: the call is over; queued items are dropped and consumers get `error` at once;
 * - `write(item)`: resolves when the consumer has taken the item (the client's request writers).
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private taken: Array<((error?: unknown) => void) | undefined> = [];
  private head = 0;
  private waiter: Waiter<T> | undefined;
  private ended = false;
  private error: unknown = undefined;
  private paused = false;

  constructor(
    private readonly highWaterMark = 16,
    /** Set after construction when the owner is made later (the client's response queue). */
    public owner: QueueOwner<T> | undefined = undefined,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Adds an item; `onTaken` runs when the consumer takes it (with an error if it is dropped). Ignored after close/abort. */
  push(item: T, onTaken?: (error?: unknown) => void): boolean {
    if (this.ended) return false;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      onTaken?.();
      this.deliver(w, item);
      return true;
    }
    this.items.push(item);
    this.taken.push(onTaken);
    if (!this.paused && this.size >= this.highWaterMark && this.owner !== undefined) {
      this.paused = true;
      this.owner.pause();
    }
    return true;
  }

  /** Resolves when the consumer has taken `item`; rejects if the queue is aborted first. */
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

  /** Ends the queue and drops what it holds (the call was cancelled or failed). */
  abort(error: unknown): void {
    const dropped = this.taken.slice(this.head);
    const hadItems = this.size > 0;
    this.items = [];
    this.taken = [];
    this.head = 0;
    if (!this.ended) this.close(error);
    // Closed cleanly but not yet drained: what the consumer has not taken is gone, so it gets the error.
    else if (hadItems && this.error === undefined) this.error = error;
    const why = error ?? new Error("the stream was closed before this message was sent");
    for (const cb of dropped) cb?.(why);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const item = this.items[this.head];
      const cb = this.taken[this.head];
      this.items[this.head] = undefined as T;
      this.head++;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.taken.length = 0;
        this.head = 0;
      }
      cb?.();
      if (this.paused && this.size <= this.highWaterMark >> 1) {
        this.paused = false;
        this.owner?.resume();
      }
      const owner = this.owner;
      if (owner?.taken === undefined) return Promise.resolve({ value: item, done: false });
      try {
        return Promise.resolve({ value: owner.taken(item), done: false });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (this.ended) {
      return this.error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.error);
    }
    if (this.waiter !== undefined) return Promise.reject(new Error("concurrent next() calls on a message stream"));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Breaking out of `for await`: drops what is queued, reads on (so the stream is not left paused), tells the owner. */
  return(): Promise<IteratorResult<T>> {
    if (!this.ended) {
      this.abort(undefined);
      if (this.paused) {
        this.paused = false;
        this.owner?.resume();
      }
      this.owner?.stopped?.();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private deliver(w: Waiter<T>, item: T): void {
    const owner = this.owner;
    if (owner?.taken === undefined) return w.resolve({ value: item, done: false });
    try {
      w.resolve({ value: owner.taken(item), done: false });
    } catch (err) {
      w.reject(err);
    }
  }
}
