import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { EnvelopeDecoder, encodeEnvelope, writeEnvelopePrefix, PREFIX_LENGTH, type EnvelopeSink } from "../../src/wire/framing.js";
import { Status } from "../../src/wire/status.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

class Collect implements EnvelopeSink {
  got: { compressed: boolean; data: Buffer }[] = [];
  onEnvelope(compressed: boolean, data: Buffer): void {
    this.got.push({ compressed, data: Buffer.from(data) });
  }
}

describe("framing", () => {
  it("writes the prefix in place into reserved room", () => {
    const buf = Buffer.alloc(PREFIX_LENGTH + 3);
    buf.set([7, 8, 9], 5);
    const out = writeEnvelopePrefix(buf, false);
    expect(out).toBe(buf);
    expect([...out]).toEqual([0, 0, 0, 0, 3, 7, 8, 9]);
    expect(encodeEnvelope(Buffer.from([1, 2]), true)).toEqual(Buffer.from([1, 0, 0, 0, 2, 1, 2]));
  });

  it("parses any split of any sequence of messages", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ c: fc.boolean(), d: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (msgs, cuts) => {
          const wire = Buffer.concat(msgs.map((m) => encodeEnvelope(m.d, m.c)));
          const points = [...new Set(cuts.map((c) => (wire.length === 0 ? 0 : c % wire.length)))].sort((a, b) => a - b);
          const sink = new Collect();
          const dec = new EnvelopeDecoder(sink, 1000);
          let prev = 0;
          for (const p of [...points, wire.length]) {
            expect(dec.push(wire.subarray(prev, p))).toBeUndefined();
            prev = p;
          }
          expect(dec.hasPartial).toBe(false);
          expect(sink.got.map((g) => [g.compressed, [...g.data]])).toEqual(msgs.map((m) => [m.c, [...m.d]]));
        },
      ),
      { seed: FUZZ_SEED },
    );
  });

  it("hands out a view, not a copy, for a message inside one chunk", () => {
    const chunk = encodeEnvelope(Buffer.from("hello"), false);
    let view: Buffer | undefined;
    const dec = new EnvelopeDecoder({ onEnvelope: (_c, d) => (view = d) });
    dec.push(chunk);
    expect(view?.buffer).toBe(chunk.buffer);
  });

  it("refuses an oversize prefix before buffering, with RESOURCE_EXHAUSTED", () => {
    const sink = new Collect();
    const dec = new EnvelopeDecoder(sink, 100);
    const err = dec.push(Buffer.from([0, 0xff, 0xff, 0xff, 0xff]));
    expect(err?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(err?.message).toContain("4294967295");
    expect(sink.got).toHaveLength(0);
  });

  it("refuses a reserved compressed-flag value with INTERNAL", () => {
    const dec = new EnvelopeDecoder(new Collect());
    expect(dec.push(Buffer.from([2, 0, 0, 0, 0]))?.code).toBe(Status.INTERNAL);
  });

  it("reports a partial message", () => {
    const dec = new EnvelopeDecoder(new Collect());
    dec.push(Buffer.from([0, 0, 0, 0, 9, 1]));
    expect(dec.hasPartial).toBe(true);
  });
});
