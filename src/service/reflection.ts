// Server reflection, grpc.reflection.v1 and grpc.reflection.v1alpha (grpc/grpc doc/server-reflection.md):
// one bidirectional stream, one response per request. The repository's files are described from their
// declarations in src/schema/files.ts; other .proto files are parsed (protobufjs, loaded only then).
//
// Registering it (src/service/main.ts):
//   const reflection = new ReflectionService(
//     ["user.proto", "grpc/health/v1/health.proto", ...REFLECTION_PROTO_FILES, "google/rpc/error_details.proto", "google/rpc/status.proto"],
//     ["user.UserService", "grpc.health.v1.Health", ...REFLECTION_SERVICE_NAMES],
//   );
//   server.addService(ReflectionV1Descriptor, reflection.implementation);
//   server.addService(ReflectionV1alphaDescriptor, reflection.implementation);

import { encodeFileDescriptorProto } from "../schema/descriptor.js";
import {
  reflectionV1,
  reflectionV1alpha,
  type FileDescriptorResponse,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from "../schema/reflection.js";
import { defineService, rpc, stream, type ServerCallContext, type ServerWriter, type ServiceImplementation } from "../server/types.js";
import { Status } from "../wire/status.js";
import { DescriptorSet } from "./descriptor-set.js";
import { DescriptorPool, type LoadOptions } from "./descriptors.js";
import { addViewerSchema } from "../viewer/schema.js";

/** The reflection protos, relative to the `proto/` include dir. */
export const REFLECTION_PROTO_FILES = ["grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"] as const;
/** The reflection services' names, for the exposed-services list. */
export const REFLECTION_SERVICE_NAMES = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"] as const;

export const ReflectionV1Descriptor = defineService("grpc.reflection.v1.ServerReflection", {
  ServerReflectionInfo: rpc(stream(reflectionV1.request), stream(reflectionV1.response)),
});

export const ReflectionV1alphaDescriptor = defineService("grpc.reflection.v1alpha.ServerReflection", {
  ServerReflectionInfo: rpc(stream(reflectionV1alpha.request), stream(reflectionV1alpha.response)),
});

/** Both descriptors take the same implementation: the two packages have the same messages. */
export type ReflectionImplementation = ServiceImplementation<typeof ReflectionV1Descriptor> &
  ServiceImplementation<typeof ReflectionV1alphaDescriptor>;

/**
 * Answers reflection requests from the descriptors of `protoFiles` and everything they import.
 * When every file is declared in src/schema/files.ts (user.proto, health, reflection, google.rpc
 * status and error details), those declarations are used and `includeDirs` is not read.
 * Files are named relative to an include dir (default: the repository's `proto/`), e.g.
 * "user.proto"; paths inside an include dir ("proto/user.proto") work too. `services` is what
 * `list_services` answers, in that order; each must be defined in the loaded files.
 * Throws at construction on a missing file, a missing import or an unknown type or service.
 */
export class ReflectionService {
  readonly pool: DescriptorSet;
  private readonly services: readonly string[];
  /** Encoded FileDescriptorProto per file name. */
  private readonly encoded = new Map<string, Buffer>();
  /** The answer for each file: it and its transitive imports, encoded once. */
  private readonly answers = new Map<string, FileDescriptorResponse>();
  /** The handlers to register with {@link ReflectionV1Descriptor} and {@link ReflectionV1alphaDescriptor}. */
  readonly implementation: ReflectionImplementation;

  constructor(protoFiles: readonly string[], services: readonly string[], options: LoadOptions = {}) {
    // Files declared in src/schema/files.ts need no parsing; anything else goes through protobufjs.
    this.pool = DescriptorSet.declared(protoFiles) ?? DescriptorPool.load(protoFiles, options);
    addViewerSchema(this.pool); // the browser viewer decodes messages by name with these (a no-op when it is off)
    for (const s of services) {
      if (!this.pool.service(s)) throw new Error(`reflection: service "${s}" is not defined in ${protoFiles.join(", ")} or their imports`);
    }
    this.services = [...services];
    for (const [name, file] of this.pool.files) this.encoded.set(name, encodeFileDescriptorProto(file));
    for (const name of this.pool.files.keys()) {
      this.answers.set(name, { fileDescriptorProto: this.pool.withDependencies(name).map((n) => this.encoded.get(n)!) });
    }
    this.implementation = { ServerReflectionInfo: (requests, ctx, out) => this.serve(requests, ctx, out) };
  }

  /** The encoded FileDescriptorProto of one file (as sent on the wire), or undefined. */
  fileDescriptorBytes(name: string): Buffer | undefined {
    return this.encoded.get(name);
  }

  /** Answers one request: never throws; an unknown name is an `error_response`, not a failed stream. */
  answer(request: ServerReflectionRequest): ServerReflectionResponse {
    const base: ServerReflectionResponse = { validHost: request.host, originalRequest: request };
    if (request.fileByFilename !== undefined) {
      return this.files(base, this.answers.get(request.fileByFilename), `file "${request.fileByFilename}" not found`);
    }
    if (request.fileContainingSymbol !== undefined) {
      const file = this.pool.fileContainingSymbol(request.fileContainingSymbol);
      return this.files(base, file === undefined ? undefined : this.answers.get(file), `symbol "${request.fileContainingSymbol}" not found`);
    }
    if (request.fileContainingExtension !== undefined) {
      // No served file declares extensions (see docs/REFLECTION.md).
      const { containingType, extensionNumber } = request.fileContainingExtension;
      return this.error(base, Status.NOT_FOUND, `extension ${extensionNumber} of "${containingType}" not found`);
    }
    if (request.allExtensionNumbersOfType !== undefined) {
      const type = request.allExtensionNumbersOfType;
      if (this.pool.symbolKind(type) !== "message") return this.error(base, Status.NOT_FOUND, `message type "${type}" not found`);
      return { ...base, allExtensionNumbersResponse: { baseTypeName: type.startsWith(".") ? type.slice(1) : type, extensionNumber: [] } };
    }
    if (request.listServices !== undefined) {
      return { ...base, listServicesResponse: { service: this.services.map((name) => ({ name })) } };
    }
    return this.error(base, Status.INVALID_ARGUMENT, "the request sets none of message_request's fields");
  }

  private files(base: ServerReflectionResponse, answer: FileDescriptorResponse | undefined, notFound: string): ServerReflectionResponse {
    return answer ? { ...base, fileDescriptorResponse: answer } : this.error(base, Status.NOT_FOUND, notFound);
  }

  private error(base: ServerReflectionResponse, errorCode: number, errorMessage: string): ServerReflectionResponse {
    return { ...base, errorResponse: { errorCode, errorMessage } };
  }

  private async serve(
    requests: AsyncIterable<ServerReflectionRequest>,
    ctx: ServerCallContext,
    out: ServerWriter<ServerReflectionResponse>,
  ): Promise<void> {
    for await (const request of requests) {
      if (ctx.signal.aborted) return;
      await out.write(this.answer(request));
    }
  }
}
