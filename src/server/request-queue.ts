// Implements the server's view of the request message stream (PROTOCOL-HTTP2 "Request" → *Length-Prefixed-Message EOS) as an async iterable with backpressure.

/** Who the queue asks to stop or restart reading from the network. */
export interface QueueSource<T> {
  pauseReading(): void;
  resumeReading(): void;
  /** Applies interceptor hooks to a message as the handler takes it. */
  transformRequest(message: T): T;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

/** Buffer this many undelivered messages before pausing the HTTP/2 stream (its flow-control window then fills). */
const HIGH_WATER = 16;

/**
 * Incoming messages for client-streaming and bidi handlers. Messages arrive in order with `push`;
 * the end of the request stream with `end`; a failure (cancel, deadline, protocol error) with `fail`.
 * When the handler falls behind, the queue pauses the stream so HTTP/2 flow control slows the client.
 */
export class RequestQueue<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = [];
  private head = 0;
  private waiter: Waiter<T> | undefined;
  private ended = false;
  private error: unknown = undefined;
  private paused = false;

  constructor(private readonly source: QueueSource<T>) {}

  push(message: T): void {
    if (this.ended || this.error !== undefined) return;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      try {
        w.resolve({ value: this.source.transformRequest(message), done: false });
      } catch (err) {
        w.reject(err);
      }
      return;
    }
    this.buffer.push(message);
    if (!this.paused && this.buffer.length - this.head >= HIGH_WATER) {
      this.paused = true;
      this.source.pauseReading();
    }
  }

  end(): void {
    this.ended = true;
    const w = this.waiter;
    if (w !== undefined && this.head === this.buffer.length) {
      this.waiter = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  fail(error: unknown): void {
    if (this.ended || this.error !== undefined) return;
    this.error = error;
    this.buffer = [];
    this.head = 0;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head];
      this.buffer[this.head++] = undefined as T;
      if (this.head === this.buffer.length) {
        this.buffer.length = 0;
        this.head = 0;
      }
      if (this.paused && this.buffer.length - this.head <= HIGH_WATER / 2) {
        this.paused = false;
        this.source.resumeReading();
      }
      try {
        return Promise.resolve({ value: this.source.transformRequest(value), done: false });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter !== undefined) return Promise.reject(new Error("concurrent next() calls on a request stream"));
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Breaking out of `for await` stops delivery; the call itself goes on (the handler decides the status). */
  return(): Promise<IteratorResult<T>> {
    this.ended = true;
    this.buffer = [];
    this.head = 0;
    if (this.paused) {
      this.paused = false;
      this.source.resumeReading();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
