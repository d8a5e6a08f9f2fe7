// Derives google.protobuf.FileDescriptorProto (protobuf descriptor.proto; for grpc/grpc doc/server-reflection.md) from a file declared in src/schema: the message field tables, enums and services, with no .proto parsing.

import type { MessageType } from "../codec/message.js";
import type { FieldDecl, ScalarType } from "../codec/fields.js";
import {
  FieldLabel,
  FieldType,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
  type FileOptions,
  type MethodDescriptorProto,
} from "./descriptor.js";

/** What the builder reads of a message: its full name and its field table (any {@link MessageType}). */
export type Table = Pick<MessageType<unknown>, "typeName" | "fields">;

/** A message of a declared file: its table, and the messages and enums nested in it (source order). */
export interface MessageDecl {
  readonly type: Table;
  readonly nested?: readonly MessageDecl[];
  readonly enums?: readonly EnumDecl[];
}

/** An enum: its simple name and its values in source order (e.g. `Role` of src/schema/user.ts). */
export interface EnumDecl {
  readonly name: string;
  readonly values: Readonly<Record<string, number>>;
}

export interface MethodDecl {
  readonly name: string;
  readonly input: Table;
  readonly output: Table;
  readonly clientStreaming?: true;
  readonly serverStreaming?: true;
}

export interface ServiceDecl {
  readonly name: string;
  readonly methods: readonly MethodDecl[];
}

/** One .proto file, as declared in src/schema (proto3 only). */
export interface FileDecl {
  /** The path other files import it by, e.g. "grpc/health/v1/health.proto". */
  readonly name: string;
  readonly package: string;
  /** Imported files, in source order (plain imports only). */
  readonly dependency: readonly string[];
  readonly options?: FileOptions;
  readonly messages: readonly MessageDecl[];
  readonly enums?: readonly EnumDecl[];
  readonly services?: readonly ServiceDecl[];
}

/** protobuf scalar type names → FieldDescriptorProto.Type numbers (descriptor.proto). */
export const SCALAR_FIELD_TYPES: Readonly<Record<ScalarType, FieldType>> = {
  double: FieldType.DOUBLE,
  float: FieldType.FLOAT,
  int64: FieldType.INT64,
  uint64: FieldType.UINT64,
  int32: FieldType.INT32,
  fixed64: FieldType.FIXED64,
  fixed32: FieldType.FIXED32,
  bool: FieldType.BOOL,
  string: FieldType.STRING,
  bytes: FieldType.BYTES,
  uint32: FieldType.UINT32,
  sfixed32: FieldType.SFIXED32,
  sfixed64: FieldType.SFIXED64,
  sint32: FieldType.SINT32,
  sint64: FieldType.SINT64,
};

/** protoc's default json_name: "full_name" → "fullName". */
export function jsonName(field: string): string {
  let out = "";
  let upper = false;
  for (const c of field) {
    if (c === "_") upper = true;
    else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

/** protoc's name for the entry type of a map field: "user_ids" → "UserIdsEntry". */
function mapEntryName(field: string): string {
  return field.replace(/(?:^|_)([a-z0-9]?)/g, (_m, c: string) => c.toUpperCase()) + "Entry";
}

function simpleName(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf(".") + 1);
}

function scalarField(name: string, no: number, type: ScalarType): FieldDescriptorProto {
  return { name, number: no, label: FieldLabel.OPTIONAL, type: SCALAR_FIELD_TYPES[type], jsonName: jsonName(name) };
}

function enumDescriptor(e: EnumDecl): EnumDescriptorProto {
  return { name: e.name, value: Object.entries(e.values).map(([name, number]) => ({ name, number })), reservedRange: [], reservedName: [] };
}

function messageDescriptor(m: MessageDecl): DescriptorProto {
  const full = m.type.typeName;
  const decls: readonly FieldDecl[] = m.type.fields;
  const out: DescriptorProto = {
    name: simpleName(full),
    field: [],
    nestedType: (m.nested ?? []).map(messageDescriptor),
    enumType: (m.enums ?? []).map(enumDescriptor),
    oneofDecl: [],
    reservedRange: [],
    reservedName: [],
  };
  // protoc lists real oneofs first (in order of first member), then the synthetic ones of proto3 `optional` fields.
  const real = [...new Set(decls.flatMap((d) => (d.oneof === undefined ? [] : [d.oneof])))];
  const synthetic = decls.filter((d) => d.oneof === undefined && d.presence === "explicit" && !d.repeated && d.type !== "message");
  const oneofs = [...real, ...synthetic.map((d) => `_${d.name}`)];
  out.oneofDecl = oneofs.map((name) => ({ name }));
  for (const d of decls) {
    const fd = scalarField(d.name, d.no, "string");
    if (d.repeated || d.type === "map") fd.label = FieldLabel.REPEATED;
    if (d.type === "map") {
      const entry = mapEntryName(d.name);
      const value = scalarField("value", 2, d.value ?? "string");
      out.nestedType.push({
        name: entry,
        field: [scalarField("key", 1, d.key ?? "string"), value],
        nestedType: [],
        enumType: [],
        oneofDecl: [],
        reservedRange: [],
        reservedName: [],
        options: { mapEntry: true },
      });
      fd.type = FieldType.MESSAGE;
      fd.typeName = `.${full}.${entry}`;
    } else if (d.type === "message") {
      fd.type = FieldType.MESSAGE;
      fd.typeName = `.${d.message!().typeName}`;
    } else if (d.type === "enum") {
      fd.type = FieldType.ENUM;
      fd.typeName = `.${d.enum!}`;
    } else {
      fd.type = SCALAR_FIELD_TYPES[d.type];
    }
    if (d.oneof !== undefined) fd.oneofIndex = oneofs.indexOf(d.oneof);
    else if (synthetic.includes(d)) {
      fd.oneofIndex = oneofs.indexOf(`_${d.name}`);
      fd.proto3Optional = true;
    }
    if (d.packed === false) fd.options = { packed: false };
    out.field.push(fd);
  }
  return out;
}

function methodDescriptor(m: MethodDecl): MethodDescriptorProto {
  return {
    name: m.name,
    inputType: `.${m.input.typeName}`,
    outputType: `.${m.output.typeName}`,
    clientStreaming: m.clientStreaming === true,
    serverStreaming: m.serverStreaming === true,
  };
}

/** The FileDescriptorProto protoc would produce for `file` (without source info or custom options). */
export function fileDescriptor(file: FileDecl): FileDescriptorProto {
  const out: FileDescriptorProto = {
    name: file.name,
    package: file.package,
    dependency: [...file.dependency],
    publicDependency: [],
    weakDependency: [],
    messageType: file.messages.map(messageDescriptor),
    enumType: (file.enums ?? []).map(enumDescriptor),
    service: (file.services ?? []).map((s) => ({ name: s.name, method: s.methods.map(methodDescriptor) })),
    syntax: "proto3",
  };
  if (file.options) out.options = { ...file.options };
  return out;
}
