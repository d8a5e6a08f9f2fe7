// Implements gRFC A17 "Client-Side Health Checking" (https://github.com/grpc/proposal/blob/master/A17-client-side-health-checking.md): one grpc.health.v1.Health/Watch stream per subchannel connection.
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from "node:http2";
import { HealthCheckRequestCodec, HealthCheckResponseCodec, ServingStatus } from "../schema/health.js";
import { EnvelopeDecoder, PREFIX_LENGTH, writeEnvelopePrefix, type EnvelopeSink } from "../wire/framing.js";
import { Header, HeaderValue } from "../wire/headers.js";
import { pinSessionOnEarlyDestroy } from "../wire/session-pin.js";
import { Status, statusName } from "../wire/status.js";
import { trailersToStatus } from "../wire/trailers.js";

const WATCH_PATH = "/grpc.health.v1.Health/Watch";

/** What the watch reports: healthy or not, and why (for UNAVAILABLE messages and logs). */
export type HealthReport = { readonly healthy: boolean; readonly reason: string };

/**
 * One Watch call on one session. Reports each status the server sends (SERVING is healthy; any
 * other status is not). When the call ends:
 * - UNIMPLEMENTED: the server has no health service; A17 says treat the backend as healthy and log it;
 * - anything else: not healthy, and `onEnded` lets the owner start another watch after a backoff.
 */
export class HealthWatch implements EnvelopeSink {
  private stream: ClientHttp2Stream | undefined;
  private readonly decoder: EnvelopeDecoder;
  private stopped = false;

  constructor(
    private readonly serviceName: string,
    private readonly onReport: (r: HealthReport) => void,
    private readonly onEnded: (unimplemented: boolean) => void,
    private readonly log: (message: string) => void,
  ) {
    this.decoder = new EnvelopeDecoder(this, 64 * 1024);
  }

  start(session: ClientHttp2Session, userAgent: string): void {
    let stream: ClientHttp2Stream;
    try {
      stream = session.request({
        [Header.method]: HeaderValue.methodPost,
        [Header.path]: WATCH_PATH,
        [Header.contentType]: HeaderValue.contentTypeGrpc,
        [Header.te]: HeaderValue.teTrailers,
        [Header.userAgent]: userAgent,
      });
    } catch (err) {
      this.end(false, `could not start the health watch: ${(err as Error).message}`);
      return;
    }
    pinSessionOnEarlyDestroy(stream);
    this.stream = stream;
    const body = HealthCheckRequestCodec.encode({ service: this.serviceName }, PREFIX_LENGTH);
    stream.end(writeEnvelopePrefix(body, false));
    let trailers: IncomingHttpHeaders | undefined;
    stream.on("response", (h) => {
      if (h[Header.grpcStatus] !== undefined) trailers = h;
    });
    stream.on("data", (chunk: Buffer) => {
      const err = this.decoder.push(chunk);
      if (err !== undefined) stream.close();
    });
    stream.on("trailers", (t) => (trailers = t));
    stream.on("error", () => {});
    stream.on("close", () => {
      if (trailers === undefined) {
        this.end(false, "the health watch stream closed without a status");
        return;
      }
      const st = trailersToStatus(trailers).status;
      this.end(st.code === Status.UNIMPLEMENTED, `the health watch ended with ${statusName(st.code)}${st.message === "" ? "" : `: ${st.message}`}`);
    });
  }

  /** Cancels the watch (the connection is going away or the channel closes). */
  stop(): void {
    this.stopped = true;
    const s = this.stream;
    if (s !== undefined && !s.closed && !s.destroyed) s.close();
  }

  onEnvelope(_compressed: boolean, data: Buffer): void {
    if (this.stopped) return;
    let status: number;
    try {
      status = HealthCheckResponseCodec.decode(data).status;
    } catch {
      this.stream?.close();
      return;
    }
    const name = Object.entries(ServingStatus).find(([, v]) => v === status)?.[0] ?? String(status);
    this.onReport({ healthy: status === ServingStatus.SERVING, reason: `health check of "${this.serviceName}": ${name}` });
  }

  private end(unimplemented: boolean, reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    if (unimplemented) {
      // A17: "the client will ... treat the subchannel as healthy" and log an error.
      this.log(`health checking is configured for "${this.serviceName}" but the server does not implement grpc.health.v1.Health/Watch; treating it as healthy`);
      this.onReport({ healthy: true, reason: "health check unimplemented" });
    } else {
      this.onReport({ healthy: false, reason });
    }
    this.onEnded(unimplemented);
  }
}
