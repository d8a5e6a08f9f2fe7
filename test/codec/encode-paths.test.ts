// Tests src/codec/codec.ts's three encode paths (slab, bounded scratch buffer, exact size pass) and
// src/codec/writer.ts's sub-message length prefixes written before the body is known (protobuf.dev
// "Encoding" § Length-Delimited Records): the same bytes as protobufjs on every path, for sub-messages
// whose lengths need 1, 2 and 3 prefix bytes, nested.

import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { defineMessage, encodeWith, type CodecParts, type MessageType } from "../../src/codec/index.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

interface Node {
  text: string;
  kids: Node[];
  one?: Node;
  $unknown?: Uint8Array;
}

const NodeCodec: MessageType<Node> = defineMessage<Node>("t.Node", [
  { no: 1, name: "text", type: "string" },
  { no: 2, name: "kids", type: "message", repeated: true, message: () => NodeCodec },
  { no: 3, name: "one", type: "message", message: () => NodeCodec },
]);

const root = protobuf.parse(`
  syntax = "proto3";
  package t;
  message Node { string text = 1; repeated Node kids = 2; Node one = 3; }
`).root;
root.resolveAll();
const PbNode = root.lookupType("t.Node");

/** protobufjs' input for `m`, without the empty strings it would write (we skip proto3 defaults). */
function pbInput(m: Node): Record<string, unknown> {
  return { ...(m.text === "" ? {} : { text: m.text }), kids: m.kids.map(pbInput), ...(m.one === undefined ? {} : { one: pbInput(m.one) }) };
}
const pbEncode = (m: Node): Buffer => Buffer.from(PbNode.encode(PbNode.fromObject(pbInput(m))).finish());

/** The same codec without maxSize: encodeWith then always takes the exact path. */
const exactOnly: CodecParts<Node> = { typeName: "t.Node", create: NodeCodec.create, size: NodeCodec.size, write: NodeCodec.write, read: NodeCodec.read };

// Texts around the prefix thresholds: lengths 0..130 (1 or 2 prefix bytes), 16380..16390 (2 or 3),
// ASCII or 2-byte UTF-8 (so the bound, 3 bytes per unit, and the real size differ).
const text = fc.oneof(
  fc.nat(130),
  fc.integer({ min: 16_370, max: 16_390 }),
).chain((n) => fc.constantFrom("a".repeat(n), "é".repeat(n >> 1)));

/** Nodes nested up to `depth` levels, a few children each. */
function nodeOf(depth: number): fc.Arbitrary<Node> {
  if (depth === 0) return text.map((t) => ({ text: t, kids: [] }));
  const sub = nodeOf(depth - 1);
  return fc
    .record({ text, kids: fc.array(sub, { maxLength: 3 }), one: fc.option(sub, { nil: undefined, freq: 2 }) })
    .map(({ one, ...rest }) => (one === undefined ? rest : { ...rest, one }));
}
const node = nodeOf(3);

describe("encode paths", () => {
  it("slab, bounded and exact paths give protobufjs' bytes, with or without reserved prefix bytes", () => {
    const seen = { slab: 0, bounded: 0, exact: 0 };
    fc.assert(
      fc.property(node, fc.constantFrom(0, 5), (m, reserve) => {
        const want = pbEncode(m);
        const bound = NodeCodec.maxSize!(m);
        seen[bound <= 4096 ? "slab" : bound <= 256 * 1024 ? "bounded" : "exact"]++;
        for (const got of [NodeCodec.encode(m, reserve), encodeWith(exactOnly, m, reserve)]) {
          expect(got.subarray(0, reserve).every((b) => b === 0)).toBe(true);
          expect(got.subarray(reserve).equals(want)).toBe(true);
        }
        expect(NodeCodec.decode(NodeCodec.encode(m))).toEqual(NodeCodec.decode(want));
      }),
      { numRuns: 300, seed: FUZZ_SEED },
    );
    expect(seen.slab).toBeGreaterThan(0);
    expect(seen.bounded).toBeGreaterThan(0);
  });

  it("a message past the bounded limit takes the exact path and gives the same bytes", () => {
    const big: Node = { text: "x", kids: Array.from({ length: 40 }, (_, i) => ({ text: "ü".repeat(3000 + i), kids: [] })) };
    expect(NodeCodec.maxSize!(big)).toBe(Infinity);
    expect(NodeCodec.encode(big).equals(pbEncode(big))).toBe(true);
  });

  it("buffers from the bounded path are independent copies", () => {
    const a: Node = { text: "a".repeat(5000), kids: [] };
    const b: Node = { text: "b".repeat(5000), kids: [] };
    const ea = NodeCodec.encode(a);
    const eb = NodeCodec.encode(b);
    expect(NodeCodec.decode(ea).text).toBe(a.text);
    expect(NodeCodec.decode(eb).text).toBe(b.text);
  });

  it("an encode nested inside a bounded-path write() gets a buffer of its own", () => {
    const inner: Node = { text: "i".repeat(6000), kids: [] };
    let innerBytes: Buffer | undefined;
    const Outer: CodecParts<Node> = {
      ...exactOnly,
      maxSize: NodeCodec.maxSize,
      write(m, w) {
        innerBytes = NodeCodec.encode(inner); // bounded path too, while the outer one holds the scratch buffer
        NodeCodec.write(m, w);
      },
    };
    const outer: Node = { text: "o".repeat(5000), kids: [{ text: "k".repeat(300), kids: [] }] };
    expect(NodeCodec.maxSize!(outer)).toBeGreaterThan(4096);
    expect(encodeWith(Outer, outer).equals(pbEncode(outer))).toBe(true);
    expect(innerBytes?.equals(pbEncode(inner))).toBe(true);
  });
});
