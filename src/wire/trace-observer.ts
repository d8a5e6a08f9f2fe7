// The wire trace's events as data (PROTOCOL-HTTP2 "Requests", "Responses", "Connection Management"),
// for an observer such as the browser viewer (src/viewer/). src/wire/trace.ts calls these at the
// same hooks as its text lines, only when `wireTrace.observer` is set.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";

/** `out`: this process writes it on the wire; `in`: it reads it. */
export type ObservedDirection = "in" | "out";

/** Receives the events of one call. Headers are passed as the hook saw them: mask secrets before keeping them. */
export interface CallObserver {
  /** The connection (trace name such as `S-conn1`, when traced) and the peer's address. */
  connection(conn: string | undefined, peer: string | undefined): void;
  stream(id: number): void;
  headers(dir: ObservedDirection, kind: "HEADERS" | "TRAILERS" | "TRAILERS-ONLY", headers: IncomingHttpHeaders | OutgoingHttpHeaders, endStream: boolean): void;
  /** One Length-Prefixed-Message: `body` without its 5-byte prefix; `plain` is a sender's message before compression. Views: copy to keep. */
  message(dir: ObservedDirection, compressed: boolean, body: Uint8Array, plain: Uint8Array | undefined, endStream: boolean): void;
  /** A received message after decompression (the last `in` message's `plain`). */
  decompressed(plain: Uint8Array): void;
  halfClose(dir: ObservedDirection): void;
  reset(dir: ObservedDirection, code: number): void;
  closed(): void;
  note(text: string): void;
}

/** Receives every call and every connection-level frame. */
export interface WireObserver {
  call(side: "client" | "server", tag: string, path: string): CallObserver;
  goaway(conn: string, dir: ObservedDirection, code: number, lastStreamId: number | string, debug: Uint8Array | undefined): void;
}
