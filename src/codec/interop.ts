// Implements protobuf.dev "Encoding" (https://protobuf.dev/programming-guides/encoding/) of the grpc.testing messages of proto/grpc/testing (gRPC's interop test protos) that TestService uses.

import { defineCodec } from "./codec.js";
import type { Codec } from "./codec.js";
import type { Reader } from "./reader.js";
import { sizeBytes, sizeInt32, sizeMessage, sizeString } from "./writer.js";
import type { Writer } from "./writer.js";
import { WireType } from "./wire-types.js";

const EMPTY_BYTES: Uint8Array = new Uint8Array(0);
const VARINT = WireType.VARINT;
const LEN = WireType.LEN;

/** grpc.testing.PayloadType */
export const PayloadType = { COMPRESSABLE: 0 } as const;

/** grpc.testing.GrpclbRouteType */
export const GrpclbRouteType = {
  GRPCLB_ROUTE_TYPE_UNKNOWN: 0,
  GRPCLB_ROUTE_TYPE_FALLBACK: 1,
  GRPCLB_ROUTE_TYPE_BACKEND: 2,
} as const;

// Each optional sub-message is `undefined` when absent: BoolValue exists precisely so that
// "unset" differs from "false" (interop-test-descriptions: expect_compressed, response_compressed).

// ---- grpc.testing.Empty -----------------------------------------------------------------------

export interface Empty {
  $unknown?: Uint8Array;
}

export const EmptyCodec: Codec<Empty> = defineCodec<Empty>({
  typeName: "grpc.testing.Empty",
  create: (init) => ({ ...init }),
  size: (m) => (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: Empty = {};
    while (r.pos < r.end) m.$unknown = r.unknown(r.tag(), m.$unknown);
    return m;
  },
});

// ---- grpc.testing.BoolValue -------------------------------------------------------------------

export interface BoolValue {
  value: boolean;
  $unknown?: Uint8Array;
}

export const BoolValueCodec: Codec<BoolValue> = defineCodec<BoolValue>({
  typeName: "grpc.testing.BoolValue",
  create: (init) => ({ value: false, ...init }),
  size: (m) => (m.value ? 2 : 0) + (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.value) w.tag(1, VARINT).bool(true);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: BoolValue = { value: false };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === ((1 << 3) | VARINT)) m.value = r.bool();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
});

// ---- grpc.testing.Payload ---------------------------------------------------------------------

export interface Payload {
  /** A {@link PayloadType} value. */
  type: number;
  /** A view into the decoded input (no copy). */
  body: Uint8Array;
  $unknown?: Uint8Array;
}

export const PayloadCodec: Codec<Payload> = defineCodec<Payload>({
  typeName: "grpc.testing.Payload",
  create: (init) => ({ type: 0, body: EMPTY_BYTES, ...init }),
  size(m) {
    let n = 0;
    if (m.type) n += 1 + sizeInt32(m.type);
    if (m.body.byteLength) n += 1 + sizeBytes(m.body);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.type) w.tag(1, VARINT).int32(m.type);
    if (m.body.byteLength) w.tag(2, LEN).bytes(m.body);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: Payload = { type: 0, body: EMPTY_BYTES };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | VARINT:
          m.type = r.int32();
          break;
        case (2 << 3) | LEN:
          m.body = r.bytes();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- grpc.testing.EchoStatus ------------------------------------------------------------------

export interface EchoStatus {
  code: number;
  message: string;
  $unknown?: Uint8Array;
}

export const EchoStatusCodec: Codec<EchoStatus> = defineCodec<EchoStatus>({
  typeName: "grpc.testing.EchoStatus",
  create: (init) => ({ code: 0, message: "", ...init }),
  size(m) {
    let n = 0;
    if (m.code) n += 1 + sizeInt32(m.code);
    if (m.message) n += 1 + sizeString(m.message);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.code) w.tag(1, VARINT).int32(m.code);
    if (m.message) w.tag(2, LEN).string(m.message);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: EchoStatus = { code: 0, message: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | VARINT:
          m.code = r.int32();
          break;
        case (2 << 3) | LEN:
          m.message = r.string();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// Helpers for optional sub-message fields (tag is always one byte here: fields 1..15).
function optSize<T>(codec: Codec<T>, m: T | undefined): number {
  return m === undefined ? 0 : 1 + sizeMessage(codec, m);
}
function optWrite<T>(w: Writer, field: number, codec: Codec<T>, m: T | undefined): void {
  if (m !== undefined) w.tag(field, LEN).message(codec, m);
}
function readMsg<T>(r: Reader, codec: Codec<T>): T {
  return r.message(codec);
}

// ---- grpc.testing.SimpleRequest ---------------------------------------------------------------

export interface SimpleRequest {
  responseType: number;
  responseSize: number;
  payload?: Payload;
  fillUsername: boolean;
  fillOauthScope: boolean;
  responseCompressed?: BoolValue;
  responseStatus?: EchoStatus;
  expectCompressed?: BoolValue;
  fillServerId: boolean;
  fillGrpclbRouteType: boolean;
  /** orca_per_query_report (11) and later fields are kept here, not decoded. */
  $unknown?: Uint8Array;
}

export const SimpleRequestCodec: Codec<SimpleRequest> = defineCodec<SimpleRequest>({
  typeName: "grpc.testing.SimpleRequest",
  create: (init) => ({
    responseType: 0,
    responseSize: 0,
    fillUsername: false,
    fillOauthScope: false,
    fillServerId: false,
    fillGrpclbRouteType: false,
    ...init,
  }),
  size(m) {
    let n = 0;
    if (m.responseType) n += 1 + sizeInt32(m.responseType);
    if (m.responseSize) n += 1 + sizeInt32(m.responseSize);
    n += optSize(PayloadCodec, m.payload);
    if (m.fillUsername) n += 2;
    if (m.fillOauthScope) n += 2;
    n += optSize(BoolValueCodec, m.responseCompressed);
    n += optSize(EchoStatusCodec, m.responseStatus);
    n += optSize(BoolValueCodec, m.expectCompressed);
    if (m.fillServerId) n += 2;
    if (m.fillGrpclbRouteType) n += 2;
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.responseType) w.tag(1, VARINT).int32(m.responseType);
    if (m.responseSize) w.tag(2, VARINT).int32(m.responseSize);
    optWrite(w, 3, PayloadCodec, m.payload);
    if (m.fillUsername) w.tag(4, VARINT).bool(true);
    if (m.fillOauthScope) w.tag(5, VARINT).bool(true);
    optWrite(w, 6, BoolValueCodec, m.responseCompressed);
    optWrite(w, 7, EchoStatusCodec, m.responseStatus);
    optWrite(w, 8, BoolValueCodec, m.expectCompressed);
    if (m.fillServerId) w.tag(9, VARINT).bool(true);
    if (m.fillGrpclbRouteType) w.tag(10, VARINT).bool(true);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m = SimpleRequestCodec.create();
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | VARINT:
          m.responseType = r.int32();
          break;
        case (2 << 3) | VARINT:
          m.responseSize = r.int32();
          break;
        case (3 << 3) | LEN:
          m.payload = readMsg(r, PayloadCodec);
          break;
        case (4 << 3) | VARINT:
          m.fillUsername = r.bool();
          break;
        case (5 << 3) | VARINT:
          m.fillOauthScope = r.bool();
          break;
        case (6 << 3) | LEN:
          m.responseCompressed = readMsg(r, BoolValueCodec);
          break;
        case (7 << 3) | LEN:
          m.responseStatus = readMsg(r, EchoStatusCodec);
          break;
        case (8 << 3) | LEN:
          m.expectCompressed = readMsg(r, BoolValueCodec);
          break;
        case (9 << 3) | VARINT:
          m.fillServerId = r.bool();
          break;
        case (10 << 3) | VARINT:
          m.fillGrpclbRouteType = r.bool();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- grpc.testing.SimpleResponse --------------------------------------------------------------

export interface SimpleResponse {
  payload?: Payload;
  username: string;
  oauthScope: string;
  serverId: string;
  /** A {@link GrpclbRouteType} value. */
  grpclbRouteType: number;
  hostname: string;
  $unknown?: Uint8Array;
}

export const SimpleResponseCodec: Codec<SimpleResponse> = defineCodec<SimpleResponse>({
  typeName: "grpc.testing.SimpleResponse",
  create: (init) => ({ username: "", oauthScope: "", serverId: "", grpclbRouteType: 0, hostname: "", ...init }),
  size(m) {
    let n = optSize(PayloadCodec, m.payload);
    if (m.username) n += 1 + sizeString(m.username);
    if (m.oauthScope) n += 1 + sizeString(m.oauthScope);
    if (m.serverId) n += 1 + sizeString(m.serverId);
    if (m.grpclbRouteType) n += 1 + sizeInt32(m.grpclbRouteType);
    if (m.hostname) n += 1 + sizeString(m.hostname);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    optWrite(w, 1, PayloadCodec, m.payload);
    if (m.username) w.tag(2, LEN).string(m.username);
    if (m.oauthScope) w.tag(3, LEN).string(m.oauthScope);
    if (m.serverId) w.tag(4, LEN).string(m.serverId);
    if (m.grpclbRouteType) w.tag(5, VARINT).int32(m.grpclbRouteType);
    if (m.hostname) w.tag(6, LEN).string(m.hostname);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m = SimpleResponseCodec.create();
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | LEN:
          m.payload = readMsg(r, PayloadCodec);
          break;
        case (2 << 3) | LEN:
          m.username = r.string();
          break;
        case (3 << 3) | LEN:
          m.oauthScope = r.string();
          break;
        case (4 << 3) | LEN:
          m.serverId = r.string();
          break;
        case (5 << 3) | VARINT:
          m.grpclbRouteType = r.int32();
          break;
        case (6 << 3) | LEN:
          m.hostname = r.string();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- grpc.testing.StreamingInputCallRequest / Response ----------------------------------------

export interface StreamingInputCallRequest {
  payload?: Payload;
  expectCompressed?: BoolValue;
  $unknown?: Uint8Array;
}

export const StreamingInputCallRequestCodec: Codec<StreamingInputCallRequest> = defineCodec<StreamingInputCallRequest>({
  typeName: "grpc.testing.StreamingInputCallRequest",
  create: (init) => ({ ...init }),
  size(m) {
    let n = optSize(PayloadCodec, m.payload) + optSize(BoolValueCodec, m.expectCompressed);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    optWrite(w, 1, PayloadCodec, m.payload);
    optWrite(w, 2, BoolValueCodec, m.expectCompressed);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: StreamingInputCallRequest = {};
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | LEN:
          m.payload = readMsg(r, PayloadCodec);
          break;
        case (2 << 3) | LEN:
          m.expectCompressed = readMsg(r, BoolValueCodec);
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

export interface StreamingInputCallResponse {
  aggregatedPayloadSize: number;
  $unknown?: Uint8Array;
}

export const StreamingInputCallResponseCodec: Codec<StreamingInputCallResponse> = defineCodec<StreamingInputCallResponse>({
  typeName: "grpc.testing.StreamingInputCallResponse",
  create: (init) => ({ aggregatedPayloadSize: 0, ...init }),
  size(m) {
    let n = m.aggregatedPayloadSize ? 1 + sizeInt32(m.aggregatedPayloadSize) : 0;
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.aggregatedPayloadSize) w.tag(1, VARINT).int32(m.aggregatedPayloadSize);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: StreamingInputCallResponse = { aggregatedPayloadSize: 0 };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === ((1 << 3) | VARINT)) m.aggregatedPayloadSize = r.int32();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
});

// ---- grpc.testing.ResponseParameters ----------------------------------------------------------

export interface ResponseParameters {
  size: number;
  intervalUs: number;
  compressed?: BoolValue;
  fillPeerSocketAddress?: BoolValue;
  $unknown?: Uint8Array;
}

export const ResponseParametersCodec: Codec<ResponseParameters> = defineCodec<ResponseParameters>({
  typeName: "grpc.testing.ResponseParameters",
  create: (init) => ({ size: 0, intervalUs: 0, ...init }),
  size(m) {
    let n = 0;
    if (m.size) n += 1 + sizeInt32(m.size);
    if (m.intervalUs) n += 1 + sizeInt32(m.intervalUs);
    n += optSize(BoolValueCodec, m.compressed) + optSize(BoolValueCodec, m.fillPeerSocketAddress);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.size) w.tag(1, VARINT).int32(m.size);
    if (m.intervalUs) w.tag(2, VARINT).int32(m.intervalUs);
    optWrite(w, 3, BoolValueCodec, m.compressed);
    optWrite(w, 4, BoolValueCodec, m.fillPeerSocketAddress);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ResponseParameters = { size: 0, intervalUs: 0 };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | VARINT:
          m.size = r.int32();
          break;
        case (2 << 3) | VARINT:
          m.intervalUs = r.int32();
          break;
        case (3 << 3) | LEN:
          m.compressed = readMsg(r, BoolValueCodec);
          break;
        case (4 << 3) | LEN:
          m.fillPeerSocketAddress = readMsg(r, BoolValueCodec);
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- grpc.testing.StreamingOutputCallRequest / Response ---------------------------------------

export interface StreamingOutputCallRequest {
  responseType: number;
  responseParameters: ResponseParameters[];
  payload?: Payload;
  responseStatus?: EchoStatus;
  /** orca_oob_report (8) and later fields are kept here, not decoded. */
  $unknown?: Uint8Array;
}

export const StreamingOutputCallRequestCodec: Codec<StreamingOutputCallRequest> = defineCodec<StreamingOutputCallRequest>({
  typeName: "grpc.testing.StreamingOutputCallRequest",
  create: (init) => ({ responseType: 0, responseParameters: [], ...init }),
  size(m) {
    let n = 0;
    if (m.responseType) n += 1 + sizeInt32(m.responseType);
    const params = m.responseParameters;
    for (let i = 0; i < params.length; i++) n += 1 + sizeMessage(ResponseParametersCodec, params[i]);
    n += optSize(PayloadCodec, m.payload) + optSize(EchoStatusCodec, m.responseStatus);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.responseType) w.tag(1, VARINT).int32(m.responseType);
    const params = m.responseParameters;
    for (let i = 0; i < params.length; i++) w.tag(2, LEN).message(ResponseParametersCodec, params[i]);
    optWrite(w, 3, PayloadCodec, m.payload);
    optWrite(w, 7, EchoStatusCodec, m.responseStatus);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: StreamingOutputCallRequest = { responseType: 0, responseParameters: [] };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | VARINT:
          m.responseType = r.int32();
          break;
        case (2 << 3) | LEN:
          m.responseParameters.push(readMsg(r, ResponseParametersCodec));
          break;
        case (3 << 3) | LEN:
          m.payload = readMsg(r, PayloadCodec);
          break;
        case (7 << 3) | LEN:
          m.responseStatus = readMsg(r, EchoStatusCodec);
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

export interface StreamingOutputCallResponse {
  payload?: Payload;
  peerSocketAddress: string;
  $unknown?: Uint8Array;
}

export const StreamingOutputCallResponseCodec: Codec<StreamingOutputCallResponse> = defineCodec<StreamingOutputCallResponse>({
  typeName: "grpc.testing.StreamingOutputCallResponse",
  create: (init) => ({ peerSocketAddress: "", ...init }),
  size(m) {
    let n = optSize(PayloadCodec, m.payload);
    if (m.peerSocketAddress) n += 1 + sizeString(m.peerSocketAddress);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    optWrite(w, 1, PayloadCodec, m.payload);
    if (m.peerSocketAddress) w.tag(2, LEN).string(m.peerSocketAddress);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: StreamingOutputCallResponse = { peerSocketAddress: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case (1 << 3) | LEN:
          m.payload = readMsg(r, PayloadCodec);
          break;
        case (2 << 3) | LEN:
          m.peerSocketAddress = r.string();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});
