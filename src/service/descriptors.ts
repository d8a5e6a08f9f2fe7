// Builds one google.protobuf.FileDescriptorProto per real .proto file for server reflection
// (grpc/grpc doc/server-reflection.md). protobufjs only parses each file; names, imports and type
// references are resolved here. protobufjs's own `toDescriptor` merges files per package and drops
// `dependency`, which breaks grpcurl on imports (grpc-node #2595, #3018): this module exists to avoid that.

import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as protobuf from "protobufjs";
import { FieldLabel, FieldType } from "../schema/descriptor.js";
import type { DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto, FileOptions, ServiceDescriptorProto } from "../schema/descriptor.js";
import { SCALAR_FIELD_TYPES, jsonName } from "../schema/file-descriptor.js";
import { DescriptorSet, type SymbolKind } from "./descriptor-set.js";

export type { SymbolKind };

// protobufjs is loaded on first use only (a synchronous require of its CommonJS build): servers
// that serve only the files declared in src/schema/files.ts never load it (docs/REFLECTION.md).
let protobufjs: typeof protobuf | undefined;
function pb(): typeof protobuf {
  protobufjs ??= createRequire(import.meta.url)("protobufjs") as typeof protobuf;
  return protobufjs;
}

/** The repository's `proto/` directory: where `import "grpc/health/v1/health.proto"` is looked up by default. */
export const DEFAULT_PROTO_DIR = fileURLToPath(new URL("../../proto/", import.meta.url));

export interface LoadOptions {
  /** Directories imports are relative to, searched in order (like protoc's `-I`). Default: {@link DEFAULT_PROTO_DIR}. */
  includeDirs?: readonly string[];
}


interface ParsedFile {
  name: string;
  pkg: string;
  syntax: "proto2" | "proto3";
  imports: { name: string; kind: "plain" | "public" | "weak" }[];
  /** The namespace the package statement opened (holds the file options and the top-level definitions). */
  top: protobuf.Namespace;
}

/** protobuf scalar names → FieldDescriptorProto.Type (one table, shared with the declared files). */
const SCALARS: Readonly<Record<string, FieldType | undefined>> = SCALAR_FIELD_TYPES;

/** Every file of a set of .proto files and their imports, as descriptors, with a symbol index. */
export class DescriptorPool extends DescriptorSet {
  private constructor(files: ReadonlyMap<string, FileDescriptorProto>) {
    super(files);
  }

  /**
   * Parses `files` and, transitively, everything they import. A file is named by its path relative
   * to an include dir ("user.proto"); a path that lies inside an include dir ("proto/user.proto",
   * or absolute) is accepted too. Throws on a missing import or an unresolvable type reference.
   */
  static load(files: readonly string[], options: LoadOptions = {}): DescriptorPool {
    const includeDirs = (options.includeDirs ?? [DEFAULT_PROTO_DIR]).map((d) => path.resolve(d));
    const parsed = new Map<string, ParsedFile>();
    const order: string[] = [];
    const visit = (name: string, stack: readonly string[]): void => {
      if (stack.includes(name)) throw new Error(`import cycle: ${[...stack, name].join(" -> ")}`);
      if (parsed.has(name)) return;
      const file = parseFile(name, locate(name, includeDirs, stack[stack.length - 1]));
      parsed.set(name, file);
      for (const dep of file.imports) visit(dep.name, [...stack, name]);
      order.push(name); // post-order: dependencies first
    };
    for (const f of files) visit(fileName(f, includeDirs), []);

    const types = new Map<string, { file: string; kind: "message" | "enum" }>();
    const symbols = new Map<string, { file: string; kind: SymbolKind }>();
    for (const name of order) indexSymbols(parsed.get(name)!, types, symbols);

    const out = new Map<string, FileDescriptorProto>();
    for (const name of order) out.set(name, new FileBuilder(parsed.get(name)!, parsed, types).build());
    return new DescriptorPool(out);
  }
}

/** The import name of a file given on the command line / to `load`. */
function fileName(given: string, includeDirs: readonly string[]): string {
  const abs = path.resolve(given);
  for (const dir of includeDirs) {
    const rel = path.relative(dir, abs);
    if (!rel.startsWith("..") && !path.isAbsolute(rel) && existsSync(abs)) return rel.split(path.sep).join("/");
  }
  return given.split(path.sep).join("/");
}

function locate(name: string, includeDirs: readonly string[], importer: string | undefined): string {
  for (const dir of includeDirs) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  const by = importer ? ` (imported by ${importer})` : "";
  throw new Error(`proto file "${name}"${by} not found in ${includeDirs.join(", ")}`);
}

/** Drops comments so that the import/syntax scan below only sees code. Strings keep their content. */
function stripComments(source: string): string {
  return source.replace(/("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, str: string | undefined) =>
    str ?? " ",
  );
}

function parseFile(name: string, file: string): ParsedFile {
  const source = readFileSync(file, "utf8");
  const code = stripComments(source);
  if (/\bedition\s*=/.test(code)) throw new Error(`${name}: editions are not supported, only proto2 and proto3`);
  const syntax = /\bsyntax\s*=\s*["']proto3["']/.test(code) ? "proto3" : "proto2";
  const result = pb().parse(source, new (pb().Root)(), { keepCase: true });
  // protobufjs keeps the imports but not which are public, nor the order of plain vs weak ones:
  // scan for them, keeping only what protobufjs saw (so text inside a string literal cannot count).
  const known = new Set([...(result.imports ?? []), ...(result.weakImports ?? [])]);
  const imports: ParsedFile["imports"] = [];
  for (const m of code.matchAll(/\bimport\s+(?:(public|weak)\s+)?["']([^"']+)["']\s*;/g)) {
    if (known.delete(m[2])) imports.push({ name: m[2], kind: (m[1] as "public" | "weak" | undefined) ?? "plain" });
  }
  for (const missed of known) imports.push({ name: missed, kind: "plain" });
  const pkg = result.package ?? "";
  const top = pkg ? (result.root.lookup(pkg) as protobuf.Namespace) : result.root;
  return { name, pkg, syntax, imports, top };
}

function definitions(ns: protobuf.Namespace): protobuf.ReflectionObject[] {
  // A nested Field is an `extend` of some message: extensions are not served (see docs/REFLECTION.md).
  return ns.nestedArray.filter((o) => o instanceof pb().Type || o instanceof pb().Enum || o instanceof pb().Service);
}

function join(scope: string, name: string): string {
  return scope ? `${scope}.${name}` : name;
}

function indexSymbols(
  file: ParsedFile,
  types: Map<string, { file: string; kind: "message" | "enum" }>,
  symbols: Map<string, { file: string; kind: SymbolKind }>,
): void {
  const add = (full: string, kind: SymbolKind): void => {
    const prior = symbols.get(full);
    if (prior && prior.file !== file.name) throw new Error(`"${full}" is defined in both ${prior.file} and ${file.name}`);
    symbols.set(full, { file: file.name, kind });
    if (kind === "message" || kind === "enum") types.set(full, { file: file.name, kind });
  };
  const walk = (obj: protobuf.ReflectionObject, scope: string): void => {
    const full = join(scope, obj.name);
    if (obj instanceof pb().Type) {
      add(full, "message");
      for (const f of obj.fieldsArray) {
        add(join(full, f.name), "field");
        if (f instanceof pb().MapField) add(join(full, mapEntryName(f.name)), "message");
      }
      for (const o of obj.oneofsArray) add(join(full, o.name), "oneof");
      for (const n of definitions(obj)) walk(n, full);
    } else if (obj instanceof pb().Enum) {
      add(full, "enum");
      // Enum values are siblings of their enum (C++ scoping): "user.ROLE_ADMIN".
      for (const v of Object.keys(obj.values)) add(join(scope, v), "enum-value");
    } else if (obj instanceof pb().Service) {
      add(full, "service");
      for (const m of obj.methodsArray) add(join(full, m.name), "method");
    }
  };
  for (const d of definitions(file.top)) walk(d, file.pkg);
}

/** protoc's name for the entry type of a map field: "user_ids" → "UserIdsEntry". */
function mapEntryName(field: string): string {
  return field.replace(/(?:^|_)([a-z0-9]?)/g, (_m, c: string) => c.toUpperCase()) + "Entry";
}

export { jsonName };

class FileBuilder {
  /** Files whose definitions this file may name: itself, its imports and what they publicly import. */
  private readonly visible = new Set<string>();

  constructor(
    private readonly file: ParsedFile,
    parsed: ReadonlyMap<string, ParsedFile>,
    private readonly types: ReadonlyMap<string, { file: string; kind: "message" | "enum" }>,
  ) {
    this.visible.add(file.name);
    const addPublic = (name: string): void => {
      if (this.visible.has(name)) return;
      this.visible.add(name);
      for (const i of parsed.get(name)!.imports) if (i.kind === "public") addPublic(i.name);
    };
    for (const i of file.imports) addPublic(i.name);
  }

  build(): FileDescriptorProto {
    const f = this.file;
    const out: FileDescriptorProto = {
      name: f.name,
      package: f.pkg,
      dependency: f.imports.map((i) => i.name),
      publicDependency: indexesOf(f.imports, "public"),
      weakDependency: indexesOf(f.imports, "weak"),
      messageType: [],
      enumType: [],
      service: [],
      syntax: f.syntax === "proto3" ? "proto3" : "",
    };
    const options = fileOptions(f.top.options);
    if (options) out.options = options;
    for (const d of definitions(f.top)) {
      if (d instanceof pb().Type) out.messageType.push(this.message(d, f.pkg));
      else if (d instanceof pb().Enum) out.enumType.push(enumDescriptor(d));
      else if (d instanceof pb().Service) out.service.push(this.service(d, f.pkg));
    }
    return out;
  }

  /** Resolves a type reference the way protoc does: innermost enclosing scope first. */
  private resolve(ref: string, scope: string, where: string): { name: string; kind: "message" | "enum" } {
    let full: string | undefined;
    if (ref.startsWith(".")) {
      full = ref.slice(1);
    } else {
      const parts = scope ? scope.split(".") : [];
      for (let i = parts.length; i >= 0 && full === undefined; i--) {
        const candidate = join(parts.slice(0, i).join("."), ref);
        if (this.types.has(candidate)) full = candidate;
      }
    }
    const hit = full === undefined ? undefined : this.types.get(full);
    if (!hit || full === undefined) throw new Error(`${this.file.name}: ${where}: unknown type "${ref}"`);
    if (!this.visible.has(hit.file)) {
      throw new Error(`${this.file.name}: ${where}: "${full}" is defined in ${hit.file}, which this file does not import`);
    }
    return { name: `.${full}`, kind: hit.kind };
  }

  private message(type: protobuf.Type, scope: string): DescriptorProto {
    const full = join(scope, type.name);
    const out: DescriptorProto = {
      name: type.name,
      field: [],
      nestedType: [],
      enumType: [],
      oneofDecl: [],
      reservedRange: [],
      reservedName: [],
    };
    // protoc lists real oneofs first and the synthetic ones of proto3 `optional` fields after them.
    const real = type.oneofsArray.filter((o) => !isSynthetic(o));
    const oneofs = [...real, ...type.oneofsArray.filter(isSynthetic)];
    out.oneofDecl = oneofs.map((o) => ({ name: o.name }));
    for (const d of definitions(type)) {
      if (d instanceof pb().Type) out.nestedType.push(this.message(d, full));
      else if (d instanceof pb().Enum) out.enumType.push(enumDescriptor(d));
    }
    for (const field of type.fieldsArray) {
      const where = `field ${full}.${field.name}`;
      const fd: FieldDescriptorProto = {
        name: field.name,
        number: field.id,
        label: field.repeated || field instanceof pb().MapField ? FieldLabel.REPEATED : field.required ? FieldLabel.REQUIRED : FieldLabel.OPTIONAL,
        type: FieldType.MESSAGE,
        jsonName: typeof field.options?.json_name === "string" ? field.options.json_name : jsonName(field.name),
      };
      if (field instanceof pb().MapField) {
        const entry = mapEntryName(field.name);
        out.nestedType.push(this.mapEntry(entry, field, full, where));
        fd.typeName = `.${full}.${entry}`;
      } else {
        this.setType(fd, field.type, full, where);
      }
      if (field.partOf) fd.oneofIndex = oneofs.indexOf(field.partOf);
      if (field.options?.proto3_optional === true) fd.proto3Optional = true;
      const dflt = field.options?.default;
      if (dflt !== undefined && this.file.syntax === "proto2") fd.defaultValue = String(dflt);
      const opts: FieldDescriptorProto["options"] = {};
      if (typeof field.options?.packed === "boolean") opts.packed = field.options.packed;
      if (field.options?.deprecated === true) opts.deprecated = true;
      if (Object.keys(opts).length > 0) fd.options = opts;
      out.field.push(fd);
    }
    for (const r of type.reserved ?? []) {
      if (typeof r === "string") out.reservedName.push(r);
      else out.reservedRange.push({ start: r[0], end: r[1] + 1 }); // protobufjs: inclusive; descriptor: exclusive
    }
    if (type.options?.deprecated === true) out.options = { deprecated: true };
    return out;
  }

  private mapEntry(name: string, field: protobuf.MapField, scope: string, where: string): DescriptorProto {
    // protobufjs rejects a map whose key is not a scalar type, so the lookup always hits.
    const key: FieldDescriptorProto = { name: "key", number: 1, label: FieldLabel.OPTIONAL, type: SCALARS[field.keyType]!, jsonName: "key" };
    const value: FieldDescriptorProto = { name: "value", number: 2, label: FieldLabel.OPTIONAL, type: FieldType.MESSAGE, jsonName: "value" };
    this.setType(value, field.type, scope, where);
    return { name, field: [key, value], nestedType: [], enumType: [], oneofDecl: [], reservedRange: [], reservedName: [], options: { mapEntry: true } };
  }

  private setType(fd: FieldDescriptorProto, ref: string, scope: string, where: string): void {
    const scalar = SCALARS[ref];
    if (scalar !== undefined) {
      fd.type = scalar;
      return;
    }
    const hit = this.resolve(ref, scope, where);
    fd.type = hit.kind === "enum" ? FieldType.ENUM : FieldType.MESSAGE;
    fd.typeName = hit.name;
  }

  private service(service: protobuf.Service, scope: string): ServiceDescriptorProto {
    const full = join(scope, service.name);
    const out: ServiceDescriptorProto = {
      name: service.name,
      method: service.methodsArray.map((m) => {
        const where = `method ${full}.${m.name}`;
        const method = {
          name: m.name,
          inputType: this.resolve(m.requestType, full, where).name,
          outputType: this.resolve(m.responseType, full, where).name,
          clientStreaming: m.requestStream === true,
          serverStreaming: m.responseStream === true,
        };
        return m.options?.deprecated === true ? { ...method, options: { deprecated: true } } : method;
      }),
    };
    if (service.options?.deprecated === true) out.options = { deprecated: true };
    return out;
  }
}

function isSynthetic(o: protobuf.OneOf): boolean {
  return o.fieldsArray.length === 1 && o.fieldsArray[0].options?.proto3_optional === true;
}

function indexesOf(imports: ParsedFile["imports"], kind: "public" | "weak"): number[] {
  const out: number[] = [];
  imports.forEach((i, n) => {
    if (i.kind === kind) out.push(n);
  });
  return out;
}

function enumDescriptor(e: protobuf.Enum): EnumDescriptorProto {
  const out: EnumDescriptorProto = {
    name: e.name,
    value: Object.entries(e.values).map(([name, number]) =>
      e.valuesOptions?.[name]?.deprecated === true ? { name, number, options: { deprecated: true } } : { name, number },
    ),
    reservedRange: [],
    reservedName: [],
  };
  for (const r of e.reserved ?? []) {
    if (typeof r === "string") out.reservedName.push(r);
    else out.reservedRange.push({ start: r[0], end: r[1] }); // both inclusive
  }
  const opts: EnumDescriptorProto["options"] = {};
  if (e.options?.allow_alias === true) opts.allowAlias = true;
  if (e.options?.deprecated === true) opts.deprecated = true;
  if (Object.keys(opts).length > 0) out.options = opts;
  return out;
}

const OPTIMIZE: Readonly<Record<string, 1 | 2 | 3>> = { SPEED: 1, CODE_SIZE: 2, LITE_RUNTIME: 3 };

/** The standard file options this server serves; custom options are left out. */
function fileOptions(raw: Record<string, unknown> | undefined): FileOptions | undefined {
  if (!raw) return undefined;
  const out: FileOptions = {};
  const str = (k: string): string | undefined => (typeof raw[k] === "string" ? (raw[k] as string) : undefined);
  const bool = (k: string): boolean | undefined => (typeof raw[k] === "boolean" ? (raw[k] as boolean) : undefined);
  const set = <K extends keyof FileOptions>(k: K, v: FileOptions[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set("javaPackage", str("java_package"));
  set("javaOuterClassname", str("java_outer_classname"));
  set("optimizeFor", OPTIMIZE[str("optimize_for") ?? ""]);
  set("javaMultipleFiles", bool("java_multiple_files"));
  set("goPackage", str("go_package"));
  set("deprecated", bool("deprecated"));
  set("ccEnableArenas", bool("cc_enable_arenas"));
  set("objcClassPrefix", str("objc_class_prefix"));
  set("csharpNamespace", str("csharp_namespace"));
  set("phpNamespace", str("php_namespace"));
  set("rubyPackage", str("ruby_package"));
  return Object.keys(out).length > 0 ? out : undefined;
}
