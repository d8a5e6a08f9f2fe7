// The files server reflection serves (grpc/grpc doc/server-reflection.md), as FileDescriptorProtos with a symbol index for file_containing_symbol. The repository's own files come from src/schema/files.ts declarations, with no .proto parsing.

import type { DescriptorProto, FileDescriptorProto, ServiceDescriptorProto } from "../schema/descriptor.js";
import { fileDescriptor } from "../schema/file-descriptor.js";
import { DECLARED_FILES } from "../schema/files.js";

/** What a fully-qualified name denotes (for `file_containing_symbol`). */
export type SymbolKind = "message" | "enum" | "enum-value" | "field" | "oneof" | "service" | "method";

let declared: ReadonlyMap<string, FileDescriptorProto> | undefined;

/** Every file declared in src/schema/files.ts by name, each after the files it imports (derived once). */
export function declaredFiles(): ReadonlyMap<string, FileDescriptorProto> {
  declared ??= new Map(DECLARED_FILES.map((f) => [f.name, fileDescriptor(f)]));
  return declared;
}

const join = (scope: string, name: string): string => (scope ? `${scope}.${name}` : name);

/** A set of files, each after the files it imports, indexed by the symbols they define. */
export class DescriptorSet {
  private readonly symbols = new Map<string, { file: string; kind: SymbolKind }>();

  constructor(readonly files: ReadonlyMap<string, FileDescriptorProto>) {
    for (const file of files.values()) this.index(file);
  }

  /**
   * The declared files named (import names such as "user.proto") and everything they import, or
   * undefined if one of them is not declared in src/schema/files.ts.
   */
  static declared(names: readonly string[]): DescriptorSet | undefined {
    const all = declaredFiles();
    const wanted = new Set<string>();
    const visit = (name: string): boolean => {
      const file = all.get(name);
      if (!file) return false;
      if (wanted.has(name)) return true;
      wanted.add(name);
      return file.dependency.every(visit);
    };
    if (!names.every(visit)) return undefined;
    return new DescriptorSet(new Map([...all].filter(([name]) => wanted.has(name))));
  }

  private index(file: FileDescriptorProto): void {
    const add = (full: string, kind: SymbolKind): void => {
      const prior = this.symbols.get(full);
      if (prior && prior.file !== file.name) throw new Error(`"${full}" is defined in both ${prior.file} and ${file.name}`);
      this.symbols.set(full, { file: file.name, kind });
    };
    const enums = (list: DescriptorProto["enumType"], scope: string): void => {
      for (const e of list) {
        add(join(scope, e.name), "enum");
        for (const v of e.value) add(join(scope, v.name), "enum-value"); // siblings of their enum (C++ scoping)
      }
    };
    const message = (m: DescriptorProto, scope: string): void => {
      const full = join(scope, m.name);
      add(full, "message");
      for (const f of m.field) add(join(full, f.name), "field");
      for (const o of m.oneofDecl) add(join(full, o.name), "oneof");
      enums(m.enumType, full);
      for (const n of m.nestedType) message(n, full);
    };
    for (const m of file.messageType) message(m, file.package);
    enums(file.enumType, file.package);
    for (const s of file.service) {
      const full = join(file.package, s.name);
      add(full, "service");
      for (const m of s.method) add(join(full, m.name), "method");
    }
  }

  /** The file defining a fully-qualified name (a leading dot is accepted), or undefined. */
  fileContainingSymbol(symbol: string): string | undefined {
    return this.symbols.get(symbol.startsWith(".") ? symbol.slice(1) : symbol)?.file;
  }

  /** What a fully-qualified name denotes, or undefined. */
  symbolKind(symbol: string): SymbolKind | undefined {
    return this.symbols.get(symbol.startsWith(".") ? symbol.slice(1) : symbol)?.kind;
  }

  /** The service descriptor of a fully-qualified service name, or undefined. */
  service(name: string): ServiceDescriptorProto | undefined {
    const hit = this.symbols.get(name);
    if (hit?.kind !== "service") return undefined;
    const file = this.files.get(hit.file)!;
    return file.service.find((s) => join(file.package, s.name) === name);
  }

  /** `file` first, then every file it imports, directly or not, each once. Empty if unknown. */
  withDependencies(file: string): string[] {
    if (!this.files.has(file)) return [];
    const seen = new Set<string>([file]);
    const queue = [file];
    for (let i = 0; i < queue.length; i++) {
      for (const dep of this.files.get(queue[i])!.dependency) {
        if (!seen.has(dep)) {
          seen.add(dep);
          queue.push(dep);
        }
      }
    }
    return queue;
  }
}
