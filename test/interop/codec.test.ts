// Tests src/schema/interop.ts against protobufjs (the oracle) loading proto/grpc/testing.
import path from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import {
  EmptyCodec,
  SimpleRequestCodec,
  SimpleResponseCodec,
  StreamingInputCallRequestCodec,
  StreamingInputCallResponseCodec,
  StreamingOutputCallRequestCodec,
  StreamingOutputCallResponseCodec,
} from "../../src/schema/interop.js";

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(process.cwd(), "proto", target);
root.loadSync("grpc/testing/test.proto");
const T = (name: string): protobuf.Type => root.lookupType(`grpc.testing.${name}`);

describe("grpc.testing codecs", () => {
  it("SimpleRequest round-trips and matches protobufjs bytes", () => {
    const m = SimpleRequestCodec.create({
      responseSize: 314159,
      payload: { type: 0, body: new Uint8Array(1000).fill(7) },
      responseCompressed: { value: true },
      expectCompressed: { value: false },
      responseStatus: { code: 2, message: "\t\ntest ☺ 😈" },
      fillUsername: true,
    });
    const bytes = SimpleRequestCodec.encode(m);
    const oracle = T("SimpleRequest").decode(bytes) as unknown as Record<string, unknown>;
    expect(oracle.responseSize).toBe(314159);
    expect((oracle.responseStatus as { message: string }).message).toBe("\t\ntest ☺ 😈");
    expect(oracle.expectCompressed).toBeDefined();
    expect(Buffer.from(T("SimpleRequest").encode(oracle).finish())).toEqual(bytes);
    const back = SimpleRequestCodec.decode(bytes);
    expect(back.responseSize).toBe(314159);
    expect(back.responseCompressed).toEqual({ value: true });
    expect(back.expectCompressed).toEqual({ value: false });
    expect(back.payload?.body.byteLength).toBe(1000);
    expect(back.fillUsername).toBe(true);
  });

  it("StreamingOutputCallRequest keeps repeated parameters in order and unknown fields", () => {
    const known = T("StreamingOutputCallRequest").encode({
      responseParameters: [{ size: 31415, compressed: { value: true } }, { size: 9, intervalUs: 100 }],
      payload: { body: Buffer.alloc(8) },
    }).finish();
    // An unknown varint field 99 (tag 0x98 0x06), as a newer messages.proto could send.
    const src = Buffer.concat([known, Buffer.from([0x98, 0x06, 0x2a])]);
    const m = StreamingOutputCallRequestCodec.decode(src);
    expect(m.responseParameters.map((p) => p.size)).toEqual([31415, 9]);
    expect(m.responseParameters[0].compressed?.value).toBe(true);
    expect(m.responseParameters[1].intervalUs).toBe(100);
    expect(m.$unknown?.byteLength).toBeGreaterThan(0);
    expect(Buffer.from(StreamingOutputCallRequestCodec.encode(m))).toEqual(Buffer.from(src));
  });

  it("keeps an unknown sub-message (orca_oob_report, field 8) byte for byte", () => {
    const src = T("StreamingOutputCallRequest").encode({ responseParameters: [{ size: 1 }], orcaOobReport: { cpuUtilization: 0.5 } }).finish();
    const m = StreamingOutputCallRequestCodec.decode(src);
    expect(m.responseParameters.map((p) => p.size)).toEqual([1]);
    expect(Buffer.from(m.$unknown ?? new Uint8Array(0)).toString("hex")).toBe("420909000000000000e03f");
    expect(Buffer.from(StreamingOutputCallRequestCodec.encode(m))).toEqual(Buffer.from(src));
  });

  it("responses and the other requests decode what protobufjs encodes", () => {
    const sr = SimpleResponseCodec.decode(T("SimpleResponse").encode({ payload: { body: Buffer.alloc(5) }, hostname: "h" }).finish());
    expect(sr.payload?.body.byteLength).toBe(5);
    expect(sr.hostname).toBe("h");
    const sir = StreamingInputCallRequestCodec.decode(T("StreamingInputCallRequest").encode({ payload: { body: Buffer.alloc(3) }, expectCompressed: { value: true } }).finish());
    expect(sir.expectCompressed?.value).toBe(true);
    const agg = StreamingInputCallResponseCodec.encode({ aggregatedPayloadSize: 74922 });
    expect((T("StreamingInputCallResponse").decode(agg) as unknown as { aggregatedPayloadSize: number }).aggregatedPayloadSize).toBe(74922);
    const out = StreamingOutputCallResponseCodec.encode({ payload: { type: 0, body: new Uint8Array(4) }, peerSocketAddress: "" }, 5);
    expect(out.byteLength).toBe(5 + 2 + 2 + 4);
    expect(EmptyCodec.encode({}).byteLength).toBe(0);
    expect(EmptyCodec.decode(new Uint8Array(0))).toEqual({});
  });
});
