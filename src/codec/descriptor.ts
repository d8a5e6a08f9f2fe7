// Implements protobuf.dev "Encoding" of google/protobuf/descriptor.proto's FileDescriptorProto and the messages it nests, as server reflection (grpc/grpc doc/server-reflection.md) sends them.

import { WireType } from "./wire-types.js";
import { Writer, sizeInt32, sizeString, sizeTag, sizeVarint32 } from "./writer.js";

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

// ---------------------------------------------------------------------------------------------
// Encoding. Descriptors are encoded once, when the reflection service starts, so one field walk
// (`emit*` below) serves both sizing and writing through a {@link Sink}.
// descriptor.proto is proto2: a field is written when it is set, even at its default value.
// ---------------------------------------------------------------------------------------------

interface Sink {
  string(field: number, s: string): void;
  varint(field: number, n: number): void;
  bool(field: number, b: boolean): void;
  message<T>(field: number, emit: (m: T, sink: Sink) => void, m: T): void;
}

class SizeSink implements Sink {
  n = 0;
  string(field: number, s: string): void {
    this.n += sizeTag(field) + sizeString(s);
  }
  varint(field: number, n: number): void {
    this.n += sizeTag(field) + sizeInt32(n);
  }
  bool(field: number): void {
    this.n += sizeTag(field) + 1;
  }
  message<T>(field: number, emit: (m: T, sink: Sink) => void, m: T): void {
    const size = sizeOf(emit, m);
    this.n += sizeTag(field) + sizeVarint32(size) + size;
  }
}

class WriteSink implements Sink {
  constructor(readonly w: Writer) {}
  string(field: number, s: string): void {
    this.w.tag(field, WireType.LEN).string(s);
  }
  varint(field: number, n: number): void {
    this.w.tag(field, WireType.VARINT).int32(n);
  }
  bool(field: number, b: boolean): void {
    this.w.tag(field, WireType.VARINT).bool(b);
  }
  message<T>(field: number, emit: (m: T, sink: Sink) => void, m: T): void {
    this.w.tag(field, WireType.LEN).uint32(sizeOf(emit, m));
    emit(m, this);
  }
}

function sizeOf<T>(emit: (m: T, sink: Sink) => void, m: T): number {
  const s = new SizeSink();
  emit(m, s);
  return s.n;
}

const optString = (sink: Sink, field: number, s: string | undefined): void => {
  if (s !== undefined) sink.string(field, s);
};
const optBool = (sink: Sink, field: number, b: boolean | undefined): void => {
  if (b !== undefined) sink.bool(field, b);
};

// FileOptions field numbers (descriptor.proto).
function emitFileOptions(o: FileOptions, sink: Sink): void {
  optString(sink, 1, o.javaPackage);
  optString(sink, 8, o.javaOuterClassname);
  if (o.optimizeFor !== undefined) sink.varint(9, o.optimizeFor);
  optBool(sink, 10, o.javaMultipleFiles);
  optString(sink, 11, o.goPackage);
  optBool(sink, 23, o.deprecated);
  optBool(sink, 31, o.ccEnableArenas);
  optString(sink, 36, o.objcClassPrefix);
  optString(sink, 37, o.csharpNamespace);
  optString(sink, 41, o.phpNamespace);
  optString(sink, 45, o.rubyPackage);
}

function emitMessageOptions(o: MessageOptions, sink: Sink): void {
  optBool(sink, 3, o.deprecated);
  optBool(sink, 7, o.mapEntry);
}

function emitFieldOptions(o: FieldOptions, sink: Sink): void {
  optBool(sink, 2, o.packed);
  optBool(sink, 3, o.deprecated);
}

function emitEnumOptions(o: EnumOptions, sink: Sink): void {
  optBool(sink, 2, o.allowAlias);
  optBool(sink, 3, o.deprecated);
}

/** EnumValueOptions.deprecated is field 1. */
function emitEnumValueOptions(o: DeprecatableOptions, sink: Sink): void {
  optBool(sink, 1, o.deprecated);
}

/** ServiceOptions and MethodOptions both have `deprecated` = 33. */
function emitServiceOrMethodOptions(o: DeprecatableOptions, sink: Sink): void {
  optBool(sink, 33, o.deprecated);
}

function emitField(f: FieldDescriptorProto, sink: Sink): void {
  sink.string(1, f.name);
  sink.varint(3, f.number);
  sink.varint(4, f.label);
  sink.varint(5, f.type);
  optString(sink, 6, f.typeName);
  optString(sink, 7, f.defaultValue);
  if (f.options) sink.message(8, emitFieldOptions, f.options);
  if (f.oneofIndex !== undefined) sink.varint(9, f.oneofIndex);
  optString(sink, 10, f.jsonName);
  if (f.proto3Optional) sink.bool(17, true);
}

function emitOneof(o: OneofDescriptorProto, sink: Sink): void {
  sink.string(1, o.name);
}

function emitRange(r: ReservedRange | EnumReservedRange, sink: Sink): void {
  sink.varint(1, r.start);
  sink.varint(2, r.end);
}

function emitMessage(m: DescriptorProto, sink: Sink): void {
  sink.string(1, m.name);
  for (const f of m.field) sink.message(2, emitField, f);
  for (const n of m.nestedType) sink.message(3, emitMessage, n);
  for (const e of m.enumType) sink.message(4, emitEnum, e);
  if (m.options) sink.message(7, emitMessageOptions, m.options);
  for (const o of m.oneofDecl) sink.message(8, emitOneof, o);
  for (const r of m.reservedRange) sink.message(9, emitRange, r);
  for (const n of m.reservedName) sink.string(10, n);
}

function emitEnumValue(v: EnumValueDescriptorProto, sink: Sink): void {
  sink.string(1, v.name);
  sink.varint(2, v.number);
  if (v.options) sink.message(3, emitEnumValueOptions, v.options);
}

function emitEnum(e: EnumDescriptorProto, sink: Sink): void {
  sink.string(1, e.name);
  for (const v of e.value) sink.message(2, emitEnumValue, v);
  if (e.options) sink.message(3, emitEnumOptions, e.options);
  for (const r of e.reservedRange) sink.message(4, emitRange, r);
  for (const n of e.reservedName) sink.string(5, n);
}

function emitMethod(m: MethodDescriptorProto, sink: Sink): void {
  sink.string(1, m.name);
  sink.string(2, m.inputType);
  sink.string(3, m.outputType);
  if (m.options) sink.message(4, emitServiceOrMethodOptions, m.options);
  if (m.clientStreaming) sink.bool(5, true);
  if (m.serverStreaming) sink.bool(6, true);
}

function emitService(s: ServiceDescriptorProto, sink: Sink): void {
  sink.string(1, s.name);
  for (const m of s.method) sink.message(2, emitMethod, m);
  if (s.options) sink.message(3, emitServiceOrMethodOptions, s.options);
}

function emitFile(f: FileDescriptorProto, sink: Sink): void {
  sink.string(1, f.name);
  if (f.package) sink.string(2, f.package);
  for (const d of f.dependency) sink.string(3, d);
  for (const m of f.messageType) sink.message(4, emitMessage, m);
  for (const e of f.enumType) sink.message(5, emitEnum, e);
  for (const s of f.service) sink.message(6, emitService, s);
  if (f.options) sink.message(8, emitFileOptions, f.options);
  for (const i of f.publicDependency) sink.varint(10, i);
  for (const i of f.weakDependency) sink.varint(11, i);
  if (f.syntax) sink.string(12, f.syntax);
}

/** Encodes a FileDescriptorProto (google/protobuf/descriptor.proto field numbers) into one exact-size Buffer. */
export function encodeFileDescriptorProto(file: FileDescriptorProto): Buffer {
  const buf = Buffer.allocUnsafe(sizeOf(emitFile, file));
  const w = new Writer(buf, 0);
  emitFile(file, new WriteSink(w));
  if (w.pos !== buf.length) throw new Error(`FileDescriptorProto ${file.name}: wrote ${w.pos} bytes, sized ${buf.length}`);
  return buf;
}
