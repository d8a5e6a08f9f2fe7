// Hand-made malformed byte vectors: each must fail with the precise CodecError reason.

import { describe, expect, it } from "vitest";
import { CodecError, MAX_DEPTH, Reader, WireType, defineCodec, sizeMessage } from "../../src/codec/index.js";
import { UserCodec } from "../../src/schema/user.js";
import { StatusCodec } from "../../src/schema/google-rpc.js";
import type { Codec, CodecErrorReason } from "../../src/codec/index.js";

function failure(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw new Error(`expected a CodecError, got ${String(e)}`);
  }
  throw new Error("expected a CodecError, but decoding succeeded");
}

function expectReason(bytes: number[], reason: CodecErrorReason, decode: (b: Uint8Array) => unknown = (b) => UserCodec.decode(b)): CodecError {
  const e = failure(() => decode(Uint8Array.from(bytes)));
  expect(e.reason).toBe(reason);
  expect(e.name).toBe("CodecError");
  return e;
}

describe("truncated", () => {
  it("input ends inside a tag", () => expectReason([0x80], "truncated"));
  it("input ends after a tag, before its value", () => expectReason([0x28], "truncated"));
  it("input ends inside a varint value", () => expectReason([0x30, 0xff, 0xff], "truncated"));
  it("input ends inside a 64-bit varint past 7 bytes", () => expectReason([0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], "truncated"));
  it("input ends inside a length prefix", () => expectReason([0x0a, 0x80], "truncated"));
  it("input ends inside a fixed64 (unknown field)", () => expectReason([0x41, 1, 2, 3], "truncated"));
  it("input ends inside a fixed32 (unknown field)", () => expectReason([0x4d, 1, 2, 3], "truncated"));
  it("reports where", () => {
    const e = expectReason([0x0a, 0x01, 0x61, 0x28], "truncated");
    expect(e.offset).toBe(4);
    expect(e.message).toMatch(/at byte 4/);
  });
});

describe("varint-too-long", () => {
  const eleven = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  it("in an int64 field", () => expectReason([0x30, ...eleven], "varint-too-long"));
  it("in an int32 field", () => expectReason([0x28, ...eleven], "varint-too-long"));
  it("in a tag: a tag stops at 5 bytes, so this is an invalid tag", () => expectReason(eleven, "invalid-tag"));
  it("in a length prefix", () => expectReason([0x0a, ...eleven], "varint-too-long"));
  it("in an unknown varint field being skipped", () => expectReason([0x40, ...eleven], "varint-too-long"));
  it("ten bytes are still fine", () => {
    expect(UserCodec.decode(Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).createdAt).toBe(-1n);
    expect(UserCodec.decode(Uint8Array.from([0x28, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).role).toBe(-2);
  });
});

describe("length-overrun", () => {
  it("a string longer than the input", () => expectReason([0x0a, 0x05, 0x61, 0x62], "length-overrun"));
  it("an unknown LEN field longer than the input", () => expectReason([0x42, 0x7f, 0x00], "length-overrun"));
  it("a huge length does not allocate, it fails", () => expectReason([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], "length-overrun"));
  it("a length above 2^32 is not truncated to a small one", () => expectReason([0x0a, 0x81, 0x80, 0x80, 0x80, 0x10, 0x61], "length-overrun"));
  it("a string running past the end of its enclosing sub-message, even though the input goes on", () => {
    // Status { details: Any(len 3) { type_url: len 5 ... } } followed by more bytes.
    expectReason([0x1a, 0x03, 0x0a, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65], "length-overrun", (b) => StatusCodec.decode(b));
  });
  it("a sub-message longer than its parent", () => expectReason([0x1a, 0x09, 0x0a, 0x01, 0x61], "length-overrun", (b) => StatusCodec.decode(b)));
});

describe("invalid-wire-type", () => {
  it("wire type 6", () => expectReason([0x0e, 0x00], "invalid-wire-type"));
  it("wire type 7", () => expectReason([0x0f, 0x00], "invalid-wire-type"));
  it("after valid fields, with a multi-byte tag", () => {
    const e = expectReason([0x0a, 0x01, 0x61, 0x86, 0x01], "invalid-wire-type");
    expect(e.offset).toBe(3);
  });
});

describe("groups (wire types 3 and 4)", () => {
  // Field 9 (unknown to UserCodec): start 0x4b, end 0x4c. Field 10: start 0x53, end 0x54.
  it("a well-formed group is skipped as an unknown field, with what it holds", () => {
    const u = UserCodec.decode(Uint8Array.from([0x0a, 0x01, 0x61, 0x4b, 0x08, 0x96, 0x01, 0x12, 0x01, 0x62, 0x4c, 0x12, 0x01, 0x62]));
    expect(u.id).toBe("a");
    expect(u.username).toBe("b");
    // Kept as unknown bytes and written back.
    expect(Array.from(UserCodec.encode(u))).toContain(0x4b);
  });
  it("nested groups and an empty group are skipped", () => {
    const u = UserCodec.decode(Uint8Array.from([0x4b, 0x53, 0x54, 0x4b, 0x4c, 0x4c, 0x0a, 0x01, 0x61]));
    expect(u.id).toBe("a");
  });
  it("a group using a known field number is skipped too", () => expect(UserCodec.decode(Uint8Array.from([0x0b, 0x0c])).id).toBe(""));
  it("an end-group tag outside a group", () => expectReason([0x0c], "invalid-group"));
  it("an end-group tag of another field", () => expectReason([0x4b, 0x54], "invalid-group"));
  it("an unterminated group", () => expectReason([0x4b], "truncated"));
  it("an unterminated group with fields", () => expectReason([0x4b, 0x08, 0x01], "truncated"));
  it("a bad wire type inside a group", () => expectReason([0x4b, 0x0e, 0x00, 0x4c], "invalid-wire-type"));
  it("a group ends at the end of its sub-message, not past it", () => {
    // Status { details (field 3, len 1): [group start 9] } then the end tag outside the sub-message.
    expectReason([0x1a, 0x01, 0x4b, 0x4c], "truncated", (b) => StatusCodec.decode(b));
  });
  it(`groups nested ${MAX_DEPTH} deep are fine, one more is too-deep (no stack overflow)`, () => {
    const ok = [...new Array<number>(MAX_DEPTH).fill(0x4b), ...new Array<number>(MAX_DEPTH).fill(0x4c)];
    expect(UserCodec.decode(Uint8Array.from(ok)).id).toBe("");
    const deep = [...new Array<number>(MAX_DEPTH + 1).fill(0x4b), ...new Array<number>(MAX_DEPTH + 1).fill(0x4c)];
    expectReason(deep, "too-deep");
    expectReason(new Array<number>(100_000).fill(0x4b), "too-deep");
  });
});

describe("field-zero", () => {
  it("tag 0x00", () => expectReason([0x00], "field-zero"));
  it("tag 0x02 (field 0, LEN)", () => expectReason([0x02, 0x00], "field-zero"));
  it("a padded zero tag (0x80 0x00)", () => expectReason([0x80, 0x00], "field-zero"));
  it("inside a sub-message", () => expectReason([0x1a, 0x02, 0x00, 0x00], "field-zero", (b) => StatusCodec.decode(b)));
});

describe("invalid-tag", () => {
  // Field numbers stop at 2^29 − 1, so a tag never needs more than 32 bits (5 varint bytes, the last ≤ 0x0f).
  it("a tag with bit 32 set", () => expectReason([0x88, 0x80, 0x80, 0x80, 0x10, 0x00], "invalid-tag"));
  it("a 6-byte tag", () => expectReason([0x88, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00], "invalid-tag"));
  it("the largest field number (2^29 − 1) is still a tag", () => {
    const r = new Reader(new Uint8Array([0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00]));
    expect(r.tag() >>> 3).toBe(2 ** 29 - 1);
  });
  it("a padded 5-byte tag of field 1 is accepted", () => {
    const r = new Reader(new Uint8Array([0x88, 0x80, 0x80, 0x80, 0x00, 0x00]));
    expect(r.tag()).toBe(8);
  });
});

describe("invalid-utf8", () => {
  const cases: [string, number[]][] = [
    ["a lone continuation byte", [0x80]],
    ["a truncated 2-byte sequence", [0x61, 0xc3]],
    ["an overlong encoding of '/'", [0xc0, 0xaf]],
    ["an encoded surrogate (U+D800)", [0xed, 0xa0, 0x80]],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["0xFF", [0xff]],
    ["invalid bytes after a long ASCII run", [...Buffer.from("a".repeat(40)), 0xfe]],
    ["invalid bytes in a short string", [0x61, 0x62, 0xe2, 0x82]],
  ];
  for (const [name, bytes] of cases) {
    it(name, () => expectReason([0x12, bytes.length, ...bytes], "invalid-utf8"));
  }
  it("a genuine U+FFFD is accepted", () => {
    expect(UserCodec.decode(Uint8Array.from([0x12, 0x04, 0x61, 0xef, 0xbf, 0xbd])).username).toBe("a\ufffd");
  });
  it("bytes fields are not checked", () => {
    expect(Array.from(UserCodec.decode(Uint8Array.from([0x42, 0x01, 0xff])).$unknown ?? [])).toEqual([0x42, 0x01, 0xff]);
  });
});

describe("too-deep", () => {
  interface Node {
    child?: Node;
  }
  const NodeCodec: Codec<Node> = defineCodec<Node>({
    typeName: "test.Node",
    create: (init) => ({ ...init }),
    size: (m) => (m.child ? 1 + sizeMessage(NodeCodec, m.child) : 0),
    write(m, w) {
      if (m.child) w.tag(1, WireType.LEN).message(NodeCodec, m.child);
    },
    read(r) {
      const m: Node = {};
      while (r.pos < r.end) {
        const tag = r.tag();
        if (tag === 0x0a) m.child = r.message(NodeCodec);
        else r.skip(tag);
      }
      return m;
    },
  });

  function nested(levels: number): Node {
    let n: Node = {};
    for (let i = 0; i < levels; i++) n = { child: n };
    return n;
  }

  it(`accepts ${MAX_DEPTH} levels of sub-messages`, () => {
    const bytes = NodeCodec.encode(nested(MAX_DEPTH));
    let n: Node | undefined = NodeCodec.decode(bytes);
    let depth = 0;
    while (n?.child) {
      n = n.child;
      depth++;
    }
    expect(depth).toBe(MAX_DEPTH);
  });

  it(`rejects ${MAX_DEPTH + 1}`, () => {
    const bytes = NodeCodec.encode(nested(MAX_DEPTH + 1));
    expect(failure(() => NodeCodec.decode(bytes)).reason).toBe("too-deep");
  });

  it("resets depth after a sub-message, so siblings do not add up", () => {
    const r = new Reader(NodeCodec.encode(nested(3)));
    NodeCodec.read(r);
    expect(r.depth).toBe(0);
  });
});
