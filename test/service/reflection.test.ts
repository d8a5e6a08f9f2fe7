import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import protobuf from "protobufjs";
import descriptorExt from "protobufjs/ext/descriptor/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeFileDescriptorProto, FieldLabel, FieldType } from "../../src/schema/descriptor.js";
import { reflectionV1, reflectionV1alpha, type ServerReflectionRequest, type ServerReflectionResponse } from "../../src/schema/reflection.js";
import { DEFAULT_PROTO_DIR, DescriptorPool, jsonName } from "../../src/service/descriptors.js";
import {
  REFLECTION_PROTO_FILES,
  REFLECTION_SERVICE_NAMES,
  ReflectionService,
  ReflectionV1alphaDescriptor,
  ReflectionV1Descriptor,
} from "../../src/service/reflection.js";
import { Channel, Client, clientMethods } from "../../src/client/index.js";
import { Server } from "../../src/server/index.js";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

// protobufjs's descriptor extension, typed for what these tests use (the oracle).
interface DecodedFile {
  name: string;
  package?: string;
  dependency: string[];
  publicDependency: number[];
  messageType: DecodedMessage[];
  enumType: { name: string; value: { name: string; number: number }[] }[];
  service: { name: string; method: DecodedMethod[] }[];
  options?: { goPackage?: string };
  syntax?: string;
}
interface DecodedMessage {
  name: string;
  field: DecodedField[];
  nestedType: DecodedMessage[];
  enumType: { name: string; value: { name: string; number: number }[] }[];
  oneofDecl: { name: string }[];
  options?: { mapEntry?: boolean };
  reservedRange: { start: number; end: number }[];
  reservedName: string[];
}
interface DecodedField {
  name: string;
  number: number;
  label: number;
  type: number;
  typeName?: string;
  jsonName?: string;
  oneofIndex?: number;
  proto3Optional?: boolean;
}
interface DecodedMethod {
  name: string;
  inputType: string;
  outputType: string;
  clientStreaming?: boolean;
  serverStreaming?: boolean;
}
const ext = descriptorExt as unknown as {
  FileDescriptorProto: protobuf.Type;
  FileDescriptorSet: protobuf.Type;
};
const fromDescriptor = (protobuf.Root as unknown as { fromDescriptor(set: protobuf.Message): protobuf.Root }).fromDescriptor;

/** Byte arrays as plain number arrays, so that Buffer views and Uint8Arrays compare equal. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

function decodeFile(bytes: Uint8Array): DecodedFile {
  const msg = ext.FileDescriptorProto.decode(bytes);
  return ext.FileDescriptorProto.toObject(msg, { arrays: true, defaults: false }) as DecodedFile;
}

function rootFromFiles(files: readonly Uint8Array[]): protobuf.Root {
  const set = ext.FileDescriptorSet.create({ file: files.map((b) => ext.FileDescriptorProto.decode(b)) });
  return fromDescriptor(set);
}

const USER_FILES = ["user.proto", "grpc/health/v1/health.proto", ...REFLECTION_PROTO_FILES, "google/rpc/error_details.proto", "google/rpc/status.proto"];

/** Which file defines each symbol (grpc/reflection/v1/reflection.proto "file_containing_symbol"),
 *  all checked at once so a failure lists every wrong row. */
function expectFilesOf(pool: { fileContainingSymbol(symbol: string): string | undefined }, want: Record<string, string | undefined>): void {
  expect(Object.fromEntries(Object.keys(want).map((symbol) => [symbol, pool.fileContainingSymbol(symbol)]))).toEqual(want);
}

describe("DescriptorPool on the repository's protos", () => {
  const pool = DescriptorPool.load(USER_FILES);

  it("makes one FileDescriptorProto per real file, with its real name and imports", () => {
    expect([...pool.files.keys()].sort()).toEqual([
      "google/protobuf/any.proto",
      "google/protobuf/duration.proto",
      "google/rpc/error_details.proto",
      "google/rpc/status.proto",
      "grpc/health/v1/health.proto",
      "grpc/reflection/v1/reflection.proto",
      "grpc/reflection/v1alpha/reflection.proto",
      "user.proto",
    ]);
    const status = decodeFile(encodeFileDescriptorProto(pool.files.get("google/rpc/status.proto")!));
    expect(status.name).toBe("google/rpc/status.proto");
    expect(status.package).toBe("google.rpc");
    expect(status.dependency).toEqual(["google/protobuf/any.proto"]);
    expect(status.messageType[0].field[2]).toMatchObject({
      name: "details",
      number: 3,
      label: FieldLabel.REPEATED,
      type: FieldType.MESSAGE,
      typeName: ".google.protobuf.Any",
      jsonName: "details",
    });
    const details = decodeFile(encodeFileDescriptorProto(pool.files.get("google/rpc/error_details.proto")!));
    expect(details.dependency).toEqual(["google/protobuf/duration.proto"]);
  });

  it("describes user.proto exactly: fields, enum, service kinds, go_package, syntax", () => {
    const user = decodeFile(encodeFileDescriptorProto(pool.files.get("user.proto")!));
    expect(user).toMatchObject({ name: "user.proto", package: "user", syntax: "proto3" });
    expect(user.dependency).toEqual([]);
    expect(user.options?.goPackage).toBe("github.com/example/userservice/proto");
    const u = user.messageType.find((m) => m.name === "User")!;
    expect(u.field.map((f) => [f.name, f.number, f.type, f.typeName ?? "", f.jsonName])).toEqual([
      ["id", 1, FieldType.STRING, "", "id"],
      ["username", 2, FieldType.STRING, "", "username"],
      ["email", 3, FieldType.STRING, "", "email"],
      ["full_name", 4, FieldType.STRING, "", "fullName"],
      ["role", 5, FieldType.ENUM, ".user.Role", "role"],
      ["created_at", 6, FieldType.INT64, "", "createdAt"],
      ["updated_at", 7, FieldType.INT64, "", "updatedAt"],
    ]);
    expect(user.messageType.find((m) => m.name === "BatchCreateResponse")!.field[1]).toMatchObject({
      name: "user_ids",
      label: FieldLabel.REPEATED,
      type: FieldType.STRING,
      jsonName: "userIds",
    });
    expect(user.enumType).toMatchObject([
      {
        name: "Role",
        value: [
          { name: "ROLE_UNSPECIFIED", number: 0 },
          { name: "ROLE_USER", number: 1 },
          { name: "ROLE_ADMIN", number: 2 },
          { name: "ROLE_MODERATOR", number: 3 },
        ],
      },
    ]);
    const methods = user.service[0].method.map((m) => [m.name, m.inputType, m.outputType, m.clientStreaming ?? false, m.serverStreaming ?? false]);
    expect(user.service[0].name).toBe("UserService");
    expect(methods).toEqual([
      ["CreateUser", ".user.CreateUserRequest", ".user.User", false, false],
      ["GetUser", ".user.GetUserRequest", ".user.User", false, false],
      ["ListUsers", ".user.ListUsersRequest", ".user.User", false, true],
      ["BatchCreateUsers", ".user.CreateUserRequest", ".user.BatchCreateResponse", true, false],
      ["StreamUserUpdates", ".user.UserUpdateRequest", ".user.UserUpdateResponse", true, true],
      ["DeleteUser", ".user.DeleteUserRequest", ".user.DeleteUserResponse", false, false],
    ]);
  });

  it("rebuilds, through protobufjs, the same types as protobufjs reads from the sources", () => {
    const served = rootFromFiles([...pool.files.values()].map(encodeFileDescriptorProto));
    const source = new protobuf.Root();
    source.resolvePath = (_origin, target) => path.join(DEFAULT_PROTO_DIR, target);
    source.loadSync(USER_FILES, { keepCase: true });
    source.resolveAll();
    served.resolveAll();
    let compared = 0;
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const obj of ns.nestedArray) {
        if (obj instanceof protobuf.Type) {
          const twin = served.lookupType(obj.fullName);
          for (const f of obj.fieldsArray) {
            const g = twin.fields[f.name];
            expect(g, `${obj.fullName}.${f.name}`).toBeDefined();
            expect(g.id).toBe(f.id);
            if (f instanceof protobuf.MapField) {
              // fromDescriptor keeps maps as repeated entry messages.
              const entry = g.resolvedType as protobuf.Type;
              expect(g.repeated).toBe(true);
              expect(entry.fields.key.type).toBe(f.keyType);
              expect(entry.fields.value.resolvedType?.fullName ?? entry.fields.value.type).toBe(f.resolvedType?.fullName ?? f.type);
            } else {
              expect(g.repeated).toBe(f.repeated);
              expect(g.resolvedType?.fullName ?? g.type).toBe(f.resolvedType?.fullName ?? f.type);
            }
            compared++;
          }
          walk(obj);
        } else if (obj instanceof protobuf.Enum) {
          expect(served.lookupEnum(obj.fullName).values).toEqual(obj.values);
        } else if (obj instanceof protobuf.Service) {
          const twin = served.lookupService(obj.fullName);
          for (const m of obj.methodsArray) {
            const n = twin.methods[m.name];
            n.resolve();
            m.resolve();
            expect(n.resolvedRequestType?.fullName).toBe(m.resolvedRequestType?.fullName);
            expect(n.resolvedResponseType?.fullName).toBe(m.resolvedResponseType?.fullName);
            expect(Boolean(n.requestStream)).toBe(Boolean(m.requestStream));
            expect(Boolean(n.responseStream)).toBe(Boolean(m.responseStream));
          }
        } else if (obj instanceof protobuf.Namespace) {
          walk(obj);
        }
      }
    };
    walk(source);
    expect(compared).toBeGreaterThan(50);
  });

  it("encodes every field of the model: protobufjs decodes each file back to the same object", () => {
    // The model minus what is absent on the wire (proto2 fields left unset).
    const wireView = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value, (k, v: unknown) => (v === false && (k === "clientStreaming" || k === "serverStreaming") ? undefined : k === "syntax" && v === "" ? undefined : v)));
    for (const file of pool.files.values()) {
      const decoded = ext.FileDescriptorProto.toObject(ext.FileDescriptorProto.decode(encodeFileDescriptorProto(file)), { arrays: true, defaults: false });
      expect(decoded, file.name).toMatchObject(wireView(file) as Record<string, unknown>);
    }
  });

  it("indexes services, methods, messages, nested types, enums, enum values and fields", () => {
    expectFilesOf(pool, {
      "user.UserService": "user.proto",
      "user.UserService.CreateUser": "user.proto",
      "user.User": "user.proto",
      ".user.User": "user.proto",
      "user.Role": "user.proto",
      "user.ROLE_ADMIN": "user.proto",
      "user.User.full_name": "user.proto",
      "grpc.health.v1.HealthCheckResponse.ServingStatus": "grpc/health/v1/health.proto",
      "google.rpc.BadRequest.FieldViolation": "google/rpc/error_details.proto",
      "google.rpc.ErrorInfo.MetadataEntry": "google/rpc/error_details.proto",
      "user.Nope": undefined,
      "user": undefined,
    });
    expect(pool.withDependencies("google/rpc/status.proto")).toEqual(["google/rpc/status.proto", "google/protobuf/any.proto"]);
    expect(pool.withDependencies("missing.proto")).toEqual([]);
  });

  it("names JSON fields as protoc does", () => {
    expect(["full_name", "user_ids", "foo__bar", "a_1b", "trailing_", "Already"].map(jsonName)).toEqual([
      "fullName",
      "userIds",
      "fooBar",
      "a1b",
      "trailing",
      "Already",
    ]);
  });

  it("accepts paths inside the include dir as well as import names", () => {
    const p = DescriptorPool.load([path.join(DEFAULT_PROTO_DIR, "user.proto")]);
    expect([...p.files.keys()]).toEqual(["user.proto"]);
  });
});

describe("DescriptorPool on hand-made protos (imports, maps, oneofs, nesting)", () => {
  let dir: string;
  const write = (name: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  };
  const load = (files: string[]): DescriptorPool => DescriptorPool.load(files, { includeDirs: [dir, DEFAULT_PROTO_DIR] });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "reflection-test-"));
    write(
      "a/common.proto",
      `syntax = "proto3";
       package fx.common;
       message Money { int64 units = 1; }
       enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }`,
    );
    write("a/reexport.proto", `syntax = "proto3"; package fx.re; import public "a/common.proto";`);
    write(
      "main.proto",
      `syntax = "proto3";
       package fx;
       // import "commented/out.proto";
       import "a/reexport.proto";
       import "google/protobuf/duration.proto";
       message Outer {
         message Inner {
           enum Kind { K0 = 0; K1 = 1; }
           Kind kind = 1;
         }
         Inner inner = 1;
         repeated Inner inners = 2;
         map<string, Inner> by_name = 3;
         map<int32, fx.common.Color> colors = 4;
         oneof choice {
           string text = 5;
           common.Money money = 6;
         }
         optional int32 maybe = 7;
         google.protobuf.Duration wait = 8;
         string json_field = 9 [json_name = "customJson"];
         repeated int32 loose = 10 [packed = false];
         reserved 20, 30 to 40;
         reserved "old";
       }
       service Svc {
         rpc Up(stream Outer) returns (Outer.Inner);
       }`,
    );
    write("bad-missing.proto", `syntax = "proto3"; import "nowhere.proto";`);
    write("bad-unimported.proto", `syntax = "proto3"; package bad; message M { fx.common.Money m = 1; }`);
    write("bad-unknown.proto", `syntax = "proto3"; package bad; message M { Nope m = 1; }`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("fills dependency and public_dependency, and follows public imports for type references", () => {
    const pool = load(["main.proto"]);
    const main = decodeFile(encodeFileDescriptorProto(pool.files.get("main.proto")!));
    expect(main.dependency).toEqual(["a/reexport.proto", "google/protobuf/duration.proto"]);
    const re = decodeFile(encodeFileDescriptorProto(pool.files.get("a/reexport.proto")!));
    expect(re.dependency).toEqual(["a/common.proto"]);
    expect(re.publicDependency).toEqual([0]);
    expect(pool.withDependencies("main.proto")).toEqual(["main.proto", "a/reexport.proto", "google/protobuf/duration.proto", "a/common.proto"]);
    // Dependencies come before their dependents in `files`.
    const order = [...pool.files.keys()];
    expect(order.indexOf("a/common.proto")).toBeLessThan(order.indexOf("a/reexport.proto"));
    expect(order.indexOf("a/reexport.proto")).toBeLessThan(order.indexOf("main.proto"));
  });

  it("synthesizes map entries, orders synthetic oneofs last, resolves relative names", () => {
    const pool = load(["main.proto"]);
    const outer = decodeFile(encodeFileDescriptorProto(pool.files.get("main.proto")!)).messageType[0];
    expect(outer.nestedType.map((n) => n.name)).toEqual(["Inner", "ByNameEntry", "ColorsEntry"]);
    const colors = outer.nestedType[2];
    expect(colors.options?.mapEntry).toBe(true);
    expect(colors.field).toEqual([
      { name: "key", number: 1, label: FieldLabel.OPTIONAL, type: FieldType.INT32, jsonName: "key" },
      { name: "value", number: 2, label: FieldLabel.OPTIONAL, type: FieldType.ENUM, typeName: ".fx.common.Color", jsonName: "value" },
    ]);
    const byName = (n: string): DecodedField => outer.field.find((f) => f.name === n)!;
    expect(byName("inner")).toMatchObject({ type: FieldType.MESSAGE, typeName: ".fx.Outer.Inner", label: FieldLabel.OPTIONAL });
    expect(byName("inners")).toMatchObject({ typeName: ".fx.Outer.Inner", label: FieldLabel.REPEATED });
    expect(byName("by_name")).toMatchObject({ typeName: ".fx.Outer.ByNameEntry", label: FieldLabel.REPEATED, jsonName: "byName" });
    expect(byName("money")).toMatchObject({ typeName: ".fx.common.Money", oneofIndex: 0 });
    expect(byName("text").oneofIndex).toBe(0);
    expect(outer.oneofDecl).toEqual([{ name: "choice" }, { name: "_maybe" }]);
    expect(byName("maybe")).toMatchObject({ oneofIndex: 1, proto3Optional: true });
    expect(byName("wait").typeName).toBe(".google.protobuf.Duration");
    expect(byName("json_field").jsonName).toBe("customJson");
    expect(outer.reservedRange).toEqual([
      { start: 20, end: 21 },
      { start: 30, end: 41 },
    ]);
    expect(outer.reservedName).toEqual(["old"]);
    expect(outer.nestedType[0].field[0]).toMatchObject({ type: FieldType.ENUM, typeName: ".fx.Outer.Inner.Kind" });
    const method = decodeFile(encodeFileDescriptorProto(pool.files.get("main.proto")!)).service[0].method[0];
    expect(method).toMatchObject({ inputType: ".fx.Outer", outputType: ".fx.Outer.Inner", clientStreaming: true });
    expect(method.serverStreaming ?? false).toBe(false);
    const loose = pool.files.get("main.proto")!.messageType[0].field.find((f) => f.name === "loose")!;
    expect(loose.options).toEqual({ packed: false });
  });

  it("indexes symbols of every loaded file, nested ones included", () => {
    const pool = load(["main.proto"]);
    expectFilesOf(pool, {
      "fx.Outer.Inner.Kind": "main.proto",
      "fx.Outer.Inner.K1": "main.proto",
      "fx.Svc.Up": "main.proto",
      "fx.Outer.choice": "main.proto",
      "fx.common.RED": "a/common.proto",
      "google.protobuf.Duration": "google/protobuf/duration.proto",
    });
    expect(pool.symbolKind("fx.Svc")).toBe("service");
    expect(pool.symbolKind("fx.Outer.by_name")).toBe("field");
  });

  it("refuses a missing import, a type from a file not imported, and an unknown type", () => {
    expect(() => load(["bad-missing.proto"])).toThrow(/nowhere\.proto.*imported by bad-missing\.proto/);
    expect(() => load(["main.proto", "bad-unimported.proto"])).toThrow(/fx\.common\.Money.*does not import/);
    expect(() => load(["bad-unknown.proto"])).toThrow(/unknown type "Nope"/);
    expect(() => load(["not-there.proto"])).toThrow(/not-there\.proto/);
  });
});

describe("reflection codecs against protobufjs", () => {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(DEFAULT_PROTO_DIR, target);
  root.loadSync([...REFLECTION_PROTO_FILES], { keepCase: false });
  const PbRequest = root.lookupType("grpc.reflection.v1.ServerReflectionRequest");
  const PbResponse = root.lookupType("grpc.reflection.v1alpha.ServerReflectionResponse");
  const plain = (t: protobuf.Type, bytes: Uint8Array): Record<string, unknown> =>
    t.toObject(t.decode(bytes), { bytes: Array, arrays: true, defaults: false, oneofs: false });

  const requests: ServerReflectionRequest[] = [
    { host: "", listServices: "" },
    { host: "localhost:50051", listServices: "*" },
    { host: "", fileByFilename: "user.proto" },
    { host: "", fileContainingSymbol: "user.UserService.CreateUser" },
    { host: "h", fileContainingExtension: { containingType: "user.User", extensionNumber: 100 } },
    { host: "", allExtensionNumbersOfType: "user.User" },
    { host: "ünïcode" },
  ];

  it("encodes requests that protobufjs reads back, and decodes protobufjs's encoding", () => {
    for (const r of requests) {
      const ours = reflectionV1.request.encode(r);
      const decoded = plain(PbRequest, ours);
      const expected: Record<string, unknown> = { ...r };
      if (r.host === "") delete expected.host;
      expect(decoded).toEqual(expected);
      const theirs = PbRequest.encode(PbRequest.fromObject(r)).finish();
      expect(reflectionV1.request.decode(theirs)).toEqual(r);
    }
  });

  it("encodes every kind of response that protobufjs reads back, and decodes protobufjs's encoding", () => {
    const responses: ServerReflectionResponse[] = [
      { validHost: "", originalRequest: requests[0], listServicesResponse: { service: [{ name: "a.B" }, { name: "c.D" }] } },
      { validHost: "x", originalRequest: requests[2], fileDescriptorResponse: { fileDescriptorProto: [new Uint8Array([10, 1, 97]), new Uint8Array(0)] } },
      { validHost: "", allExtensionNumbersResponse: { baseTypeName: "user.User", extensionNumber: [100, 101, 536870911] } },
      { validHost: "", errorResponse: { errorCode: 5, errorMessage: "symbol \"x\" not found" } },
      { validHost: "" },
    ];
    for (const r of responses) {
      const ours = reflectionV1alpha.response.encode(r);
      const decoded = plain(PbResponse, ours);
      const expected = JSON.parse(
        JSON.stringify(r, (k, v: unknown) => (v instanceof Uint8Array ? [...v] : (k === "validHost" || k === "host") && v === "" ? undefined : v)),
      ) as Record<string, unknown>;
      expect(decoded).toEqual(expected);
      const back = reflectionV1alpha.response.decode(PbResponse.encode(PbResponse.fromObject(r)).finish());
      expect(normalize(back)).toEqual(normalize(r));
    }
  });

  it("keeps the last oneof member on the wire and unknown fields", () => {
    const twoMembers = Buffer.concat([reflectionV1.request.encode({ host: "", fileByFilename: "a" }), reflectionV1.request.encode({ host: "", listServices: "" })]);
    expect(reflectionV1.request.decode(twoMembers)).toEqual({ host: "", listServices: "" });
    const withUnknown = Buffer.from([0x3a, 0x00, 0xa0, 0x06, 0x01]); // list_services "" + field 100 varint 1
    const decoded = reflectionV1.request.decode(withUnknown);
    expect(decoded.listServices).toBe("");
    expect([...reflectionV1.request.encode(decoded)]).toEqual([...withUnknown]);
  });
});

describe("ReflectionService answers (no transport)", () => {
  const services = ["user.UserService", "grpc.health.v1.Health", ...REFLECTION_SERVICE_NAMES];
  const reflection = new ReflectionService(USER_FILES, services);

  it("lists the exposed services in order", () => {
    const r = reflection.answer({ host: "", listServices: "" });
    expect(r.listServicesResponse?.service.map((s) => s.name)).toEqual(services);
    expect(r.originalRequest).toEqual({ host: "", listServices: "" });
  });

  it("answers file_containing_symbol with the file and its transitive imports", () => {
    const r = reflection.answer({ host: "", fileContainingSymbol: "google.rpc.Status" });
    const names = r.fileDescriptorResponse!.fileDescriptorProto.map((b) => decodeFile(b).name);
    expect(names).toEqual(["google/rpc/status.proto", "google/protobuf/any.proto"]);
    const root = rootFromFiles(r.fileDescriptorResponse!.fileDescriptorProto);
    const status = root.lookupType("google.rpc.Status");
    status.resolveAll();
    expect(status.fields.details.resolvedType?.fullName).toBe(".google.protobuf.Any");
  });

  it("answers NOT_FOUND in error_response for unknown names and for extensions", () => {
    for (const request of [
      { host: "", fileByFilename: "nope.proto" },
      { host: "", fileContainingSymbol: "user.Nope" },
      { host: "", fileContainingExtension: { containingType: "user.User", extensionNumber: 1 } },
      { host: "", allExtensionNumbersOfType: "user.Nope" },
    ]) {
      const r = reflection.answer(request);
      expect(r.errorResponse?.errorCode).toBe(5);
      expect(r.errorResponse?.errorMessage).not.toBe("");
      expect(r.fileDescriptorResponse).toBeUndefined();
    }
    expect(reflection.answer({ host: "" }).errorResponse?.errorCode).toBe(3);
    expect(reflection.answer({ host: "", allExtensionNumbersOfType: "user.User" }).allExtensionNumbersResponse).toEqual({
      baseTypeName: "user.User",
      extensionNumber: [],
    });
  });

  it("refuses to expose a service that no loaded file defines", () => {
    expect(() => new ReflectionService(["user.proto"], ["user.NoSuchService"])).toThrow(/user\.NoSuchService/);
  });
});

describe("reflection over the wire (our server; grpc-js and our client)", () => {
  const services = ["user.UserService", "grpc.health.v1.Health", ...REFLECTION_SERVICE_NAMES];
  let server: Server;
  let port: number;
  let channel: Channel;

  beforeAll(async () => {
    const reflection = new ReflectionService(USER_FILES, services);
    server = new Server();
    server.addService(ReflectionV1Descriptor, reflection.implementation);
    server.addService(ReflectionV1alphaDescriptor, reflection.implementation);
    port = await server.listen({ port: 0 });
    channel = new Channel(`127.0.0.1:${port}`);
  });
  afterAll(async () => {
    channel.destroy();
    await server.forceShutdown();
  });

  /** Sends every request on one grpc-js stream and collects the responses in order. */
  async function grpcJsExchange(pkg: "v1" | "v1alpha", requests: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const def = protoLoader.loadSync(`grpc/reflection/${pkg}/reflection.proto`, { includeDirs: [DEFAULT_PROTO_DIR], keepCase: false, defaults: false });
    const loaded = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { reflection: Record<string, { ServerReflection: new (target: string, creds: grpc.ChannelCredentials) => grpc.Client }> };
    };
    const client = new loaded.grpc.reflection[pkg].ServerReflection(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client & {
      serverReflectionInfo(): grpc.ClientDuplexStream<Record<string, unknown>, Record<string, unknown>>;
    };
    try {
      const call = client.serverReflectionInfo();
      const responses: Record<string, unknown>[] = [];
      const ended = new Promise<void>((resolve, reject) => {
        call.on("data", (r: Record<string, unknown>) => responses.push(r));
        call.on("error", reject);
        call.on("end", resolve);
      });
      for (const r of requests) call.write(r);
      call.end();
      await ended;
      return responses;
    } finally {
      client.close();
    }
  }

  it("v1alpha through grpc-js: list, symbol lookup with imports, NOT_FOUND without ending the stream", async () => {
    const responses = await grpcJsExchange("v1alpha", [
      { listServices: "" },
      { fileContainingSymbol: "user.UserService" },
      { fileContainingSymbol: "user.DoesNotExist" },
      { fileByFilename: "google/rpc/error_details.proto" },
      { fileContainingSymbol: "grpc.health.v1.Health.Watch" },
    ]);
    expect(responses).toHaveLength(5);
    const list = responses[0].listServicesResponse as { service: { name: string }[] };
    expect(list.service.map((s) => s.name)).toEqual(services);
    const user = (responses[1].fileDescriptorResponse as { fileDescriptorProto: Buffer[] }).fileDescriptorProto.map(decodeFile);
    expect(user.map((f) => f.name)).toEqual(["user.proto"]);
    expect(user[0].service[0].method).toHaveLength(6);
    expect(responses[2].errorResponse).toMatchObject({ errorCode: 5 });
    expect((responses[2].originalRequest as { fileContainingSymbol: string }).fileContainingSymbol).toBe("user.DoesNotExist");
    const details = (responses[3].fileDescriptorResponse as { fileDescriptorProto: Buffer[] }).fileDescriptorProto.map(decodeFile);
    expect(details.map((f) => f.name)).toEqual(["google/rpc/error_details.proto", "google/protobuf/duration.proto"]);
    expect(details[0].dependency).toEqual(["google/protobuf/duration.proto"]);
    const health = (responses[4].fileDescriptorResponse as { fileDescriptorProto: Buffer[] }).fileDescriptorProto.map(decodeFile);
    expect(health[0].name).toBe("grpc/health/v1/health.proto");
  });

  it("v1 through grpc-js: what grpcurl does (symbol, then each dependency by file name) builds a usable root", async () => {
    const [first] = await grpcJsExchange("v1", [{ fileContainingSymbol: "google.rpc.Status" }]);
    const files = (first.fileDescriptorResponse as { fileDescriptorProto: Buffer[] }).fileDescriptorProto;
    const deps = decodeFile(files[0]).dependency;
    expect(deps).toEqual(["google/protobuf/any.proto"]);
    const more = await grpcJsExchange(
      "v1",
      deps.map((d) => ({ fileByFilename: d })),
    );
    const all = [files[0], ...more.flatMap((r) => (r.fileDescriptorResponse as { fileDescriptorProto: Buffer[] }).fileDescriptorProto)];
    const root = rootFromFiles(all);
    const Status = root.lookupType("google.rpc.Status");
    const bytes = Status.encode(Status.fromObject({ code: 3, message: "bad", details: [{ type_url: "type.googleapis.com/x", value: [1, 2] }] })).finish();
    expect(Status.toObject(Status.decode(bytes))).toMatchObject({ code: 3, message: "bad" });
  });

  it("v1 through our client: responses in request order on one stream", async () => {
    const client = new Client(channel);
    const m = clientMethods(ReflectionV1Descriptor);
    const call = client.bidiStreaming(m.ServerReflectionInfo);
    const requests: ServerReflectionRequest[] = [
      { host: "", fileByFilename: "user.proto" },
      { host: "", fileByFilename: "no/such.proto" },
      { host: "", fileContainingSymbol: "user.Role" },
      { host: "", fileContainingExtension: { containingType: "user.User", extensionNumber: 99 } },
      { host: "", listServices: "" },
    ];
    const writing = (async () => {
      for (const r of requests) await call.write(r);
      call.end();
    })();
    const responses: ServerReflectionResponse[] = [];
    for await (const r of call) responses.push(r);
    await writing;
    expect(responses.map((r) => r.originalRequest)).toEqual(requests);
    expect(decodeFile(responses[0].fileDescriptorResponse!.fileDescriptorProto[0]).name).toBe("user.proto");
    expect(responses[1].errorResponse?.errorCode).toBe(5);
    expect(decodeFile(responses[2].fileDescriptorResponse!.fileDescriptorProto[0]).name).toBe("user.proto");
    expect(responses[3].errorResponse?.errorCode).toBe(5);
    expect(responses[4].listServicesResponse?.service).toHaveLength(4);
  });
});
