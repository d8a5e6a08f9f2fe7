// Tests src/wire/http-status.ts: the HTTP status → gRPC code table (doc/http-grpc-status-mapping.md).
import { describe, expect, it } from "vitest";
import { grpcCodeForHttpStatus } from "../../src/wire/http-status.js";
import { Status } from "../../src/wire/status.js";

describe("HTTP status mapping", () => {
  it("HTTP status → gRPC code (only used when grpc-status is absent)", () => {
    expect(grpcCodeForHttpStatus(400)).toBe(Status.INTERNAL);
    expect(grpcCodeForHttpStatus(401)).toBe(Status.UNAUTHENTICATED);
    expect(grpcCodeForHttpStatus(403)).toBe(Status.PERMISSION_DENIED);
    expect(grpcCodeForHttpStatus(404)).toBe(Status.UNIMPLEMENTED);
    for (const s of [429, 502, 503, 504]) expect(grpcCodeForHttpStatus(s)).toBe(Status.UNAVAILABLE);
    for (const s of [200, 201, 301, 405, 415, 500, 501]) expect(grpcCodeForHttpStatus(s)).toBe(Status.UNKNOWN);
    expect(grpcCodeForHttpStatus(100)).toBe(Status.INTERNAL);
  });

});
