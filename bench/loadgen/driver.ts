// What a benchmark client must offer the node load generator: one method per call shape of
// bench/proto/echo.proto. Each resolves with what it received, for the generator to check.

export interface BidiSession {
  /** Sends one Payload and resolves with the body of the echo. */
  roundTrip(body: Uint8Array): Promise<Uint8Array>;
  end(): Promise<void>;
}

export interface EchoDriver {
  /** Unary on connection `conn`: resolves with the response body. */
  unary(conn: number, body: Uint8Array): Promise<Uint8Array>;
  /** Server streaming: resolves with the number of messages and total body bytes received. */
  serverStream(conn: number, count: number, size: number): Promise<{ messages: number; bytes: number }>;
  /** Client streaming: sends `count` Payloads of `body`, resolves with the server's summary. */
  clientStream(conn: number, count: number, body: Uint8Array): Promise<{ count: number; bytes: number }>;
  /** Opens one long-lived bidi stream for ping-pong. */
  bidi(conn: number): BidiSession;
  close(): void;
}

export type DriverFactory = (target: string, connections: number) => EchoDriver;
