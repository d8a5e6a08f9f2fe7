// Implements the client side of gRPC deadlines: PROTOCOL-HTTP2 "Timeout" (the call's deadline, sent as grpc-timeout) and the deadlines guide's rule that the client reports DEADLINE_EXCEEDED once its deadline has passed (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md, https://grpc.io/docs/guides/deadlines/).
import { GrpcError } from "../wire/grpc-error.js";
import { Status, statusName, type StatusCode } from "../wire/status.js";
import type { CallOptions } from "./types.js";

/** When a call reached each stage (Date.now() ms; 0: not yet), to say where its time went. */
export interface CallTiming {
  readonly startedAt: number;
  /** Its stream was opened (a connection was there). */
  readonly streamAt: number;
  /** The response headers arrived. */
  readonly headersAt: number;
  /** Response messages received so far. */
  readonly received: number;
  /** The call's timeout in ms; 0 for none. */
  readonly deadlineMs: number;
}

/** The call's timeout in ms from its `deadline` and `timeoutMs` (the earlier wins); undefined for none. */
export function callTimeout(o: CallOptions, startedAt: number): number | undefined {
  let timeout: number | undefined;
  if (o.deadline !== undefined) timeout = o.deadline.getTime() - startedAt;
  if (o.timeoutMs !== undefined) timeout = timeout === undefined ? o.timeoutMs : Math.min(timeout, o.timeoutMs);
  return timeout;
}

/**
 * How early a server's DEADLINE_EXCEEDED may come and still be our own deadline. The server runs
 * the deadline we sent it (grpc-timeout is computed from millisecond clocks, and the server starts
 * its timer from its event loop's time), so its timer can fire a millisecond or two before ours,
 * and its status can reach us in the same event-loop turn, before our own timer's turn.
 */
const SERVER_DEADLINE_SLACK_MS = 5;

/**
 * Whether a status that just arrived from the server is reported as the call's own deadline
 * exceeded. The deadlines guide: once the client's deadline has passed, the call is
 * DEADLINE_EXCEEDED for the client, whatever the server did; a status that arrives after it lost
 * a race with our timer (node ran the socket's I/O first). And a server's DEADLINE_EXCEEDED within
 * a clock tick of our deadline is that same deadline running out on the server: the client says
 * where the time went, which the server cannot.
 */
export function deadlinePassed(t: CallTiming, now: number, serverCode: StatusCode): boolean {
  if (t.deadlineMs <= 0) return false;
  const left = t.deadlineMs - (now - t.startedAt);
  return left <= 0 || (serverCode === Status.DEADLINE_EXCEEDED && left <= SERVER_DEADLINE_SLACK_MS);
}

/**
 * DEADLINE_EXCEEDED saying where the time went, as grpc-js does: connecting, waiting for response
 * headers, receiving. `server` is the status the server sent meanwhile, if it did.
 */
export function deadlineExceeded(t: CallTiming, path: string, peer: string, now: number, server?: { code: number; message: string }): GrpcError {
  const parts: string[] = [];
  if (t.streamAt === 0) parts.push(`waiting for a connection to ${peer}: ${now - t.startedAt} ms`);
  else {
    parts.push(`connection: ${t.streamAt - t.startedAt} ms`);
    if (t.headersAt === 0) parts.push(`waiting for response headers: ${now - t.streamAt} ms`);
    else parts.push(`waiting for response headers: ${t.headersAt - t.streamAt} ms`, `receiving (${t.received} messages so far): ${now - t.headersAt} ms`);
  }
  const said = server === undefined ? "" : `; the server's status: ${statusName(server.code)}${server.message === "" ? "" : ` "${server.message}"`}`;
  return new GrpcError(Status.DEADLINE_EXCEEDED, `deadline of ${t.deadlineMs} ms exceeded after ${now - t.startedAt} ms calling ${path} on ${peer} (${parts.join(", ")})${said}`);
}
