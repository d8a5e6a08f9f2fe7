// Tests src/codec/message-type.ts beyond test/codec/message.test.ts (whose table of every kind of
// row has its type checked there): property names as the runtime makes them, 64-bit map values,
// an empty table. Type assertions are checked by tsc (`npm run typecheck`).

import { describe, expect, expectTypeOf, it } from "vitest";
import { defineMessage, type MessageOf } from "../../src/codec/index.js";
import { propertyName } from "../../src/codec/fields.js";
import type { Camel } from "../../src/codec/message-type.js";

describe("the type read from a field table", () => {
  it("names properties as the runtime does (protoc's lowerCamelCase)", () => {
    const names = ["f_int32", "r_int32_unpacked", "fill_grpclb_route_type", "text"] as const;
    expectTypeOf<Camel<(typeof names)[number]>>().toEqualTypeOf<"fInt32" | "rInt32Unpacked" | "fillGrpclbRouteType" | "text">();
    expect(names.map(propertyName)).toEqual(["fInt32", "rInt32Unpacked", "fillGrpclbRouteType", "text"]);
  });

  it("types map values by their scalar type, and keeps presence apart from repetition", () => {
    const CountsCodec = defineMessage("t.Counts", [
      { no: 1, name: "per_day", type: "map", key: "string", value: "int64" },
      { no: 2, name: "samples", type: "fixed64", repeated: true, packed: false },
      { no: 3, name: "last", type: "sint32", presence: "explicit" },
    ]);
    type Counts = MessageOf<typeof CountsCodec>;
    expectTypeOf<Counts>().toEqualTypeOf<{ perDay: Record<string, bigint>; samples: bigint[]; last?: number; $unknown?: Uint8Array }>();
    expect(Object.keys(CountsCodec.create())).toEqual(["perDay", "samples"]);
  });

  it("is only the unknown fields for an empty table", () => {
    const EmptyCodec = defineMessage("t.Empty", []);
    expectTypeOf<MessageOf<typeof EmptyCodec>>().toEqualTypeOf<{ $unknown?: Uint8Array }>();
  });
});
