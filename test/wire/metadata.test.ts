import { describe, expect, it } from "vitest";
import { Metadata, decodeBinaryHeader, isReservedHeader } from "../../src/wire/metadata.js";

describe("Metadata", () => {
  it("stores ASCII and binary values, case-insensitively", () => {
    const md = new Metadata();
    md.set("X-Trace", "abc").add("x-trace", "def").set("blob-bin", Buffer.from([0, 255]));
    expect(md.get("x-trace")).toBe("abc");
    expect(md.getAll("X-TRACE")).toEqual(["abc", "def"]);
    expect(md.get("blob-bin")).toEqual(Buffer.from([0, 255]));
    md.remove("x-trace");
    expect(md.has("x-trace")).toBe(false);
    const seen: string[] = [];
    md.forEach((_v, k) => seen.push(k));
    expect(seen).toEqual(["blob-bin"]);
  });
  it("refuses reserved names, bad keys and wrong value types", () => {
    const md = new Metadata();
    for (const k of [":path", "grpc-status", "content-type", "te", "connection"]) {
      expect(() => md.set(k, "x"), k).toThrow(/reserved/);
      expect(isReservedHeader(k)).toBe(true);
    }
    expect(() => md.set("bad key", "x")).toThrow(/not valid/);
    expect(() => md.set("k", "line\nbreak")).toThrow(/ASCII/);
    expect(() => md.add("k-bin", "text" as unknown as Buffer)).toThrow(/Buffer/);
  });
  it("writes un-padded base64 and reads padded and un-padded", () => {
    const md = new Metadata({ "k-bin": Buffer.from([1]), a: ["1", "2"] });
    expect(md.toHeaders()).toEqual({ "k-bin": "AQ", a: ["1", "2"] });
    const parsed = Metadata.fromHeaders({ "k-bin": "AQ==, AQI", x: "y", ":path": "/a/b", "grpc-timeout": "1S" });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.metadata.getAll("k-bin")).toEqual([Buffer.from([1]), Buffer.from([1, 2])]);
      expect(parsed.metadata.get("x")).toBe("y");
      expect(parsed.metadata.keys()).toEqual(["k-bin", "x"]);
    }
  });
  it("rejects bad base64 and oversize metadata without throwing", () => {
    expect(decodeBinaryHeader("A")).toBeUndefined();
    expect(decodeBinaryHeader("a*b=")).toBeUndefined();
    const bad = Metadata.fromHeaders({ "k-bin": "!!!" });
    expect(bad.ok).toBe(false);
    const big = Metadata.fromHeaders({ x: "a".repeat(9000) });
    expect(big.ok === false && big.tooLarge).toBe(true);
    expect(Metadata.fromHeaders({ x: "a".repeat(9000) }, 20000).ok).toBe(true);
  });
});

describe("checkMetadataHeaders", () => {
  it("validates size and -bin base64 without building metadata", async () => {
    const { checkMetadataHeaders } = await import("../../src/wire/metadata.js");
    expect(checkMetadataHeaders({ a: "b", "k-bin": "AQ, AQI=" })).toBeUndefined();
    expect(checkMetadataHeaders({ "k-bin": "@@" })).toMatchObject({ tooLarge: false });
    expect(checkMetadataHeaders({ "grpc-status-details-bin": "@@" })).toBeUndefined();
    expect(checkMetadataHeaders({ a: "x".repeat(100) }, 50)).toMatchObject({ tooLarge: true });
    expect(checkMetadataHeaders({ a: ["x", "y"] }, 67)).toMatchObject({ tooLarge: true });
  });
});

describe("raw headers", () => {
  it("validates and reads node:http2 rawHeaders, keeping repeated values apart", async () => {
    const { checkRawMetadata, Metadata: M } = await import("../../src/wire/metadata.js");
    const raw = [":path", "/a/b", "x", "1, 2", "x", "3", "k-bin", "AQ", "grpc-timeout", "1S", "content-type", "application/grpc"];
    expect(checkRawMetadata(raw)).toBeUndefined();
    expect(checkRawMetadata(["k-bin", "*"])).toMatchObject({ tooLarge: false });
    expect(checkRawMetadata(["a", "x".repeat(100)], 50)).toMatchObject({ tooLarge: true });
    const md = M.fromRawHeaders(raw);
    expect(md.getAll("x")).toEqual(["1, 2", "3"]);
    expect(md.get("k-bin")).toEqual(Buffer.from([1]));
    expect(md.keys()).toEqual(["x", "k-bin"]);
  });
});
