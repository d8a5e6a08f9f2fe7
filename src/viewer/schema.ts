// The message types the viewer can decode by name (protobuf.dev "Encoding"): an index of the
// descriptors server reflection serves (grpc/grpc doc/server-reflection.md; src/service/reflection.ts
// registers its pool here, userctl its own). Depends on src/codec only: a message whose type no
// registered pool has (google.rpc.Status included) is decoded raw, as the text trace does.

import type { DescriptorProto, EnumDescriptorProto, FileDescriptorProto } from "../schema/descriptor.js";

/** Anything with the files of a descriptor set, such as src/service/descriptor-set.ts `DescriptorSet`. */
export interface DescriptorSource {
  readonly files: ReadonlyMap<string, FileDescriptorProto>;
}

export interface MethodTypes {
  /** Fully-qualified message names, without the leading dot. */
  readonly input: string;
  readonly output: string;
  readonly clientStreaming: boolean;
  readonly serverStreaming: boolean;
}

/** Messages, enums and methods by fully-qualified name. */
export class SchemaIndex {
  readonly messages = new Map<string, DescriptorProto>();
  readonly enums = new Map<string, EnumDescriptorProto>();
  /** By HTTP/2 `:path`, "/user.UserService/CreateUser". */
  readonly methods = new Map<string, MethodTypes>();
  private readonly seen = new Set<string>();

  add(source: DescriptorSource): void {
    for (const [name, file] of source.files) {
      if (this.seen.has(name)) continue;
      this.seen.add(name);
      const pkg = file.package;
      const walk = (m: DescriptorProto, scope: string): void => {
        const full = scope ? `${scope}.${m.name}` : m.name;
        this.messages.set(full, m);
        for (const e of m.enumType) this.enums.set(`${full}.${e.name}`, e);
        for (const n of m.nestedType) walk(n, full);
      };
      for (const m of file.messageType) walk(m, pkg);
      for (const e of file.enumType) this.enums.set(pkg ? `${pkg}.${e.name}` : e.name, e);
      for (const s of file.service) {
        const svc = pkg ? `${pkg}.${s.name}` : s.name;
        for (const m of s.method) {
          this.methods.set(`/${svc}/${m.name}`, {
            input: m.inputType.replace(/^\./, ""),
            output: m.outputType.replace(/^\./, ""),
            clientStreaming: m.clientStreaming,
            serverStreaming: m.serverStreaming,
          });
        }
      }
    }
  }

  /** The kind of a method, as the page names it ("unary", "server streaming", …), when known. */
  kind(path: string): string | undefined {
    const m = this.methods.get(path);
    if (m === undefined) return undefined;
    if (m.clientStreaming) return m.serverStreaming ? "bidi streaming" : "client streaming";
    return m.serverStreaming ? "server streaming" : "unary";
  }
}

/** The viewer's schema: filled only while a viewer is on (so registering costs nothing otherwise). */
export const viewerSchema = { enabled: false, index: new SchemaIndex() };

/** Lets the viewer decode messages of `source` by name; a no-op while no viewer is on. */
export function addViewerSchema(source: DescriptorSource): void {
  if (viewerSchema.enabled) viewerSchema.index.add(source);
}
