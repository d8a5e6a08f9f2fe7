// Implements the handler's view of one server call (PROTOCOL-HTTP2 "Requests": path, metadata, grpc-timeout, grpc-encoding/grpc-accept-encoding; https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): the ServerCallContext that ServerCall extends.

import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { TLSSocket } from "node:tls";
import type { Encoding } from "../wire/compression.js";
import type { GrpcError } from "../wire/grpc-error.js";
import { Metadata } from "../wire/metadata.js";
import { Status } from "../wire/status.js";
import type { SessionState } from "./keepalive.js";
import type { Route } from "./router.js";
import type { MethodKind, PeerCertificate, ServerInterceptorCall } from "./types.js";

/**
 * What a handler and its interceptors read and set on a call; the metadata and the signal are
 * built on first use. The state that decides the status (ended, headers sent) lives here because
 * `signal` and `setResponseEncoding` depend on it; ServerCall changes it.
 */
export abstract class CallContext implements ServerInterceptorCall {
  readonly deadline: number | undefined;
  /** Whether the request message the handler received last carried the Compressed-Flag. */
  lastRequestCompressed = false;
  protected responseEncoding: Encoding = "identity";
  protected headersSent = false;
  /** Set once the status is decided (sent or the stream is gone). */
  protected ended = false;
  /** The status the call ended with, when not OK. */
  protected endError: GrpcError | undefined;
  protected controller: AbortController | undefined;
  protected header: Metadata | undefined;
  protected trailerMd: Metadata | undefined;
  protected requestHooks: Array<(m: unknown) => unknown> | undefined;
  protected responseHooks: Array<(m: unknown) => unknown> | undefined;
  private md: Metadata | undefined;

  constructor(
    /** The connection's keepalive state (sending headers or data clears the client's ping strikes). */
    readonly connState: SessionState | undefined,
    readonly stream: ServerHttp2Stream,
    readonly route: Route,
    private readonly requestHeaders: IncomingHttpHeaders,
    private readonly rawHeaders: readonly string[],
    readonly requestEncoding: Encoding,
    private readonly acceptEncoding: string | undefined,
    timeoutMs: number | undefined,
  ) {
    this.deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    // Mirror a compressed request in the response when the client accepts it (as grpc-go does).
    if (requestEncoding !== "identity" && this.accepts(requestEncoding)) this.responseEncoding = requestEncoding;
  }

  get path(): string {
    return this.route.path;
  }

  get service(): string {
    return this.route.service;
  }

  get method(): string {
    return this.route.method;
  }

  get kind(): MethodKind {
    return this.route.kind;
  }

  get authority(): string | undefined {
    return this.requestHeaders[":authority"];
  }

  get userAgent(): string | undefined {
    return this.requestHeaders["user-agent"];
  }

  /** Built on first use from the raw request headers (validated by the server before the call began). */
  get metadata(): Metadata {
    return (this.md ??= Metadata.fromRawHeaders(this.rawHeaders));
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.ended && this.endError !== undefined && this.endError.code !== Status.OK) this.controller.abort(this.endError);
    }
    return this.controller.signal;
  }

  get peer(): string {
    return this.connState?.peer ?? "unknown";
  }

  get peerCertificate(): PeerCertificate | undefined {
    const sock = this.stream.session?.socket as TLSSocket | undefined;
    if (sock === undefined || typeof sock.getPeerCertificate !== "function") return undefined;
    const cert = sock.getPeerCertificate();
    if (cert === null || cert === undefined || Object.keys(cert).length === 0) return undefined;
    return {
      subject: cert.subject as unknown as Record<string, string | string[]>,
      issuer: cert.issuer as unknown as Record<string, string | string[]>,
      fingerprint256: cert.fingerprint256,
      serialNumber: cert.serialNumber,
      raw: cert.raw,
    };
  }

  get responseHeader(): Metadata {
    return (this.header ??= new Metadata());
  }

  get trailer(): Metadata {
    return (this.trailerMd ??= new Metadata());
  }

  abstract sendHeader(metadata?: Metadata): void;

  setResponseEncoding(encoding: Encoding): void {
    if (this.headersSent) return;
    this.responseEncoding = encoding === "identity" || this.accepts(encoding) ? encoding : "identity";
  }

  onRequestMessage(fn: (message: unknown) => unknown): void {
    (this.requestHooks ??= []).push(fn);
  }

  onResponseMessage(fn: (message: unknown) => unknown): void {
    (this.responseHooks ??= []).push(fn);
  }

  private accepts(encoding: Encoding): boolean {
    const list = this.acceptEncoding;
    if (list === undefined) return false;
    for (const part of list.split(",")) if (part.trim() === encoding) return true;
    return false;
  }
}
