// Role spellings shared by validation (role, role_filter, update values) and auth (token roles).
// The numbers are the `user.Role` enum of proto/user.proto, from the codec.

import { Role } from "../schema/user.js";

export const ROLE_UNSPECIFIED: number = Role.ROLE_UNSPECIFIED;
export const ROLE_USER: number = Role.ROLE_USER;
export const ROLE_ADMIN: number = Role.ROLE_ADMIN;
export const ROLE_MODERATOR: number = Role.ROLE_MODERATOR;

/** The roles a token can carry and a user can have. */
export type RoleName = "user" | "admin" | "moderator";

const BY_NAME: ReadonlyMap<string, number> = new Map([
  ["user", ROLE_USER],
  ["role_user", ROLE_USER],
  ["admin", ROLE_ADMIN],
  ["role_admin", ROLE_ADMIN],
  ["moderator", ROLE_MODERATOR],
  ["role_moderator", ROLE_MODERATOR],
]);

/** "ROLE_ADMIN", "admin", "Admin" … → 2. Undefined for anything else, including "ROLE_UNSPECIFIED"
 *  (it names no role a user can have, so filtering or updating by it is a mistake worth reporting). */
export function parseRoleName(text: string): number | undefined {
  return BY_NAME.get(text.toLowerCase());
}

/** A role number a user may be given (ROLE_UNSPECIFIED excluded). */
export function isAssignableRole(role: number): boolean {
  return role === ROLE_USER || role === ROLE_ADMIN || role === ROLE_MODERATOR;
}
