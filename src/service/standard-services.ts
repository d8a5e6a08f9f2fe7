// Health (grpc/grpc doc/health-checking.md) and server reflection (doc/server-reflection.md) for any
// Server of this library: one call after your own services, so `grpcurl list` and
// grpc-health-probe work against it (examples/own-server.ts).

import type { Server } from "../server/server.js";
import { DEFAULT_PROTO_DIR } from "./descriptors.js";
import { HealthService, HealthServiceDescriptor } from "./health.js";
import { REFLECTION_PROTO_FILES, REFLECTION_SERVICE_NAMES, ReflectionService, ReflectionV1Descriptor, ReflectionV1alphaDescriptor } from "./reflection.js";

export interface HealthAndReflectionOptions {
  /**
   * The .proto files that define the services already registered on the server (and any message
   * you want `grpcurl describe` to find), relative to an include dir, e.g. `["user.proto"]`.
   */
  readonly protoFiles: readonly string[];
  /** Where `protoFiles` and their imports live, searched in order; the repository's `proto/` is always searched last. */
  readonly includeDirs?: readonly string[];
}

/**
 * Registers grpc.health.v1.Health (every service registered so far and `""` SERVING) and server
 * reflection v1 and v1alpha listing every registered service. Call it after your own `addService`
 * calls; call `health.shutdown()` before `server.shutdown()` so probes see NOT_SERVING first.
 * Throws if a registered service is not defined in `protoFiles` or their imports.
 */
export function addHealthAndReflection(server: Server, options: HealthAndReflectionOptions): { health: HealthService; reflection: ReflectionService } {
  const own = server.serviceNames();
  // Built first: if it throws (a service missing from protoFiles), the server is left as it was.
  const reflection = new ReflectionService(
    [...options.protoFiles, "grpc/health/v1/health.proto", ...REFLECTION_PROTO_FILES],
    [...own, "grpc.health.v1.Health", ...REFLECTION_SERVICE_NAMES],
    { includeDirs: [...(options.includeDirs ?? []), DEFAULT_PROTO_DIR] },
  );
  const health = new HealthService(own);
  server.addService(HealthServiceDescriptor, health.implementation);
  server.addService(ReflectionV1Descriptor, reflection.implementation);
  server.addService(ReflectionV1alphaDescriptor, reflection.implementation);
  return { health, reflection };
}
