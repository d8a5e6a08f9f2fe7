// Implements the messages of grpc/grpc doc/server-reflection.md (packages grpc.reflection.v1 and v1alpha, proto/grpc/reflection/*/reflection.proto), declared as field tables.

import { defineMessage, type MessageType } from "../codec/message.js";

// v1 and v1alpha have the same messages and field numbers; only the package name differs, so the
// tables are declared once, in `messagesOf(pkg)`.

/** ExtensionRequest */
export interface ExtensionRequest {
  containingType: string;
  extensionNumber: number;
  $unknown?: Uint8Array;
}

/**
 * ServerReflectionRequest. The `message_request` oneof is flattened as protobufjs does it: at most
 * one of the optional fields is set (decoding keeps the last one on the wire).
 */
export interface ServerReflectionRequest {
  host: string;
  fileByFilename?: string;
  fileContainingSymbol?: string;
  fileContainingExtension?: ExtensionRequest;
  allExtensionNumbersOfType?: string;
  listServices?: string;
  $unknown?: Uint8Array;
}

/** FileDescriptorResponse: each item is an encoded google.protobuf.FileDescriptorProto. */
export interface FileDescriptorResponse {
  fileDescriptorProto: Uint8Array[];
  $unknown?: Uint8Array;
}

/** ExtensionNumberResponse */
export interface ExtensionNumberResponse {
  baseTypeName: string;
  extensionNumber: number[];
  $unknown?: Uint8Array;
}

/** ServiceResponse */
export interface ServiceResponse {
  name: string;
  $unknown?: Uint8Array;
}

/** ListServiceResponse */
export interface ListServiceResponse {
  service: ServiceResponse[];
  $unknown?: Uint8Array;
}

/** ErrorResponse: a grpc status code and message for one request of the stream. */
export interface ErrorResponse {
  errorCode: number;
  errorMessage: string;
  $unknown?: Uint8Array;
}

/** ServerReflectionResponse; the `message_response` oneof is flattened like the request's. */
export interface ServerReflectionResponse {
  validHost: string;
  originalRequest?: ServerReflectionRequest;
  fileDescriptorResponse?: FileDescriptorResponse;
  allExtensionNumbersResponse?: ExtensionNumberResponse;
  listServicesResponse?: ListServiceResponse;
  errorResponse?: ErrorResponse;
  $unknown?: Uint8Array;
}

/** The codecs of one reflection package. */
export interface ReflectionCodecs {
  readonly request: MessageType<ServerReflectionRequest>;
  readonly response: MessageType<ServerReflectionResponse>;
  readonly extensionRequest: MessageType<ExtensionRequest>;
  readonly fileDescriptorResponse: MessageType<FileDescriptorResponse>;
  readonly extensionNumberResponse: MessageType<ExtensionNumberResponse>;
  readonly listServiceResponse: MessageType<ListServiceResponse>;
  readonly serviceResponse: MessageType<ServiceResponse>;
  readonly errorResponse: MessageType<ErrorResponse>;
}

function messagesOf(pkg: string): ReflectionCodecs {
  const extensionRequest = defineMessage<ExtensionRequest>(`${pkg}.ExtensionRequest`, [
    { no: 1, name: "containing_type", type: "string" },
    { no: 2, name: "extension_number", type: "int32" },
  ]);
  const request = defineMessage<ServerReflectionRequest>(`${pkg}.ServerReflectionRequest`, [
    { no: 1, name: "host", type: "string" },
    { no: 3, name: "file_by_filename", type: "string", oneof: "message_request" },
    { no: 4, name: "file_containing_symbol", type: "string", oneof: "message_request" },
    { no: 5, name: "file_containing_extension", type: "message", message: () => extensionRequest, oneof: "message_request" },
    { no: 6, name: "all_extension_numbers_of_type", type: "string", oneof: "message_request" },
    { no: 7, name: "list_services", type: "string", oneof: "message_request" },
  ]);
  const fileDescriptorResponse = defineMessage<FileDescriptorResponse>(`${pkg}.FileDescriptorResponse`, [
    { no: 1, name: "file_descriptor_proto", type: "bytes", repeated: true },
  ]);
  const extensionNumberResponse = defineMessage<ExtensionNumberResponse>(`${pkg}.ExtensionNumberResponse`, [
    { no: 1, name: "base_type_name", type: "string" },
    { no: 2, name: "extension_number", type: "int32", repeated: true },
  ]);
  const serviceResponse = defineMessage<ServiceResponse>(`${pkg}.ServiceResponse`, [{ no: 1, name: "name", type: "string" }]);
  const listServiceResponse = defineMessage<ListServiceResponse>(`${pkg}.ListServiceResponse`, [
    { no: 1, name: "service", type: "message", repeated: true, message: () => serviceResponse },
  ]);
  const errorResponse = defineMessage<ErrorResponse>(`${pkg}.ErrorResponse`, [
    { no: 1, name: "error_code", type: "int32" },
    { no: 2, name: "error_message", type: "string" },
  ]);
  const response = defineMessage<ServerReflectionResponse>(`${pkg}.ServerReflectionResponse`, [
    { no: 1, name: "valid_host", type: "string" },
    { no: 2, name: "original_request", type: "message", message: () => request },
    { no: 4, name: "file_descriptor_response", type: "message", message: () => fileDescriptorResponse, oneof: "message_response" },
    { no: 5, name: "all_extension_numbers_response", type: "message", message: () => extensionNumberResponse, oneof: "message_response" },
    { no: 6, name: "list_services_response", type: "message", message: () => listServiceResponse, oneof: "message_response" },
    { no: 7, name: "error_response", type: "message", message: () => errorResponse, oneof: "message_response" },
  ]);
  return { request, response, extensionRequest, fileDescriptorResponse, extensionNumberResponse, listServiceResponse, serviceResponse, errorResponse };
}

/** grpc.reflection.v1 */
export const reflectionV1: ReflectionCodecs = messagesOf("grpc.reflection.v1");
/** grpc.reflection.v1alpha (same wire format as v1) */
export const reflectionV1alpha: ReflectionCodecs = messagesOf("grpc.reflection.v1alpha");
