// Test support: a small echo service (test.Echo) declared as a field table, its descriptor for our
// server, and a @grpc/grpc-js client/server definition using the same codec. Shared by server and
// client tests (see docs/TRANSPORT.md).

import * as grpc from "@grpc/grpc-js";
import { defineMessage } from "../../src/codec/message.js";
import { defineService } from "../../src/server/types.js";

/** message EchoMessage { string text = 1; bytes payload = 2; int32 count = 3; } */
export interface EchoMessage {
  text: string;
  payload: Uint8Array;
  count: number;
}

export const EchoMessageCodec = defineMessage<EchoMessage>("test.EchoMessage", [
  { no: 1, name: "text", type: "string" },
  { no: 2, name: "payload", type: "bytes" },
  { no: 3, name: "count", type: "int32" },
]);

export function echo(init: Partial<EchoMessage> = {}): EchoMessage {
  return EchoMessageCodec.create(init);
}

/** service Echo { rpc Unary; rpc ServerStream (stream out); rpc ClientStream (stream in); rpc Bidi (both) } */
export const EchoService = defineService("test.Echo", {
  Unary: { kind: "unary", requestCodec: EchoMessageCodec, responseCodec: EchoMessageCodec },
  ServerStream: { kind: "server_streaming", requestCodec: EchoMessageCodec, responseCodec: EchoMessageCodec },
  ClientStream: { kind: "client_streaming", requestCodec: EchoMessageCodec, responseCodec: EchoMessageCodec },
  Bidi: { kind: "bidi_streaming", requestCodec: EchoMessageCodec, responseCodec: EchoMessageCodec },
});

const serialize = (m: EchoMessage): Buffer => EchoMessageCodec.encode(m);
const deserialize = (b: Buffer): EchoMessage => EchoMessageCodec.decode(b);

function def(name: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<EchoMessage, EchoMessage> {
  return {
    path: `/test.Echo/${name}`,
    requestStream,
    responseStream,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  };
}

/** The same service for @grpc/grpc-js (client constructor and server addService). */
export const grpcJsEchoDefinition = {
  Unary: def("Unary", false, false),
  ServerStream: def("ServerStream", false, true),
  ClientStream: def("ClientStream", true, false),
  Bidi: def("Bidi", true, true),
} satisfies grpc.ServiceDefinition;

/** A grpc-js client for test.Echo. Methods: Unary, ServerStream, ClientStream, Bidi (grpc-js callback style). */
export interface GrpcJsEchoClient extends grpc.Client {
  Unary(req: EchoMessage, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<EchoMessage>): grpc.ClientUnaryCall;
  ServerStream(req: EchoMessage, md?: grpc.Metadata, opts?: grpc.CallOptions): grpc.ClientReadableStream<EchoMessage>;
  ClientStream(md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<EchoMessage>): grpc.ClientWritableStream<EchoMessage>;
  Bidi(md?: grpc.Metadata, opts?: grpc.CallOptions): grpc.ClientDuplexStream<EchoMessage, EchoMessage>;
}

const EchoClientCtor = grpc.makeGenericClientConstructor(grpcJsEchoDefinition, "test.Echo");

export function grpcJsEchoClient(
  address: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  options: grpc.ChannelOptions = {},
): GrpcJsEchoClient {
  return new EchoClientCtor(address, credentials, options) as unknown as GrpcJsEchoClient;
}

export interface UnaryResult {
  error: grpc.ServiceError | null;
  response: EchoMessage | undefined;
  headers: grpc.Metadata | undefined;
  status: grpc.StatusObject | undefined;
}

/** Calls Unary with grpc-js and collects error/response/headers/trailers-status. */
export function grpcJsUnary(
  client: GrpcJsEchoClient,
  req: EchoMessage,
  md: grpc.Metadata = new grpc.Metadata(),
  opts: grpc.CallOptions = {},
  method: "Unary" = "Unary",
): Promise<UnaryResult> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    let status: grpc.StatusObject | undefined;
    let error: grpc.ServiceError | null = null;
    let response: EchoMessage | undefined;
    let pending = 2;
    const done = (): void => {
      if (--pending === 0) resolve({ error, response, headers, status });
    };
    const call = client[method](req, md, opts, (err, res) => {
      error = err;
      response = res;
      done();
    });
    call.on("metadata", (m: grpc.Metadata) => (headers = m));
    call.on("status", (s: grpc.StatusObject) => {
      status = s;
      done();
    });
  });
}
