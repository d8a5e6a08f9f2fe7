// Tests src/schema/files.ts and src/schema/file-descriptor.ts: the FileDescriptorProto derived from each declared file equals what protobufjs, parsing proto/ (the oracle), gives.

import { describe, expect, it } from "vitest";
import { encodeFileDescriptorProto } from "../../src/schema/descriptor.js";
import { fileDescriptor } from "../../src/schema/file-descriptor.js";
import { DECLARED_FILES } from "../../src/schema/files.js";
import { DescriptorPool } from "../../src/service/descriptors.js";

describe("declared files against protobufjs parsing proto/", () => {
  const pool = DescriptorPool.load(DECLARED_FILES.map((f) => f.name));

  it("declares every file the declared files import", () => {
    const declared = new Set(DECLARED_FILES.map((f) => f.name));
    expect([...pool.files.keys()].filter((n) => !declared.has(n))).toEqual([]);
  });

  for (const decl of DECLARED_FILES) {
    it(`${decl.name}: same descriptor (names, numbers, types, labels, type names, oneofs, json names, services, imports, options)`, () => {
      const derived = fileDescriptor(decl);
      expect(derived).toEqual(pool.files.get(decl.name));
      expect(Buffer.from(encodeFileDescriptorProto(derived))).toEqual(Buffer.from(encodeFileDescriptorProto(pool.files.get(decl.name)!)));
    });
  }
});
