import { describe, expect, it } from "vitest";
import * as zlib from "node:zlib";
import { compress, decompress, parseAcceptEncoding, parseEncoding } from "../../src/wire/compression.js";
import { Status } from "../../src/wire/status.js";

describe("compression", () => {
  it("round-trips gzip and deflate", () => {
    const data = Buffer.from("hello hello hello hello");
    for (const enc of ["gzip", "deflate"] as const) {
      const c = compress(enc, data);
      expect(c.equals(data)).toBe(false);
      const d = decompress(enc, c, 1000);
      expect(d.ok && d.data.toString()).toBe(data.toString());
    }
    expect(zlib.inflateSync(compress("deflate", data)).toString()).toBe(data.toString());
  });
  it("bounds inflation: a zip bomb is RESOURCE_EXHAUSTED", () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024));
    const r = decompress("gzip", bomb, 1024 * 1024);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(Status.RESOURCE_EXHAUSTED);
  });
  it("reports corrupt data and identity-compressed as INTERNAL", () => {
    const r = decompress("gzip", Buffer.from("not gzip"), 100);
    expect(!r.ok && r.code).toBe(Status.INTERNAL);
    const i = decompress("identity", Buffer.from("x"), 100);
    expect(!i.ok && i.code).toBe(Status.INTERNAL);
  });
  it("parses grpc-encoding and grpc-accept-encoding", () => {
    expect(parseEncoding(undefined)).toEqual({ ok: true, encoding: "identity" });
    expect(parseEncoding("gzip")).toEqual({ ok: true, encoding: "gzip" });
    const bad = parseEncoding("br");
    expect(!bad.ok && bad.code).toBe(Status.UNIMPLEMENTED);
    expect(!bad.ok && bad.message).toContain("identity,deflate,gzip");
    expect(parseAcceptEncoding("gzip, br ,identity")).toEqual(["gzip", "identity"]);
  });
});
