// Tests src/service/reflection.ts with src/service/descriptor-set.ts: the repository's files are served from their src/schema declarations (grpc/grpc doc/server-reflection.md), and protobufjs is not loaded for them.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { encodeFileDescriptorProto } from "../../src/schema/descriptor.js";
import { fileDescriptor } from "../../src/schema/file-descriptor.js";
import { DECLARED_FILES } from "../../src/schema/files.js";
import { DescriptorSet } from "../../src/service/descriptor-set.js";
import { DescriptorPool } from "../../src/service/descriptors.js";
import { REFLECTION_PROTO_FILES, REFLECTION_SERVICE_NAMES, ReflectionService } from "../../src/service/reflection.js";

const FILES = ["user.proto", "grpc/health/v1/health.proto", ...REFLECTION_PROTO_FILES, "google/rpc/error_details.proto", "google/rpc/status.proto"];
const SERVICES = ["user.UserService", "grpc.health.v1.Health", ...REFLECTION_SERVICE_NAMES];

describe("reflection from the declared files", () => {
  it("serves exactly the derived descriptors of every declared file", () => {
    const reflection = new ReflectionService(FILES, SERVICES);
    for (const decl of DECLARED_FILES) {
      expect(Buffer.from(reflection.fileDescriptorBytes(decl.name)!)).toEqual(Buffer.from(encodeFileDescriptorProto(fileDescriptor(decl))));
    }
  });

  it("indexes the same symbols as the protobufjs path", () => {
    const declared = DescriptorSet.declared(FILES)!;
    const parsed = DescriptorPool.load(FILES);
    const names = [
      "user.UserService", "user.UserService.ListUsers", "user.User", "user.User.full_name", "user.Role", "user.ROLE_ADMIN",
      "grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc.health.v1.HealthCheckResponse.SERVING",
      "grpc.reflection.v1.ServerReflectionRequest.message_request", "google.rpc.BadRequest.FieldViolation",
      "google.rpc.ErrorInfo.MetadataEntry", "google.protobuf.Duration", "google.protobuf.Any", "no.such.Symbol",
    ];
    for (const n of names) {
      expect([n, declared.fileContainingSymbol(n), declared.symbolKind(n)]).toEqual([n, parsed.fileContainingSymbol(n), parsed.symbolKind(n)]);
    }
    expect(declared.withDependencies("google/rpc/error_details.proto")).toEqual(["google/rpc/error_details.proto", "google/protobuf/duration.proto"]);
    expect(DescriptorSet.declared(["nope.proto"])).toBeUndefined();
  });

  const dir = mkdtempSync(path.join(tmpdir(), "reflection-declared-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("does not load protobufjs for declared files, and loads it for other .proto files", async () => {
    const src = fileURLToPath(new URL("../../src/service/reflection.ts", import.meta.url));
    const script = path.join(dir, "probe.ts");
    writeFileSync(script, [
      `import { createRequire } from "node:module";`,
      `import { ReflectionService } from ${JSON.stringify(src)};`,
      `const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("/node_modules/protobufjs/"));`,
      `new ReflectionService(${JSON.stringify(FILES)}, ${JSON.stringify(SERVICES)});`,
      `const declared = loaded();`,
      `new ReflectionService(["proto/user.proto"], ["user.UserService"]);`,
      `console.log(JSON.stringify({ declared, parsed: loaded() }));`,
    ].join("\n"));
    const cwd = fileURLToPath(new URL("../..", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], { cwd });
    expect(JSON.parse(stdout)).toEqual({ declared: false, parsed: true });
  });
});
