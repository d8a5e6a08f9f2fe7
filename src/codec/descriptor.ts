// Implements the encoding of google/protobuf/descriptor.proto's FileDescriptorProto and the messages it nests (protobuf.dev "Encoding"), as server reflection sends them.

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

/** FileOptions.OptimizeMode. */
export const OptimizeMode = {
  SPEED: 1,
  CODE_SIZE: 2,
  LITE_RUNTIME: 3,
} as const;
export type OptimizeMode = (typeof OptimizeMode)[keyof typeof OptimizeMode];

/** The FileOptions this codec writes; other options (and custom ones) are not served. */
export interface FileOptions {
  javaPackage?: string;
  javaOuterClassname?: string;
  optimizeFor?: OptimizeMode;
  javaMultipleFiles?: boolean;
  goPackage?: string;
  deprecated?: boolean;
  ccEnableArenas?: boolean;
  objcClassPrefix?: string;
  csharpNamespace?: string;
  phpNamespace?: string;
  rubyPackage?: string;
}

export interface MessageOptions {
  deprecated?: boolean;
  /** Set on the entry type protoc synthesizes for a `map<K, V>` field. */
  mapEntry?: boolean;
}

export interface FieldOptions {
  packed?: boolean;
  deprecated?: boolean;
}

export interface EnumOptions {
  allowAlias?: boolean;
  deprecated?: boolean;
}

export interface DeprecatableOptions {
  deprecated?: boolean;
}

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
  options?: FieldOptions;
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
  options?: MessageOptions;
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
  options?: EnumOptions;
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
