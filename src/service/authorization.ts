// Who may call what: the per-method role table of proto/user.proto's service comment.

import type { RoleName } from "./roles.js";

export const USER_SERVICE = "user.UserService";

/** Services every client may call without a token (grpc/grpc doc/health-checking.md expects probes to
 *  work unauthenticated; reflection only describes the schema). */
export const PUBLIC_SERVICES: ReadonlySet<string> = new Set([
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
]);

const ANY: readonly RoleName[] = ["admin", "moderator", "user"];

/** The roles allowed to call each method, by `:path`. */
export const METHOD_ROLES: Readonly<Record<string, readonly RoleName[]>> = {
  [`/${USER_SERVICE}/CreateUser`]: ["admin"],
  [`/${USER_SERVICE}/GetUser`]: ANY,
  [`/${USER_SERVICE}/ListUsers`]: ANY,
  [`/${USER_SERVICE}/BatchCreateUsers`]: ["admin"],
  [`/${USER_SERVICE}/StreamUserUpdates`]: ["admin", "moderator"],
  [`/${USER_SERVICE}/DeleteUser`]: ["admin"],
};

/** True when `role` may call `path`. A method missing from the table is refused (deny by default). */
export function isAllowed(path: string, role: RoleName): boolean {
  const roles = METHOD_ROLES[path];
  return roles !== undefined && roles.includes(role);
}
