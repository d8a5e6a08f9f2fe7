// Tests src/codec/message-type.ts: the TypeScript type read from a field table (checked by the
// compiler: `npm run typecheck` fails if a type differs), and that its property names are the ones
// the runtime uses.

import { describe, expect, expectTypeOf, it } from "vitest";
import { defineMessage, type MessageOf } from "../../src/codec/index.js";
import type { Camel } from "../../src/codec/message-type.js";
import { propertyName } from "../../src/codec/fields.js";

const LeafCodec = defineMessage("t.Leaf", [{ no: 1, name: "text", type: "string" }]);

const AllCodec = defineMessage("t.All", [
  { no: 1, name: "f_double", type: "double" },
  { no: 2, name: "f_int32", type: "int32" },
  { no: 3, name: "f_int64", type: "int64" },
  { no: 4, name: "f_uint64", type: "uint64" },
  { no: 5, name: "f_sfixed64", type: "sfixed64" },
  { no: 6, name: "f_bool", type: "bool" },
  { no: 7, name: "f_string", type: "string" },
  { no: 8, name: "f_bytes", type: "bytes" },
  { no: 9, name: "f_enum", type: "enum", enum: "t.Color" },
  { no: 10, name: "f_leaf", type: "message", message: () => LeafCodec },
  { no: 11, name: "r_sint32", type: "sint32", repeated: true },
  { no: 12, name: "r_int32_unpacked", type: "int32", repeated: true, packed: false },
  { no: 13, name: "r_string", type: "string", repeated: true },
  { no: 14, name: "r_leaf", type: "message", repeated: true, message: () => LeafCodec },
  { no: 15, name: "labels", type: "map", key: "string", value: "string" },
  { no: 16, name: "counts", type: "map", key: "string", value: "int64" },
  { no: 17, name: "choice_text", type: "string", oneof: "choice" },
  { no: 18, name: "choice_leaf", type: "message", message: () => LeafCodec, oneof: "choice" },
  { no: 19, name: "maybe", type: "int32", presence: "explicit" },
]);

interface Leaf {
  text: string;
  $unknown?: Uint8Array;
}

interface All {
  fDouble: number;
  fInt32: number;
  fInt64: bigint;
  fUint64: bigint;
  fSfixed64: bigint;
  fBool: boolean;
  fString: string;
  fBytes: Uint8Array;
  fEnum: number;
  fLeaf?: Leaf;
  rSint32: number[];
  rInt32Unpacked: number[];
  rString: string[];
  rLeaf: Leaf[];
  labels: Record<string, string>;
  counts: Record<string, bigint>;
  choiceText?: string;
  choiceLeaf?: Leaf;
  maybe?: number;
  $unknown?: Uint8Array;
}

describe("the type read from a field table", () => {
  it("has one property per row, typed by the row, optional where the field has presence", () => {
    expectTypeOf<MessageOf<typeof AllCodec>>().toEqualTypeOf<All>();
    expectTypeOf<MessageOf<typeof LeafCodec>>().toEqualTypeOf<Leaf>();
    expectTypeOf(AllCodec.create()).toEqualTypeOf<All>();
    expectTypeOf(AllCodec.decode).returns.toEqualTypeOf<All>();
  });

  it("is only the unknown fields for an empty table", () => {
    const EmptyCodec = defineMessage("t.Empty", []);
    expectTypeOf<MessageOf<typeof EmptyCodec>>().toEqualTypeOf<{ $unknown?: Uint8Array }>();
  });

  it("names properties as the runtime does (protoc's lowerCamelCase)", () => {
    const names = ["f_int32", "r_int32_unpacked", "fill_grpclb_route_type", "text"] as const;
    expectTypeOf<Camel<(typeof names)[number]>>().toEqualTypeOf<"fInt32" | "rInt32Unpacked" | "fillGrpclbRouteType" | "text">();
    expect(names.map(propertyName)).toEqual(["fInt32", "rInt32Unpacked", "fillGrpclbRouteType", "text"]);
    expect(Object.keys(AllCodec.create()).sort()).toEqual(
      ["fDouble", "fInt32", "fInt64", "fUint64", "fSfixed64", "fBool", "fString", "fBytes", "fEnum", "rSint32", "rInt32Unpacked", "rString", "rLeaf", "labels", "counts"].sort(),
    );
  });
});
