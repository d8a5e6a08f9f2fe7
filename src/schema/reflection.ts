// Implements the messages of grpc/grpc doc/server-reflection.md (packages grpc.reflection.v1 and v1alpha, proto/grpc/reflection/*/reflection.proto), declared as field tables.

import { defineMessage, type MessageOf } from "../codec/message.js";

// v1 and v1alpha have the same messages and field numbers; only the package name differs, so the
// tables are declared once, in `messagesOf(pkg)`. A oneof (`message_request`, `message_response`)
// is flattened as protobufjs does it: at most one of its optional fields is set (decoding keeps
// the last one on the wire).
function messagesOf(pkg: string) {
  const extensionRequest = defineMessage(`${pkg}.ExtensionRequest`, [
    { no: 1, name: "containing_type", type: "string" },
    { no: 2, name: "extension_number", type: "int32" },
  ]);
  const request = defineMessage(`${pkg}.ServerReflectionRequest`, [
    { no: 1, name: "host", type: "string" },
    { no: 3, name: "file_by_filename", type: "string", oneof: "message_request" },
    { no: 4, name: "file_containing_symbol", type: "string", oneof: "message_request" },
    { no: 5, name: "file_containing_extension", type: "message", message: () => extensionRequest, oneof: "message_request" },
    { no: 6, name: "all_extension_numbers_of_type", type: "string", oneof: "message_request" },
    { no: 7, name: "list_services", type: "string", oneof: "message_request" },
  ]);
  const fileDescriptorResponse = defineMessage(`${pkg}.FileDescriptorResponse`, [
    { no: 1, name: "file_descriptor_proto", type: "bytes", repeated: true }, // each an encoded google.protobuf.FileDescriptorProto
  ]);
  const extensionNumberResponse = defineMessage(`${pkg}.ExtensionNumberResponse`, [
    { no: 1, name: "base_type_name", type: "string" },
    { no: 2, name: "extension_number", type: "int32", repeated: true },
  ]);
  const serviceResponse = defineMessage(`${pkg}.ServiceResponse`, [{ no: 1, name: "name", type: "string" }]);
  const listServiceResponse = defineMessage(`${pkg}.ListServiceResponse`, [
    { no: 1, name: "service", type: "message", repeated: true, message: () => serviceResponse },
  ]);
  const errorResponse = defineMessage(`${pkg}.ErrorResponse`, [
    { no: 1, name: "error_code", type: "int32" }, // a grpc status code, for one request of the stream
    { no: 2, name: "error_message", type: "string" },
  ]);
  const response = defineMessage(`${pkg}.ServerReflectionResponse`, [
    { no: 1, name: "valid_host", type: "string" },
    { no: 2, name: "original_request", type: "message", message: () => request },
    { no: 4, name: "file_descriptor_response", type: "message", message: () => fileDescriptorResponse, oneof: "message_response" },
    { no: 5, name: "all_extension_numbers_response", type: "message", message: () => extensionNumberResponse, oneof: "message_response" },
    { no: 6, name: "list_services_response", type: "message", message: () => listServiceResponse, oneof: "message_response" },
    { no: 7, name: "error_response", type: "message", message: () => errorResponse, oneof: "message_response" },
  ]);
  return { request, response, extensionRequest, fileDescriptorResponse, extensionNumberResponse, listServiceResponse, serviceResponse, errorResponse };
}

/** The codecs of one reflection package. */
export type ReflectionCodecs = ReturnType<typeof messagesOf>;
export type ServerReflectionRequest = MessageOf<ReflectionCodecs["request"]>;
export type ServerReflectionResponse = MessageOf<ReflectionCodecs["response"]>;
export type FileDescriptorResponse = MessageOf<ReflectionCodecs["fileDescriptorResponse"]>;

/** grpc.reflection.v1 */
export const reflectionV1: ReflectionCodecs = messagesOf("grpc.reflection.v1");
/** grpc.reflection.v1alpha (same wire format as v1) */
export const reflectionV1alpha: ReflectionCodecs = messagesOf("grpc.reflection.v1alpha");
