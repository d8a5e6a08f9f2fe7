import { describe, expect, it } from "vitest";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Metadata } from "../../src/wire/metadata.js";
import { Status, parseStatusCode, statusName } from "../../src/wire/status.js";
import { decodeRpcStatus, encodeRpcStatus, type DetailCodec } from "../../src/wire/status-details.js";
import { statusToTrailers, trailersToStatus } from "../../src/wire/trailers.js";
import { parseContentType } from "../../src/wire/content-type.js";

const TextCodec: DetailCodec<string> = {
  typeName: "test.Text",
  encode: (s) => Buffer.from(s),
  decode: (b) => Buffer.from(b).toString(),
};

describe("status, GrpcError and trailers", () => {
  it("names the 17 codes", () => {
    expect(statusName(Status.UNAUTHENTICATED)).toBe("UNAUTHENTICATED");
    expect(statusName(0)).toBe("OK");
    expect(parseStatusCode("5")).toBe(5);
    expect(parseStatusCode("99")).toBe(Status.UNKNOWN);
    expect(parseStatusCode("x")).toBeUndefined();
  });
  it("from() maps unknown reasons without losing GrpcErrors", () => {
    const e = new GrpcError(Status.NOT_FOUND, "nope");
    expect(GrpcError.from(e)).toBe(e);
    expect(GrpcError.from(new Error("boom")).code).toBe(Status.UNKNOWN);
    expect(GrpcError.from("s", Status.INTERNAL).code).toBe(Status.INTERNAL);
    expect(e.message).toBe("NOT_FOUND: nope");
    expect(e.rawMessage).toBe("nope");
  });
  it("round-trips google.rpc.Status bytes", () => {
    const st = { code: 3, message: "bad ☃", details: [{ typeUrl: "type.googleapis.com/x.Y", value: new Uint8Array([1, 2, 3]) }] };
    const back = decodeRpcStatus(encodeRpcStatus(st));
    expect(back?.code).toBe(3);
    expect(back?.message).toBe("bad ☃");
    expect(back?.details[0].typeUrl).toBe("type.googleapis.com/x.Y");
    expect([...(back?.details[0].value ?? [])]).toEqual([1, 2, 3]);
    expect(decodeRpcStatus(Buffer.from([0x1a, 0x10]))).toBeUndefined();
  });
  it("writes and reads trailers with details and metadata", () => {
    const err = new GrpcError(Status.INVALID_ARGUMENT, "ünïcode\n", { metadata: new Metadata({ "t-bin": Buffer.from([9]), t: "v" }) });
    err.addDetail(TextCodec, "field x");
    const headers = statusToTrailers(err.code, err.rawMessage, err.metadata, err.details);
    expect(headers["grpc-status"]).toBe("3");
    expect(headers["grpc-message"]).toBe("%C3%BCn%C3%AFcode%0A");
    const parsed = trailersToStatus(headers as Record<string, string>);
    expect(parsed.ok).toBe(true);
    expect(parsed.status.code).toBe(3);
    expect(parsed.status.message).toBe("ünïcode\n");
    expect(parsed.status.metadata.get("t-bin")).toEqual(Buffer.from([9]));
    expect(parsed.status.metadata.get("t")).toBe("v");
    const back = new GrpcError(parsed.status.code, parsed.status.message, { details: parsed.status.details });
    expect(back.findDetails(TextCodec)).toEqual(["field x"]);
  });
  it("flags a missing grpc-status", () => {
    const r = trailersToStatus({});
    expect(r.ok).toBe(false);
    expect(r.status.code).toBe(Status.INTERNAL);
  });
  it("parses content-types", () => {
    expect(parseContentType("application/grpc").ok).toBe(true);
    expect(parseContentType("application/grpc+proto; charset=utf-8").ok).toBe(true);
    expect(parseContentType("application/grpc+json")).toEqual({ ok: false, subtype: "json" });
    expect(parseContentType("text/plain").ok).toBe(false);
  });
});

describe("typed details", () => {
  it("carries BadRequest and ErrorInfo through trailers", () => {
    const err = new GrpcError(Status.INVALID_ARGUMENT, "bad")
      .addBadRequest([{ field: "email", description: "not an address" }])
      .addErrorInfo("EMAIL_INVALID", "user.example.com", { k: "v" });
    const parsed = trailersToStatus(statusToTrailers(err.code, err.rawMessage, err.metadata, err.details) as Record<string, string>);
    const back = new GrpcError(parsed.status.code, parsed.status.message, { details: parsed.status.details });
    expect(back.badRequest?.fieldViolations[0]).toMatchObject({ field: "email", description: "not an address" });
    expect(back.errorInfo).toMatchObject({ reason: "EMAIL_INVALID", domain: "user.example.com", metadata: { k: "v" } });
  });
});
