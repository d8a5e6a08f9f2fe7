import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { frameMessage, frameMessageInto, readMessage } from "../../src/wire/message.js";
import { PREFIX_LENGTH } from "../../src/wire/framing.js";
import { Status } from "../../src/wire/status.js";
import { EchoMessageCodec, echo } from "../support/echo-service.js";

const MAX = 4 * 1024 * 1024;

function framed(b: Buffer | GrpcError): Buffer {
  if (b instanceof GrpcError) throw b;
  return b;
}

describe("frameMessage / readMessage: the message path both sides share", () => {
  it("frames in place with the prefix, and reads back what it framed, with and without compression", () => {
    const msg = echo({ text: "hello ".repeat(50) });
    const plain = framed(frameMessage(EchoMessageCodec, msg, MAX, "identity", undefined));
    expect(plain[0]).toBe(0);
    expect(plain.readUInt32BE(1)).toBe(plain.length - PREFIX_LENGTH);
    expect(readMessage(EchoMessageCodec, false, plain.subarray(PREFIX_LENGTH), "identity", MAX, undefined)).toEqual(msg);
    for (const enc of ["gzip", "deflate"] as const) {
      const z = framed(frameMessage(EchoMessageCodec, msg, MAX, enc, undefined));
      expect(z[0]).toBe(1);
      expect(z.length).toBeLessThan(plain.length);
      expect(readMessage(EchoMessageCodec, true, z.subarray(PREFIX_LENGTH), enc, MAX, undefined)).toEqual(msg);
    }
  });

  it("refuses to send a message over the send limit: RESOURCE_EXHAUSTED, no exception", () => {
    const r = frameMessage(EchoMessageCodec, echo({ text: "x".repeat(200) }), 100, "gzip", undefined);
    expect(r).toBeInstanceOf(GrpcError);
    expect([(r as GrpcError).code, (r as GrpcError).rawMessage]).toEqual([Status.RESOURCE_EXHAUSTED, "trying to send message larger than max (203 vs. 100)"]);
  });

  it("an encoder that throws is INTERNAL", () => {
    const bad = { encode: (): Buffer => { throw new Error("boom"); } };
    const r = frameMessage(bad, {}, MAX, "identity", undefined) as GrpcError;
    expect([r.code, r.rawMessage]).toEqual([Status.INTERNAL, "could not encode the message: boom"]);
  });

  it("reading: inflated past the limit is RESOURCE_EXHAUSTED; compressed under identity, bad zlib and bad protobuf are INTERNAL", () => {
    const bomb = gzipSync(Buffer.alloc(10_000));
    expect((readMessage(EchoMessageCodec, true, bomb, "gzip", 1000, undefined) as GrpcError).code).toBe(Status.RESOURCE_EXHAUSTED);
    expect((readMessage(EchoMessageCodec, true, bomb, "identity", MAX, undefined) as GrpcError).code).toBe(Status.INTERNAL);
    expect((readMessage(EchoMessageCodec, true, Buffer.from("not zlib"), "deflate", MAX, undefined) as GrpcError).code).toBe(Status.INTERNAL);
    const junk = readMessage(EchoMessageCodec, false, Buffer.from([0x0a, 0x10, 0x41]), "identity", MAX, undefined) as GrpcError;
    expect(junk.code).toBe(Status.INTERNAL);
    expect(junk.rawMessage).toMatch(/^could not parse the received message: /);
  });

  it("frameMessageInto writes frameMessage's bytes where it is told, or says it does not fit", () => {
    const msg = echo({ text: "héllo", payload: Buffer.from([1, 2, 3]), count: 7 });
    const plain = framed(frameMessage(EchoMessageCodec, msg, MAX, "identity", undefined));
    const buf = Buffer.alloc(256, 0xee);
    const end = frameMessageInto(EchoMessageCodec, msg, MAX, buf, 10);
    expect(end).toBe(10 + plain.length);
    expect(buf.subarray(10, end as number)).toEqual(plain);
    expect(buf[9]).toBe(0xee); // nothing before the offset
    // The codec's bound does not fit: -1, and the caller frames it alone.
    expect(frameMessageInto(EchoMessageCodec, msg, MAX, Buffer.alloc(plain.length), 0)).toBe(-1);
    expect(frameMessageInto({ encode: EchoMessageCodec.encode, decode: EchoMessageCodec.decode, typeName: "x", create: EchoMessageCodec.create }, msg, MAX, buf, 0)).toBe(-1);
    const over = frameMessageInto(EchoMessageCodec, echo({ text: "x".repeat(200) }), 100, Buffer.alloc(1024), 0) as GrpcError;
    expect([over.code, over.rawMessage]).toEqual([Status.RESOURCE_EXHAUSTED, "trying to send message larger than max (203 vs. 100)"]);
    const bad = { ...EchoMessageCodec, encodeInto: (): number => { throw new Error("boom"); } };
    const failed = frameMessageInto(bad, msg, MAX, buf, 0) as GrpcError;
    expect([failed.code, failed.rawMessage]).toEqual([Status.INTERNAL, "could not encode the message: boom"]);
  });
});
