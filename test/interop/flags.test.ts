// Tests src/interop/flags.ts: the interop descriptions' flag forms, read with node:util parseArgs.
import { describe, expect, it } from "vitest";
import { boolFlag, parseFlags } from "../../src/interop/flags.js";

describe("interop flags", () => {
  it("reads --name=value, --name value and a bare --name", () => {
    const flags = parseFlags(["--server_host=localhost", "--server_port", "10000", "--use_tls", "--test_case=large_unary,empty_unary"]);
    expect(Object.fromEntries(flags)).toEqual({ server_host: "localhost", server_port: "10000", use_tls: "true", test_case: "large_unary,empty_unary" });
  });

  it("reads booleans written =true/=false/=1, and a bare boolean does not swallow the next argument", () => {
    const flags = parseFlags(["--use_tls=false", "--use_test_ca=1", "--port", "0"]);
    expect(boolFlag(flags, "use_tls")).toBe(false);
    expect(boolFlag(flags, "use_test_ca")).toBe(true);
    expect(flags.get("port")).toBe("0");
    const bare = parseFlags(["--use_tls", "--port=5"]);
    expect(boolFlag(bare, "use_tls")).toBe(true);
    expect(bare.get("port")).toBe("5");
    expect(boolFlag(parseFlags([]), "use_tls")).toBe(false);
  });

  it("keeps flags it does not know and ignores stray positionals", () => {
    const flags = parseFlags(["stray", "--tls_cert_file", "a.pem", "-x", "--port=1"]);
    expect(Object.fromEntries(flags)).toEqual({ tls_cert_file: "a.pem", x: "true", port: "1" });
  });
});
