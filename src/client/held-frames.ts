// Implements the request side of gRFC A6 "Transparent Retry" for one call: the request frames it holds until it has a stream, and those it keeps until the response starts so that a stream the server never processed can be sent again (https://github.com/grpc/proposal/blob/master/A6-client-retries.md).
import type { ClientHttp2Stream } from "node:http2";
import type { CallTrace } from "../wire/trace.js";

/**
 * The request frames of one call that are not only on the wire: made only when a call waits for a
 * session or writes before its response starts (a unary call on a ready connection never needs one).
 * Both lists are bounded by `limit` (the channel's writeBufferSize), as an open stream's buffer is.
 */
export class HeldFrames {
  /** Frames waiting for a stream. */
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  /** The request side ends after the queued frames (the call half-closed before it had a stream). */
  private end = false;
  /** Frames written on the current stream, kept for a replay until the response starts; undefined once given up. */
  private kept: Buffer[] | undefined = [];
  private keptBytes = 0;

  constructor(private readonly limit: number) {}

  /** Holds a frame until there is a stream (`last`: the call half-closes after it). False once `limit` bytes wait. */
  hold(frame: Buffer, last: boolean): boolean {
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    if (last) this.end = true;
    return this.queuedBytes < this.limit;
  }

  /** The call half-closed before it had a stream. */
  halfClose(): void {
    this.end = true;
  }

  /** Keeps a frame written on the stream for a replay; past `limit` bytes the call can no longer be replayed. */
  keep(frame: Buffer): void {
    if (this.kept === undefined) return;
    this.keptBytes += frame.length;
    if (this.keptBytes > this.limit) this.kept = undefined;
    else this.kept.push(frame);
  }

  /** The response started: the server processed the stream, so nothing will be replayed. */
  drop(): void {
    this.kept = undefined;
  }

  /** False once the call wrote more than it could keep (or its response started). */
  get replayable(): boolean {
    return this.kept !== undefined;
  }

  /**
   * Writes the held frames on the call's new stream, keeping them for a replay (except `lastFrame`,
   * which the call keeps itself), and ends the stream if the call has half-closed.
   */
  flush(stream: ClientHttp2Stream, lastFrame: Buffer | undefined, trace: CallTrace | undefined): void {
    const q = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    const last = q.length - 1;
    if (trace !== undefined) {
      for (let i = 0; i <= last; i++) trace.message("out", q[i][0] === 1, q[i], true, undefined, i === last && this.end);
      if (last < 0 && this.end) trace.halfClose("out");
    }
    for (let i = 0; i < last; i++) stream.write(q[i]);
    for (const f of q) if (f !== lastFrame) this.keep(f);
    if (this.end) stream.end(last >= 0 ? q[last] : undefined);
    else if (last >= 0) stream.write(q[last]);
  }

  /** Queues the kept frames, then `lastFrame`, for the call's next stream: a transparent retry. */
  rewind(lastFrame: Buffer | undefined, halfClosed: boolean): void {
    const q = this.kept ?? [];
    if (lastFrame !== undefined) q.push(lastFrame);
    this.kept = [];
    this.keptBytes = 0;
    this.queue = q;
    this.queuedBytes = 0;
    for (const f of q) this.queuedBytes += f.length;
    this.end = halfClosed;
  }
}
