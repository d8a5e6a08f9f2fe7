// Loads grpc.testing from proto/grpc/testing for the @grpc/grpc-js interop peers (test-only code).
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const certsDir = path.join(repoRoot, "test/interop/certs");

const def = protoLoader.loadSync("grpc/testing/test.proto", {
  includeDirs: [path.join(repoRoot, "proto")],
  keepCase: true,
  longs: String,
  enums: Number,
  defaults: true,
  oneofs: true,
});
const pkg = grpc.loadPackageDefinition(def) as unknown as {
  grpc: { testing: { TestService: grpc.ServiceClientConstructor; UnimplementedService: grpc.ServiceClientConstructor } };
};
export const TestService = pkg.grpc.testing.TestService;
export const UnimplementedService = pkg.grpc.testing.UnimplementedService;

/** Parses `--name=value` / `--name value` flags (the interop runners' style). */
export function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const eq = a.indexOf("=");
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) flags.set(a.slice(2), argv[++i]);
    else flags.set(a.slice(2), "true");
  }
  return flags;
}

export function flagBool(flags: Map<string, string>, name: string): boolean {
  const v = flags.get(name);
  return v === "true" || v === "1";
}
