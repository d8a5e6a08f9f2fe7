// Tests src/wire/rst-stream.ts: the RST_STREAM error code → gRPC code table (PROTOCOL-HTTP2 "Errors").
import { describe, expect, it } from "vitest";
import { Http2ErrorCode, grpcCodeForRstStream, http2ErrorName } from "../../src/wire/rst-stream.js";
import { Status } from "../../src/wire/status.js";

describe("RST_STREAM mapping", () => {
  it("RST_STREAM code → gRPC code, row by row", () => {
    const rows: Array<[keyof typeof Http2ErrorCode, number]> = [
      ["NO_ERROR", Status.INTERNAL],
      ["PROTOCOL_ERROR", Status.INTERNAL],
      ["INTERNAL_ERROR", Status.INTERNAL],
      ["FLOW_CONTROL_ERROR", Status.INTERNAL],
      ["SETTINGS_TIMEOUT", Status.INTERNAL],
      ["FRAME_SIZE_ERROR", Status.INTERNAL],
      ["REFUSED_STREAM", Status.UNAVAILABLE],
      ["CANCEL", Status.CANCELLED],
      ["COMPRESSION_ERROR", Status.INTERNAL],
      ["CONNECT_ERROR", Status.INTERNAL],
      ["ENHANCE_YOUR_CALM", Status.RESOURCE_EXHAUSTED],
      ["INADEQUATE_SECURITY", Status.PERMISSION_DENIED],
    ];
    for (const [name, code] of rows) expect([name, grpcCodeForRstStream(Http2ErrorCode[name])]).toEqual([name, code]);
    expect(http2ErrorName(8)).toBe("CANCEL");
    expect(http2ErrorName(0x99)).toBe("0x99");
  });
});
