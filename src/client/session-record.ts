// Implements the connection-failure half of PROTOCOL-HTTP2 "Errors" for a client connection: opening a call's stream, why a stream ended without a status (RST_STREAM codes, a failed or closed connection), and whether it was never processed (gRFC A6 "Transparent Retry"; RFC 9113 8.7 "Request Reliability") (https://github.com/grpc/proposal/blob/master/A6-client-retries.md).
import type * as http2 from "node:http2";
import { constants as h2 } from "node:http2";
import { describeRstStream, grpcCodeForRstStream } from "../wire/rst-stream.js";
import { pinSessionOnEarlyDestroy } from "../wire/session-pin.js";
import { Status, type StatusCode } from "../wire/status.js";
import { keepStreamTablesYoung } from "../wire/young-stream-tables.js";
import { requestStream } from "./lean-request.js";
import type { Keepalive } from "./keepalive.js";

/** The owner of a session: told when it ends or can take no more streams. */
export interface SessionOwner {
  sessionEnded(rec: SessionRecord): void;
  retire(rec: SessionRecord): void;
}

/** Why a call's stream could not start, or ended without a gRPC status. */
export interface StreamFailure {
  readonly code: StatusCode;
  readonly message: string;
  readonly cause?: unknown;
  /**
   * Safe to send again (gRFC A6 transparent retry): "unsent" when the connection never came up (the
   * stream never left the client), "unprocessed" when the server refused it or it was above GOAWAY's
   * last stream id; false otherwise.
   */
  readonly transparentRetry: "unsent" | "unprocessed" | false;
}

/**
 * One HTTP/2 session and what we learned about it. Calls keep the record they started on so their
 * error messages can say why that connection failed.
 */
export class SessionRecord {
  connected = false;
  /** The server's SETTINGS arrived: it speaks HTTP/2 (a TLS server sent to in plaintext never does). */
  remoteSettings = false;
  error: Error | undefined;
  goawayCode: number | undefined;
  goawayLastStreamId: number | undefined;
  keepaliveFailure: string | undefined;
  keepalive: Keepalive | undefined;
  /** True once the session emitted 'close' (its error, if any, is known by then). */
  closed = false;
  private closeWaiters: Array<() => void> | undefined;
  private streams = 0;

  constructor(
    readonly session: http2.ClientHttp2Session,
    /** The address, as error messages name it. */
    readonly peer: string,
    private readonly secure: boolean,
    readonly owner: SessionOwner,
  ) {}

  /**
   * Stream bookkeeping: the session is ref'd while it carries a call (a pending call keeps the
   * process alive, as a pending socket read would) and unref'd when idle (an idle channel does not).
   */
  streamOpened(): void {
    if (this.streams++ === 0 && !this.session.destroyed) this.session.ref();
  }
  streamClosed(): void {
    if (--this.streams === 0 && !this.session.destroyed) this.session.unref();
  }

  /**
   * Opens a call's stream. When this session can take no new stream (stream ids used up, or GOAWAY
   * just arrived), it is retired and the failure says "unsent": no byte of the call left, so the
   * call starts again on a fresh session.
   */
  openStream(headers: http2.OutgoingHttpHeaders): http2.ClientHttp2Stream | StreamFailure {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = requestStream(this.session, headers);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const message = `could not start a call to ${this.peer}: ${(err as Error).message}`;
      if (code !== "ERR_HTTP2_OUT_OF_STREAMS" && code !== "ERR_HTTP2_GOAWAY_SESSION") return { code: Status.UNAVAILABLE, message, cause: err, transparentRetry: false };
      this.owner.retire(this);
      return { code: Status.UNAVAILABLE, message, cause: err, transparentRetry: "unsent" };
    }
    // A hostile server can tear a trailer block as a hostile client can (src/wire/session-pin.ts).
    pinSessionOnEarlyDestroy(stream);
    // Both keep a finished call from being promoted out of the young generation (docs/TRANSPORT.md, "Cost per call").
    keepStreamTablesYoung(this.session);
    this.streamOpened();
    return stream;
  }

  /** Runs `fn` once the session has closed (at once if it has). */
  afterClose(fn: () => void): void {
    if (this.closed) fn();
    else (this.closeWaiters ??= []).push(fn);
  }

  /** Called by the owner on the session's 'close' event. */
  markClosed(): void {
    this.closed = true;
    const w = this.closeWaiters;
    this.closeWaiters = undefined;
    if (w !== undefined) for (const fn of w) fn();
  }

  /** Why this connection ended (or could not start), for UNAVAILABLE messages. */
  reason(): string {
    const tlsHint = !this.secure && this.connected && !this.remoteSettings ? " (the server may require TLS)" : "";
    if (this.keepaliveFailure !== undefined) return this.keepaliveFailure;
    if (this.error !== undefined) {
      const code = (this.error as NodeJS.ErrnoException).code;
      return (code !== undefined && !this.error.message.includes(code) ? `${code}: ${this.error.message}` : this.error.message) + tlsHint;
    }
    if (this.goawayCode !== undefined) return `server went away (GOAWAY code ${this.goawayCode})`;
    if (!this.connected) return "connection closed before the HTTP/2 handshake completed";
    if (!this.remoteSettings) return `connection closed before the server sent HTTP/2 settings${tlsHint}`;
    return "connection closed";
  }

  /**
   * Explains a stream that closed before a status arrived: the connection failed or closed, the
   * server refused it, or reset it (PROTOCOL-HTTP2's RST_STREAM mapping), or just closed it.
   * `streamError` is the stream's 'error' event, if any; `channelClosed` whether the channel was shut down.
   */
  explainClose(stream: http2.ClientHttp2Stream, streamError: Error | undefined, channelClosed: boolean): StreamFailure {
    // node:http2 cancels pending streams before the session's own 'error' event: the cause rides on the stream error.
    const cause = streamError?.cause;
    if (this.error === undefined && !this.connected && cause instanceof Error) this.error = cause;
    const destroyed = this.session.destroyed;
    // A stream torn down with its session (socket error, TLS alert such as "certificate required"):
    // node:http2 reports the cause on the stream, and may never emit the session's own 'error'.
    if (destroyed && this.error === undefined && streamError !== undefined) this.error = cause instanceof Error ? cause : streamError;
    if (destroyed) this.owner.sessionEnded(this);
    if (channelClosed && destroyed && this.error === undefined) {
      return { code: Status.CANCELLED, message: `the channel to ${this.peer} was destroyed with this call in flight`, transparentRetry: false };
    }
    const rst = stream.rstCode ?? h2.NGHTTP2_NO_ERROR;
    const id = stream.id;
    const beyondGoaway = this.goawayLastStreamId !== undefined && id !== undefined && id > this.goawayLastStreamId;
    if (rst === h2.NGHTTP2_REFUSED_STREAM || beyondGoaway) {
      // RFC 9113 8.7: a refused stream, or one above GOAWAY's last stream id, was not processed.
      const why = beyondGoaway ? `server went away before processing the call (GOAWAY last stream ${this.goawayLastStreamId})` : "server refused the stream (REFUSED_STREAM)";
      return { code: Status.UNAVAILABLE, message: `${why} (${this.peer})`, transparentRetry: "unprocessed" };
    }
    if (!this.connected) {
      return { code: Status.UNAVAILABLE, message: `connection to ${this.peer} failed: ${this.reason()}`, transparentRetry: "unsent" };
    }
    if (this.error !== undefined || this.keepaliveFailure !== undefined) {
      return { code: Status.UNAVAILABLE, message: `connection to ${this.peer} failed: ${this.reason()}`, transparentRetry: false };
    }
    if (destroyed || this.session.closed) {
      // The connection ended under the call: UNAVAILABLE (as grpc-go), never the CANCEL node puts on the stream.
      return { code: Status.UNAVAILABLE, message: `connection to ${this.peer} closed before the server sent a status: ${this.reason()}`, transparentRetry: false };
    }
    if (rst !== h2.NGHTTP2_NO_ERROR) return { code: grpcCodeForRstStream(rst), message: `${describeRstStream(rst)} (${this.peer})`, transparentRetry: false };
    if (streamError !== undefined) return { code: Status.UNAVAILABLE, message: `call to ${this.peer} failed: ${streamError.message}`, transparentRetry: false };
    return { code: Status.INTERNAL, message: `the server at ${this.peer} closed the stream without sending a gRPC status`, transparentRetry: false };
  }
}
