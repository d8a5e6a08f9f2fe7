// Implements the server features of gRPC's interop test descriptions (https://github.com/grpc/grpc/blob/master/doc/interop-test-descriptions.md "Server"): grpc.testing.TestService on our server.

import {
  EmptyCodec,
  PayloadType,
  SimpleRequestCodec,
  SimpleResponseCodec,
  StreamingInputCallRequestCodec,
  StreamingInputCallResponseCodec,
  StreamingOutputCallRequestCodec,
  StreamingOutputCallResponseCodec,
} from "../schema/interop.js";
import type {
  BoolValue,
  Empty,
  EchoStatus,
  ResponseParameters,
  SimpleRequest,
  SimpleResponse,
  StreamingInputCallRequest,
  StreamingInputCallResponse,
  StreamingOutputCallRequest,
  StreamingOutputCallResponse,
} from "../schema/interop.js";
import { defineService, rpc, stream } from "../server/types.js";
import type { ServerCallContext, ServerWriter, ServiceImplementation } from "../server/types.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Status, isStatusCode } from "../wire/status.js";
import type { StatusCode } from "../wire/status.js";

/** grpc.testing.TestService as our server registers it (UnimplementedCall answers UNIMPLEMENTED). */
export const TestService = defineService("grpc.testing.TestService", {
  EmptyCall: rpc(EmptyCodec, EmptyCodec),
  UnaryCall: rpc(SimpleRequestCodec, SimpleResponseCodec),
  CacheableUnaryCall: rpc(SimpleRequestCodec, SimpleResponseCodec),
  StreamingOutputCall: rpc(StreamingOutputCallRequestCodec, stream(StreamingOutputCallResponseCodec)),
  StreamingInputCall: rpc(stream(StreamingInputCallRequestCodec), StreamingInputCallResponseCodec),
  FullDuplexCall: rpc(stream(StreamingOutputCallRequestCodec), stream(StreamingOutputCallResponseCodec)),
  HalfDuplexCall: rpc(stream(StreamingOutputCallRequestCodec), stream(StreamingOutputCallResponseCodec)),
  UnimplementedCall: rpc(EmptyCodec, EmptyCodec),
});

/** grpc.testing.UnimplementedService: described for clients only; servers never register it. */
export const UnimplementedService = defineService("grpc.testing.UnimplementedService", {
  UnimplementedCall: rpc(EmptyCodec, EmptyCodec),
});

/** Zero-filled payload bodies are views into one shared buffer (read-only by contract). */
let zeros = Buffer.alloc(64 * 1024);
function zeroBody(size: number): Uint8Array {
  if (size < 0) throw new GrpcError(Status.INVALID_ARGUMENT, `negative response size ${size}`);
  if (size > zeros.length) zeros = Buffer.alloc(Math.max(size, zeros.length * 2));
  return zeros.subarray(0, size);
}

function checkType(responseType: number): void {
  if (responseType !== PayloadType.COMPRESSABLE) {
    throw new GrpcError(Status.INVALID_ARGUMENT, `unsupported response_type ${responseType}`);
  }
}

/** "Echo Metadata": x-grpc-test-echo-initial back in the headers, -trailing-bin in the trailers. */
function echoMetadata(ctx: ServerCallContext): void {
  const initial = ctx.metadata.get("x-grpc-test-echo-initial");
  if (initial !== undefined) {
    ctx.responseHeader.set("x-grpc-test-echo-initial", initial);
    // Send now: a status sent before any message would otherwise carry it as a trailer only.
    ctx.sendHeader();
  }
  const trailing = ctx.metadata.get("x-grpc-test-echo-trailing-bin");
  if (trailing !== undefined) ctx.trailer.set("x-grpc-test-echo-trailing-bin", trailing);
}

/** "Echo Status": a non-OK response_status ends the call with that status. */
function echoStatus(status: EchoStatus | undefined): void {
  if (status === undefined || status.code === 0) return;
  const code: StatusCode = isStatusCode(status.code) ? status.code : Status.UNKNOWN;
  throw new GrpcError(code, status.message);
}

/**
 * "CompressedRequest": expect_compressed=true fails with INVALID_ARGUMENT unless the request arrived
 * compressed (the compressed flag of the message the handler was just given).
 */
function checkCompressed(ctx: ServerCallContext, expect: BoolValue | undefined): void {
  if (expect === undefined || !expect.value) return;
  if (!ctx.lastRequestCompressed) throw new GrpcError(Status.INVALID_ARGUMENT, "expected a compressed request, got an uncompressed one");
}

const sleep = (us: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, us / 1000);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/** Writes one response per ResponseParameters ("StreamingOutputCall", "Observe interval_us"). */
async function respond(ctx: ServerCallContext, out: ServerWriter<StreamingOutputCallResponse>, params: ResponseParameters[]): Promise<void> {
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p.intervalUs > 0) await sleep(p.intervalUs, ctx.signal);
    if (ctx.signal.aborted) return;
    const msg: StreamingOutputCallResponse = { payload: { type: 0, body: zeroBody(p.size) }, peerSocketAddress: "" };
    if (p.compressed === undefined) await out.write(msg);
    else await out.write(msg, { compress: p.compressed.value });
  }
}

/** Picks the call-level response encoding from the first response's `compressed` (CompressedResponse). */
function responseEncodingFor(ctx: ServerCallContext, compressed: BoolValue | undefined): void {
  if (compressed !== undefined) ctx.setResponseEncoding(compressed.value ? "gzip" : "identity");
}

export const testServiceImplementation: ServiceImplementation<typeof TestService> = {
  EmptyCall(): Empty {
    return {};
  },

  UnaryCall(req: SimpleRequest, ctx: ServerCallContext): SimpleResponse {
    echoMetadata(ctx);
    checkCompressed(ctx, req.expectCompressed);
    echoStatus(req.responseStatus);
    checkType(req.responseType);
    responseEncodingFor(ctx, req.responseCompressed);
    return { payload: { type: 0, body: zeroBody(req.responseSize) }, username: "", oauthScope: "", serverId: "", grpclbRouteType: 0, hostname: "" };
  },

  CacheableUnaryCall(_req: SimpleRequest, ctx: ServerCallContext): SimpleResponse {
    ctx.responseHeader.set("cache-control", "max-age=60, public");
    const body = Buffer.from(String(process.hrtime.bigint()));
    return { payload: { type: 0, body }, username: "", oauthScope: "", serverId: "", grpclbRouteType: 0, hostname: "" };
  },

  async StreamingOutputCall(req: StreamingOutputCallRequest, ctx: ServerCallContext, out: ServerWriter<StreamingOutputCallResponse>): Promise<void> {
    echoMetadata(ctx);
    checkType(req.responseType);
    // Any compressed response needs gzip on the call; per-message `compress: false` turns it off.
    responseEncodingFor(ctx, req.responseParameters.find((p) => p.compressed?.value)?.compressed ?? req.responseParameters[0]?.compressed);
    await respond(ctx, out, req.responseParameters);
    echoStatus(req.responseStatus);
  },

  async StreamingInputCall(requests: AsyncIterable<StreamingInputCallRequest>, ctx: ServerCallContext): Promise<StreamingInputCallResponse> {
    let total = 0;
    for await (const req of requests) {
      checkCompressed(ctx, req.expectCompressed);
      if (req.payload !== undefined) total += req.payload.body.byteLength;
    }
    return { aggregatedPayloadSize: total };
  },

  async FullDuplexCall(requests: AsyncIterable<StreamingOutputCallRequest>, ctx: ServerCallContext, out: ServerWriter<StreamingOutputCallResponse>): Promise<void> {
    echoMetadata(ctx);
    for await (const req of requests) {
      echoStatus(req.responseStatus);
      checkType(req.responseType);
      await respond(ctx, out, req.responseParameters);
    }
  },

  async HalfDuplexCall(requests: AsyncIterable<StreamingOutputCallRequest>, ctx: ServerCallContext, out: ServerWriter<StreamingOutputCallResponse>): Promise<void> {
    const all: StreamingOutputCallRequest[] = [];
    for await (const req of requests) all.push(req);
    for (const req of all) {
      echoStatus(req.responseStatus);
      await respond(ctx, out, req.responseParameters);
    }
  },

  UnimplementedCall(): Empty {
    throw new GrpcError(Status.UNIMPLEMENTED, "grpc.testing.TestService/UnimplementedCall is not implemented");
  },
};
