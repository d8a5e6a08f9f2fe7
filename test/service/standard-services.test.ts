// addHealthAndReflection (src/service/standard-services.ts): health and reflection for a server of
// your own, with its .proto files in a folder of your own.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServingStatus } from "../../src/schema/health.js";
import { Server, defineService } from "../../src/server/index.js";
import { addHealthAndReflection } from "../../src/service/index.js";
import { EchoMessageCodec, EchoService } from "../support/echo-service.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "own-protos-"));
  writeFileSync(
    path.join(dir, "greet.proto"),
    'syntax = "proto3";\npackage greet;\nimport "google/rpc/status.proto";\nmessage Hello { string text = 1; int32 n = 2; google.rpc.Status last_error = 3; }\nservice Greeter { rpc Say (Hello) returns (Hello); }\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const Greeter = defineService("greet.Greeter", { Say: { kind: "unary", requestCodec: EchoMessageCodec, responseCodec: EchoMessageCodec } });

describe("addHealthAndReflection", () => {
  it("serves health for every service registered before it, and reflection from your own proto folder (imports found in proto/)", () => {
    const server = new Server().addService(Greeter, { Say: (m) => m });
    const { health, reflection } = addHealthAndReflection(server, { protoFiles: ["greet.proto"], includeDirs: [dir] });
    expect(server.serviceNames()).toEqual(["greet.Greeter", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]);
    expect(health.getStatus("")).toBe(ServingStatus.SERVING);
    expect(health.getStatus("greet.Greeter")).toBe(ServingStatus.SERVING);
    const list = reflection.answer({ host: "", listServices: "" });
    expect(list.listServicesResponse?.service.map((s) => s.name)).toEqual(server.serviceNames());
    const file = reflection.answer({ host: "", fileContainingSymbol: "greet.Greeter" });
    expect(file.fileDescriptorResponse?.fileDescriptorProto.length).toBeGreaterThanOrEqual(2); // greet.proto and google/rpc/status.proto (+ any.proto)
  });

  it("a registered service missing from the .proto files is an error naming it", () => {
    const server = new Server().addService(EchoService, { Unary: (m) => m, ServerStream: async () => {}, ClientStream: async () => EchoMessageCodec.create(), Bidi: async () => {} });
    expect(() => addHealthAndReflection(server, { protoFiles: ["user.proto"] })).toThrow(/test\.Echo/);
    expect(server.serviceNames()).toEqual(["test.Echo"]); // nothing half-registered
  });
});
