// The .proto files server reflection serves (grpc/grpc doc/server-reflection.md), declared once from the field tables of src/schema: file name, package, imports, options, messages, enums, services. src/schema/file-descriptor.ts derives their FileDescriptorProtos; test/schema/files.test.ts checks them against protobufjs parsing proto/.

import { DurationCodec, DebugInfoCodec, HelpCodec, HelpLinkCodec, LocalizedMessageCodec, PreconditionFailureCodec, PreconditionViolationCodec, QuotaFailureCodec, QuotaViolationCodec, RequestInfoCodec, ResourceInfoCodec, RetryInfoCodec } from "./error-details.js";
import type { FileDecl, MessageDecl, Table } from "./file-descriptor.js";
import { AnyCodec, BadRequestCodec, ErrorInfoCodec, FieldViolationCodec, StatusCodec } from "./google-rpc.js";
import { HealthCheckRequestCodec, HealthCheckResponseCodec, ServingStatus } from "./health.js";
import { reflectionV1, reflectionV1alpha, type ReflectionCodecs } from "./reflection.js";
import * as user from "./user.js";

const m = (type: Table, nested?: Omit<MessageDecl, "type">): MessageDecl => ({ type, ...nested });

export const USER_FILE: FileDecl = {
  name: "user.proto",
  package: "user",
  dependency: [],
  options: { goPackage: "github.com/example/userservice/proto" },
  messages: [user.UserCodec, user.CreateUserRequestCodec, user.GetUserRequestCodec, user.ListUsersRequestCodec, user.BatchCreateResponseCodec,
    user.UserUpdateRequestCodec, user.UserUpdateResponseCodec, user.DeleteUserRequestCodec, user.DeleteUserResponseCodec].map((c) => m(c)),
  enums: [{ name: "Role", values: user.Role }],
  services: [{
    name: "UserService",
    methods: [
      { name: "CreateUser", input: user.CreateUserRequestCodec, output: user.UserCodec },
      { name: "GetUser", input: user.GetUserRequestCodec, output: user.UserCodec },
      { name: "ListUsers", input: user.ListUsersRequestCodec, output: user.UserCodec, serverStreaming: true },
      { name: "BatchCreateUsers", input: user.CreateUserRequestCodec, output: user.BatchCreateResponseCodec, clientStreaming: true },
      { name: "StreamUserUpdates", input: user.UserUpdateRequestCodec, output: user.UserUpdateResponseCodec, clientStreaming: true, serverStreaming: true },
      { name: "DeleteUser", input: user.DeleteUserRequestCodec, output: user.DeleteUserResponseCodec },
    ],
  }],
};

export const HEALTH_FILE: FileDecl = {
  name: "grpc/health/v1/health.proto",
  package: "grpc.health.v1",
  dependency: [],
  options: { goPackage: "google.golang.org/grpc/health/grpc_health_v1" },
  messages: [m(HealthCheckRequestCodec), m(HealthCheckResponseCodec, { enums: [{ name: "ServingStatus", values: ServingStatus }] })],
  services: [{
    name: "Health",
    methods: [
      { name: "Check", input: HealthCheckRequestCodec, output: HealthCheckResponseCodec },
      { name: "Watch", input: HealthCheckRequestCodec, output: HealthCheckResponseCodec, serverStreaming: true },
    ],
  }],
};

function reflectionFile(version: "v1" | "v1alpha", c: ReflectionCodecs): FileDecl {
  return {
    name: `grpc/reflection/${version}/reflection.proto`,
    package: `grpc.reflection.${version}`,
    dependency: [],
    options: { goPackage: `google.golang.org/grpc/reflection/grpc_reflection_${version}` },
    messages: [c.request, c.extensionRequest, c.response, c.fileDescriptorResponse, c.extensionNumberResponse, c.listServiceResponse,
      c.serviceResponse, c.errorResponse].map((x) => m(x)),
    services: [{
      name: "ServerReflection",
      methods: [{ name: "ServerReflectionInfo", input: c.request, output: c.response, clientStreaming: true, serverStreaming: true }],
    }],
  };
}

export const REFLECTION_V1_FILE = reflectionFile("v1", reflectionV1);
export const REFLECTION_V1ALPHA_FILE = reflectionFile("v1alpha", reflectionV1alpha);

/** A file of protobuf's well-known types with one message: `google/protobuf/<stem>.proto`, with its file options. */
function wellKnownFile(stem: string, type: Table): FileDecl {
  return {
    name: `google/protobuf/${stem}.proto`,
    package: "google.protobuf",
    dependency: [],
    options: {
      javaPackage: "com.google.protobuf",
      javaOuterClassname: `${stem[0].toUpperCase()}${stem.slice(1)}Proto`,
      javaMultipleFiles: true,
      goPackage: `google.golang.org/protobuf/types/known/${stem}pb`,
      objcClassPrefix: "GPB",
      csharpNamespace: "Google.Protobuf.WellKnownTypes",
    },
    messages: [m(type)],
  };
}

export const ANY_FILE = wellKnownFile("any", AnyCodec);
export const DURATION_FILE = wellKnownFile("duration", DurationCodec);

const rpcOptions = (outer: string, go: string) => ({
  javaPackage: "com.google.rpc",
  javaOuterClassname: outer,
  javaMultipleFiles: true,
  goPackage: go,
  objcClassPrefix: "RPC",
});

export const STATUS_FILE: FileDecl = {
  name: "google/rpc/status.proto",
  package: "google.rpc",
  dependency: ["google/protobuf/any.proto"],
  options: rpcOptions("StatusProto", "google.golang.org/genproto/googleapis/rpc/status;status"),
  messages: [m(StatusCodec)],
};

export const ERROR_DETAILS_FILE: FileDecl = {
  name: "google/rpc/error_details.proto",
  package: "google.rpc",
  dependency: ["google/protobuf/duration.proto"],
  options: rpcOptions("ErrorDetailsProto", "google.golang.org/genproto/googleapis/rpc/errdetails;errdetails"),
  messages: [
    m(ErrorInfoCodec),
    m(RetryInfoCodec),
    m(DebugInfoCodec),
    m(QuotaFailureCodec, { nested: [m(QuotaViolationCodec)] }),
    m(PreconditionFailureCodec, { nested: [m(PreconditionViolationCodec)] }),
    m(BadRequestCodec, { nested: [m(FieldViolationCodec)] }),
    m(RequestInfoCodec),
    m(ResourceInfoCodec),
    m(HelpCodec, { nested: [m(HelpLinkCodec)] }),
    m(LocalizedMessageCodec),
  ],
};

/** Every declared file, each after the files it imports. */
export const DECLARED_FILES: readonly FileDecl[] = [
  USER_FILE, HEALTH_FILE, REFLECTION_V1_FILE, REFLECTION_V1ALPHA_FILE, ANY_FILE, DURATION_FILE, STATUS_FILE, ERROR_DETAILS_FILE,
];
