// Hand-written codecs (src/codec idiom, docs/CODEC.md) for bench/proto/echo.proto, used by our
// server and client in the benchmark.
import { defineCodec, sizeBytes, sizeInt32, sizeInt64, WireType } from "../../src/codec/index.js";
import type { Codec } from "../../src/codec/index.js";

export interface Payload {
  body: Uint8Array;
}
export interface StreamRequest {
  count: number;
  size: number;
}
export interface StreamSummary {
  count: number;
  bytes: bigint;
}

const EMPTY = new Uint8Array(0);
const TAG_1_LEN = (1 << 3) | WireType.LEN;
const TAG_1_VARINT = (1 << 3) | WireType.VARINT;
const TAG_2_VARINT = (2 << 3) | WireType.VARINT;

export const PayloadCodec: Codec<Payload> = defineCodec<Payload>({
  typeName: "bench.Payload",
  create: (init) => ({ body: EMPTY, ...init }),
  size: (m) => (m.body.byteLength === 0 ? 0 : 1 + sizeBytes(m.body)),
  write(m, w) {
    if (m.body.byteLength !== 0) w.tag(1, WireType.LEN).bytes(m.body);
  },
  read(r) {
    const m: Payload = { body: EMPTY };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === TAG_1_LEN) m.body = r.bytes();
      else r.skip(tag);
    }
    return m;
  },
});

export const StreamRequestCodec: Codec<StreamRequest> = defineCodec<StreamRequest>({
  typeName: "bench.StreamRequest",
  create: (init) => ({ count: 0, size: 0, ...init }),
  size: (m) => (m.count === 0 ? 0 : 1 + sizeInt32(m.count)) + (m.size === 0 ? 0 : 1 + sizeInt32(m.size)),
  write(m, w) {
    if (m.count !== 0) w.tag(1, WireType.VARINT).int32(m.count);
    if (m.size !== 0) w.tag(2, WireType.VARINT).int32(m.size);
  },
  read(r) {
    const m: StreamRequest = { count: 0, size: 0 };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === TAG_1_VARINT) m.count = r.int32();
      else if (tag === TAG_2_VARINT) m.size = r.int32();
      else r.skip(tag);
    }
    return m;
  },
});

export const StreamSummaryCodec: Codec<StreamSummary> = defineCodec<StreamSummary>({
  typeName: "bench.StreamSummary",
  create: (init) => ({ count: 0, bytes: 0n, ...init }),
  size: (m) => (m.count === 0 ? 0 : 1 + sizeInt32(m.count)) + (m.bytes === 0n ? 0 : 1 + sizeInt64(m.bytes)),
  write(m, w) {
    if (m.count !== 0) w.tag(1, WireType.VARINT).int32(m.count);
    if (m.bytes !== 0n) w.tag(2, WireType.VARINT).int64(m.bytes);
  },
  read(r) {
    const m: StreamSummary = { count: 0, bytes: 0n };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === TAG_1_VARINT) m.count = r.int32();
      else if (tag === TAG_2_VARINT) m.bytes = r.int64();
      else r.skip(tag);
    }
    return m;
  },
});
