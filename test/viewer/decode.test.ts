// Tests src/viewer/decode.ts and src/viewer/schema.ts: fields decoded by name and type with the byte
// range of each (protobuf.dev "Encoding"), raw decoding without a schema, malformed bytes.

import { describe, expect, it } from "vitest";
import { FieldLabel, FieldType, type FileDescriptorProto } from "../../src/schema/descriptor.js";
import { UserCodec } from "../../src/schema/user.js";
import { DescriptorPool } from "../../src/service/descriptors.js";
import { decodeMessage, type FieldNode } from "../../src/viewer/decode.js";
import { SchemaIndex } from "../../src/viewer/schema.js";

const field = (name: string, number: number, type: FieldType, extra: Partial<{ label: FieldLabel; typeName: string }> = {}) => ({
  name,
  number,
  label: extra.label ?? FieldLabel.OPTIONAL,
  type,
  ...(extra.typeName === undefined ? {} : { typeName: extra.typeName }),
});

const SYNTHETIC: FileDescriptorProto = {
  name: "t.proto",
  package: "t",
  dependency: [],
  publicDependency: [],
  weakDependency: [],
  syntax: "proto3",
  enumType: [],
  service: [],
  messageType: [
    {
      name: "T",
      field: [
        field("a", 1, FieldType.SINT32),
        field("b", 2, FieldType.INT32, { label: FieldLabel.REPEATED }),
        field("c", 3, FieldType.DOUBLE),
        field("d", 4, FieldType.BOOL),
        field("e", 5, FieldType.BYTES),
        field("f", 6, FieldType.FIXED32),
        field("child", 7, FieldType.MESSAGE, { typeName: ".t.T" }),
        field("g", 8, FieldType.INT32),
      ],
      nestedType: [],
      enumType: [],
      oneofDecl: [],
      reservedRange: [],
      reservedName: [],
    },
  ],
};

// a=-3 (zigzag 5), b=[1, 300] packed, c=1.5, d=true, e=ff 00, f=7, child={a=1}, g=-1 (10-byte varint)
const BYTES = Buffer.from("0805" + "120301ac02" + "19000000000000f83f" + "2001" + "2a02ff00" + "3507000000" + "3a020802" + "40ffffffffffffffffff01", "hex");

function brief(fields: FieldNode[]): unknown[] {
  return fields.map((f) => [f.name ?? f.field, f.type, f.value, f.start, f.end, ...(f.children ? [brief(f.children)] : [])]);
}

describe("decodeMessage", () => {
  const schema = new SchemaIndex();
  schema.add({ files: new Map([["t.proto", SYNTHETIC]]) });

  it("decodes every scalar kind by name, with each field's byte range", () => {
    const d = decodeMessage(BYTES, "t.T", schema);
    expect(d.error).toBeUndefined();
    expect(d.typeName).toBe("t.T");
    expect(brief(d.fields)).toEqual([
      ["a", "sint32", "-3", 0, 2],
      ["b", "packed int32", "[1, 300]", 2, 7],
      ["c", "double", "1.5", 7, 16],
      ["d", "bool", "true", 16, 18],
      ["e", "bytes", "<2 bytes: ff 00>", 18, 22],
      ["f", "fixed32", "7 (0x7)", 22, 27],
      ["child", "t.T", "{1 field}", 27, 31, [["a", "sint32", "1", 29, 31]]],
      ["g", "int32", "-1", 31, 42],
    ]);
    expect(d.fields[1].valueStart).toBe(4); // after tag 0x12 and length 0x03
  });

  it("decodes raw, as protoc --decode_raw, when the type is unknown", () => {
    const d = decodeMessage(BYTES, undefined, schema);
    expect(d.typeName).toBeUndefined();
    expect(brief(d.fields).slice(0, 3)).toEqual([
      [1, "varint", "5", 0, 2],
      [2, "bytes?", "<3 bytes: 01 ac 02>", 2, 7],
      [3, "i64", "4609434218613702656 (0x3ff8000000000000)", 7, 16],
    ]);
    expect(d.fields[6]).toMatchObject({ field: 7, type: "message?", children: [{ field: 1, type: "varint", value: "2" }] });
    expect(d.fields[7].value).toBe("18446744073709551615 (as int64: -1)");
  });

  it("stops at malformed or cut bytes, keeping the fields before", () => {
    const cut = decodeMessage(BYTES.subarray(0, 10), "t.T", schema);
    expect(cut.fields.map((f) => f.name)).toEqual(["a", "b"]);
    expect(cut.error).toMatch(/field 3 needs 8 bytes/);
    expect(decodeMessage(Buffer.from("0a05616c", "hex"), undefined, schema).error).toMatch(/says 5 bytes/);
    expect(decodeMessage(Buffer.from("0f", "hex"), undefined, schema).error).toMatch(/wire type 7/);
  });

  it("names user.proto's fields and enum values from the reflection descriptors", () => {
    const user = new SchemaIndex();
    user.add(DescriptorPool.load(["user.proto"]));
    expect(user.kind("/user.UserService/StreamUserUpdates")).toBe("bidi streaming");
    const bytes = UserCodec.encode(UserCodec.create({ id: "x", username: "alice", role: 3, createdAt: 1700000000000n }));
    const d = decodeMessage(bytes, "user.User", user);
    expect(d.fields.map((f) => `${f.name}: ${f.type} = ${f.value}`)).toEqual([
      'id: string = "x"',
      'username: string = "alice"',
      "role: user.Role = ROLE_MODERATOR (3)",
      "created_at: int64 = 1700000000000",
    ]);
  });
});
