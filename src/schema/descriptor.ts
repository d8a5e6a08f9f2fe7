// Implements google/protobuf/descriptor.proto's FileDescriptorProto and the messages it nests (package google.protobuf), as server reflection (grpc/grpc doc/server-reflection.md) sends them, declared as field tables.

import { defineMessage, type MessageOf, type MessageType } from "../codec/message.js";

/** FieldDescriptorProto.Type (descriptor.proto numbers). */
export const FieldType = {
  DOUBLE: 1,
  FLOAT: 2,
  INT64: 3,
  UINT64: 4,
  INT32: 5,
  FIXED64: 6,
  FIXED32: 7,
  BOOL: 8,
  STRING: 9,
  GROUP: 10,
  MESSAGE: 11,
  BYTES: 12,
  UINT32: 13,
  ENUM: 14,
  SFIXED32: 15,
  SFIXED64: 16,
  SINT32: 17,
  SINT64: 18,
} as const;
export type FieldType = (typeof FieldType)[keyof typeof FieldType];

/** FieldDescriptorProto.Label (descriptor.proto numbers). */
export const FieldLabel = {
  OPTIONAL: 1,
  REQUIRED: 2,
  REPEATED: 3,
} as const;
export type FieldLabel = (typeof FieldLabel)[keyof typeof FieldLabel];

// ---------------------------------------------------------------------------------------------
// Field tables (descriptor.proto field numbers). descriptor.proto is proto2: a field is written
// when it is set, even at its default (`presence: "explicit"`). The few fields this model always
// holds but protoc leaves unset at their default (`package`, `syntax`, the streaming flags) are
// declared without it, so they are written only when not the default. Repeated numbers are not
// packed in proto2.
// ---------------------------------------------------------------------------------------------

const X = "explicit" as const;

/** The FileOptions this codec writes; other options (and custom ones) are not served. */
export const FileOptionsCodec = defineMessage("google.protobuf.FileOptions", [
  { no: 1, name: "java_package", type: "string", presence: X },
  { no: 8, name: "java_outer_classname", type: "string", presence: X },
  { no: 9, name: "optimize_for", type: "enum", enum: "google.protobuf.FileOptions.OptimizeMode", presence: X },
  { no: 10, name: "java_multiple_files", type: "bool", presence: X },
  { no: 11, name: "go_package", type: "string", presence: X },
  { no: 23, name: "deprecated", type: "bool", presence: X },
  { no: 31, name: "cc_enable_arenas", type: "bool", presence: X },
  { no: 36, name: "objc_class_prefix", type: "string", presence: X },
  { no: 37, name: "csharp_namespace", type: "string", presence: X },
  { no: 41, name: "php_namespace", type: "string", presence: X },
  { no: 45, name: "ruby_package", type: "string", presence: X },
]);
export type FileOptions = MessageOf<typeof FileOptionsCodec>;

export const MessageOptionsCodec = defineMessage("google.protobuf.MessageOptions", [
  { no: 3, name: "deprecated", type: "bool", presence: X },
  { no: 7, name: "map_entry", type: "bool", presence: X }, // set on the entry type protoc synthesizes for a `map<K, V>` field
]);

export const FieldOptionsCodec = defineMessage("google.protobuf.FieldOptions", [
  { no: 2, name: "packed", type: "bool", presence: X },
  { no: 3, name: "deprecated", type: "bool", presence: X },
]);

export const EnumOptionsCodec = defineMessage("google.protobuf.EnumOptions", [
  { no: 2, name: "allow_alias", type: "bool", presence: X },
  { no: 3, name: "deprecated", type: "bool", presence: X },
]);

export const EnumValueOptionsCodec = defineMessage("google.protobuf.EnumValueOptions", [{ no: 1, name: "deprecated", type: "bool", presence: X }]);
export const ServiceOptionsCodec = defineMessage("google.protobuf.ServiceOptions", [{ no: 33, name: "deprecated", type: "bool", presence: X }]);
export const MethodOptionsCodec = defineMessage("google.protobuf.MethodOptions", [{ no: 33, name: "deprecated", type: "bool", presence: X }]);
/** EnumValueOptions, ServiceOptions and MethodOptions, of which this model writes only `deprecated`. */
type DeprecatableOptions = MessageOf<typeof MethodOptionsCodec>;

// ---- The descriptors: types written by hand, tables checked against them ----------------------
// Unlike every other message, these types are not read from their tables, for two reasons:
// DescriptorProto contains itself (`nested_type`), which TypeScript cannot read from a table that
// refers to that same type; and this is the model reflection builds, in which every descriptor has
// its name, number, label and type, while descriptor.proto declares them `optional` (so a type read
// from the table would make them optional). `defineMessage<T>` checks each table against its type:
// a row's name must be a property of T and its type must fit that property.

export interface FieldDescriptorProto {
  name: string;
  number: number;
  label: FieldLabel;
  type: FieldType;
  /** For MESSAGE and ENUM: the fully-qualified name with a leading dot, e.g. ".user.Role". */
  typeName?: string;
  /** proto2 default, in protoc's text form. */
  defaultValue?: string;
  /** Index into the containing message's `oneofDecl`. */
  oneofIndex?: number;
  jsonName?: string;
  options?: MessageOf<typeof FieldOptionsCodec>;
  /** A proto3 `optional` field (its oneof is synthetic). */
  proto3Optional?: boolean;
}

export interface OneofDescriptorProto {
  name: string;
}

/** A reserved range of field numbers, `end` exclusive (DescriptorProto.ReservedRange). */
export interface ReservedRange {
  start: number;
  end: number;
}

/** A reserved range of enum numbers, `end` inclusive (EnumDescriptorProto.EnumReservedRange). */
export interface EnumReservedRange {
  start: number;
  end: number;
}

export interface DescriptorProto {
  name: string;
  field: FieldDescriptorProto[];
  nestedType: DescriptorProto[];
  enumType: EnumDescriptorProto[];
  oneofDecl: OneofDescriptorProto[];
  options?: MessageOf<typeof MessageOptionsCodec>;
  reservedRange: ReservedRange[];
  reservedName: string[];
}

export interface EnumValueDescriptorProto {
  name: string;
  number: number;
  options?: DeprecatableOptions;
}

export interface EnumDescriptorProto {
  name: string;
  value: EnumValueDescriptorProto[];
  options?: MessageOf<typeof EnumOptionsCodec>;
  reservedRange: EnumReservedRange[];
  reservedName: string[];
}

export interface MethodDescriptorProto {
  name: string;
  /** Fully-qualified with a leading dot. */
  inputType: string;
  /** Fully-qualified with a leading dot. */
  outputType: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
  options?: DeprecatableOptions;
}

export interface ServiceDescriptorProto {
  name: string;
  method: MethodDescriptorProto[];
  options?: DeprecatableOptions;
}

export interface FileDescriptorProto {
  /** The path other files import it by, e.g. "grpc/health/v1/health.proto". */
  name: string;
  /** "" when the file has no package statement. */
  package: string;
  /** The names of the files it imports, in source order. */
  dependency: string[];
  /** Indexes into `dependency` of the `import public` ones. */
  publicDependency: number[];
  /** Indexes into `dependency` of the `import weak` ones. */
  weakDependency: number[];
  messageType: DescriptorProto[];
  enumType: EnumDescriptorProto[];
  service: ServiceDescriptorProto[];
  options?: FileOptions;
  /** "proto3", or "" for proto2 (protoc leaves the field unset then). */
  syntax: string;
}

export const FieldDescriptorProtoCodec = defineMessage<FieldDescriptorProto>("google.protobuf.FieldDescriptorProto", [
  { no: 1, name: "name", type: "string", presence: X },
  { no: 3, name: "number", type: "int32", presence: X },
  { no: 4, name: "label", type: "enum", enum: "google.protobuf.FieldDescriptorProto.Label", presence: X },
  { no: 5, name: "type", type: "enum", enum: "google.protobuf.FieldDescriptorProto.Type", presence: X },
  { no: 6, name: "type_name", type: "string", presence: X },
  { no: 7, name: "default_value", type: "string", presence: X },
  { no: 8, name: "options", type: "message", message: () => FieldOptionsCodec },
  { no: 9, name: "oneof_index", type: "int32", presence: X },
  { no: 10, name: "json_name", type: "string", presence: X },
  { no: 17, name: "proto3_optional", type: "bool" },
]);

export const OneofDescriptorProtoCodec = defineMessage<OneofDescriptorProto>("google.protobuf.OneofDescriptorProto", [
  { no: 1, name: "name", type: "string", presence: X },
]);

export const ReservedRangeCodec = defineMessage<ReservedRange>("google.protobuf.DescriptorProto.ReservedRange", [
  { no: 1, name: "start", type: "int32", presence: X },
  { no: 2, name: "end", type: "int32", presence: X },
]);

export const EnumReservedRangeCodec = defineMessage<EnumReservedRange>("google.protobuf.EnumDescriptorProto.EnumReservedRange", [
  { no: 1, name: "start", type: "int32", presence: X },
  { no: 2, name: "end", type: "int32", presence: X },
]);

export const DescriptorProtoCodec: MessageType<DescriptorProto> = defineMessage<DescriptorProto>("google.protobuf.DescriptorProto", [
  { no: 1, name: "name", type: "string", presence: X },
  { no: 2, name: "field", type: "message", repeated: true, message: () => FieldDescriptorProtoCodec },
  { no: 3, name: "nested_type", type: "message", repeated: true, message: () => DescriptorProtoCodec },
  { no: 4, name: "enum_type", type: "message", repeated: true, message: () => EnumDescriptorProtoCodec },
  { no: 7, name: "options", type: "message", message: () => MessageOptionsCodec },
  { no: 8, name: "oneof_decl", type: "message", repeated: true, message: () => OneofDescriptorProtoCodec },
  { no: 9, name: "reserved_range", type: "message", repeated: true, message: () => ReservedRangeCodec },
  { no: 10, name: "reserved_name", type: "string", repeated: true },
]);

export const EnumValueDescriptorProtoCodec = defineMessage<EnumValueDescriptorProto>("google.protobuf.EnumValueDescriptorProto", [
  { no: 1, name: "name", type: "string", presence: X },
  { no: 2, name: "number", type: "int32", presence: X },
  { no: 3, name: "options", type: "message", message: () => EnumValueOptionsCodec },
]);

export const EnumDescriptorProtoCodec = defineMessage<EnumDescriptorProto>("google.protobuf.EnumDescriptorProto", [
  { no: 1, name: "name", type: "string", presence: X },
  { no: 2, name: "value", type: "message", repeated: true, message: () => EnumValueDescriptorProtoCodec },
  { no: 3, name: "options", type: "message", message: () => EnumOptionsCodec },
  { no: 4, name: "reserved_range", type: "message", repeated: true, message: () => EnumReservedRangeCodec },
  { no: 5, name: "reserved_name", type: "string", repeated: true },
]);

export const MethodDescriptorProtoCodec = defineMessage<MethodDescriptorProto>("google.protobuf.MethodDescriptorProto", [
  { no: 1, name: "name", type: "string", presence: X },
  { no: 2, name: "input_type", type: "string", presence: X },
  { no: 3, name: "output_type", type: "string", presence: X },
  { no: 4, name: "options", type: "message", message: () => MethodOptionsCodec },
  { no: 5, name: "client_streaming", type: "bool" },
  { no: 6, name: "server_streaming", type: "bool" },
]);

export const ServiceDescriptorProtoCodec = defineMessage<ServiceDescriptorProto>("google.protobuf.ServiceDescriptorProto", [
  { no: 1, name: "name", type: "string", presence: X },
  { no: 2, name: "method", type: "message", repeated: true, message: () => MethodDescriptorProtoCodec },
  { no: 3, name: "options", type: "message", message: () => ServiceOptionsCodec },
]);

export const FileDescriptorProtoCodec = defineMessage<FileDescriptorProto>("google.protobuf.FileDescriptorProto", [
  { no: 1, name: "name", type: "string", presence: X },
  { no: 2, name: "package", type: "string" },
  { no: 3, name: "dependency", type: "string", repeated: true },
  { no: 4, name: "message_type", type: "message", repeated: true, message: () => DescriptorProtoCodec },
  { no: 5, name: "enum_type", type: "message", repeated: true, message: () => EnumDescriptorProtoCodec },
  { no: 6, name: "service", type: "message", repeated: true, message: () => ServiceDescriptorProtoCodec },
  { no: 8, name: "options", type: "message", message: () => FileOptionsCodec },
  { no: 10, name: "public_dependency", type: "int32", repeated: true, packed: false },
  { no: 11, name: "weak_dependency", type: "int32", repeated: true, packed: false },
  { no: 12, name: "syntax", type: "string" },
]);

/** Encodes a FileDescriptorProto into a Buffer of its own (it is kept for the server's lifetime). */
export function encodeFileDescriptorProto(file: FileDescriptorProto): Buffer {
  return Buffer.from(FileDescriptorProtoCodec.encode(file));
}
