// Request validation for the user service: every rule of proto/user.proto's comments, as field
// violations for a google.rpc.BadRequest detail (field names as in the .proto: `username`,
// `role_filter`; inside a batch prefixed with the position: `requests[3].email`).

import type { ListFilter, NewUser, UserPatch } from "../store/user-store.js";
import { ROLE_UNSPECIFIED, ROLE_USER, isAssignableRole, parseRoleName } from "./roles.js";

/** Same shape as google.rpc.BadRequest.FieldViolation. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/** The request shapes validated here; the codec's message types have these fields. */
export interface CreateUserFields {
  readonly username: string;
  readonly email: string;
  readonly fullName: string;
  readonly role: number;
}
export interface ListUsersFields {
  readonly roleFilter: string;
  readonly limit: number;
}
export interface UpdateFields {
  readonly userId: string;
  readonly field: string;
  readonly value: string;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly violations: FieldViolation[] };

/** Length limits of every string field (docs/SERVICE.md "Limits"). With them a stored user is at most
 *  about 1.4 KB on the wire, far below a default client's 4 MiB receive limit, and no answer echoes
 *  more than a few hundred bytes of a request. */
export const LIMITS = {
  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
  emailLength: 254,
  /** Unicode characters (code points), so at most 1,024 bytes of UTF-8. */
  fullNameLength: 256,
  /** GetUser/DeleteUser `id`, StreamUserUpdates `user_id`: our ids are 36-character UUIDs. */
  idLength: 128,
  /** Longest spelling is "ROLE_MODERATOR" (14). */
  roleFilterLength: 32,
} as const;

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
// RFC 5322 dot-atom local part (no quoted strings, no comments), ASCII only.
// RFC 1035 host labels: letters, digits, inner hyphens, at most 63 characters.
const DOMAIN_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
// The same rules as sticky regexes over the whole address: the local part from 0 up to the last '@'
// (the caller checks it ends exactly there), the domain (labels joined by dots) from after it to the end.
const EMAIL_LOCAL_AT = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*(?=@)/y;
const EMAIL_DOMAIN_AT = new RegExp(`${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*$`, "y");
const NUMERIC_TLD = /\.[0-9]+$/;

/** Why `username` is unacceptable, or undefined when it is fine. */
export function usernameProblem(username: string): string | undefined {
  if (username.length < 3 || username.length > 32) {
    return `username must be 3 to 32 characters long (got ${username.length})`;
  }
  if (!USERNAME.test(username)) return "username may contain only letters, digits, '_', '.' and '-'";
  return undefined;
}

/** A request string for a message: quoted, cut after 32 characters so that an answer never echoes a
 *  large request back. */
export function quoted(value: string, max = 32): string {
  return value.length <= max ? `"${value}"` : `"${value.slice(0, max)}…" (${value.length} characters)`;
}

/** Why `fullName` is unacceptable (over LIMITS.fullNameLength characters), or undefined. Any other
 *  text is fine, including empty. */
export function fullNameProblem(fullName: string): string | undefined {
  if (fullName.length <= LIMITS.fullNameLength) return undefined; // UTF-16 units ≥ code points
  let n = 0;
  for (const _ of fullName) if (++n > LIMITS.fullNameLength) return `full_name must be at most ${LIMITS.fullNameLength} characters long`;
  return undefined;
}

/** Why an id (`id`, `user_id`) is unacceptable: empty or longer than any id can be. */
export function idProblem(id: string, field: string): string | undefined {
  if (id.length === 0) return `${field} is required`;
  if (id.length > LIMITS.idLength) return `${field} must be at most ${LIMITS.idLength} characters long (got ${id.length})`;
  return undefined;
}

/** Why `email` is not a usable address (local@domain.tld, at most 254 characters), or undefined. */
export function emailProblem(email: string): string | undefined {
  if (email.length === 0) return "email is required";
  if (email.length > LIMITS.emailLength) return `email must be at most ${LIMITS.emailLength} characters long`;
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1) return "email must look like name@example.com";
  if (at > 64) return "the part of the email before '@' must be at most 64 characters long";
  // Sticky regexes from a position: no slices or split per call.
  EMAIL_LOCAL_AT.lastIndex = 0;
  if (!EMAIL_LOCAL_AT.test(email) || EMAIL_LOCAL_AT.lastIndex !== at) {
    return "the part of the email before '@' has a character or dot that is not allowed";
  }
  if (email.indexOf(".", at + 1) < 0) return "the email domain must have a dot, like example.com";
  EMAIL_DOMAIN_AT.lastIndex = at + 1;
  if (!EMAIL_DOMAIN_AT.test(email) || NUMERIC_TLD.test(email)) return `the email domain "${email.slice(at + 1)}" is not a valid host name`;
  return undefined;
}

function roleProblem(role: number): string | undefined {
  if (role === ROLE_UNSPECIFIED || isAssignableRole(role)) return undefined;
  return `role ${role} is not a known role (ROLE_USER, ROLE_ADMIN, ROLE_MODERATOR)`;
}

function checkCreateInto(req: CreateUserFields, prefix: string, out: FieldViolation[]): void {
  const u = usernameProblem(req.username);
  if (u !== undefined) out.push({ field: `${prefix}username`, description: u });
  const e = emailProblem(req.email);
  if (e !== undefined) out.push({ field: `${prefix}email`, description: e });
  const f = fullNameProblem(req.fullName);
  if (f !== undefined) out.push({ field: `${prefix}full_name`, description: f });
  const r = roleProblem(req.role);
  if (r !== undefined) out.push({ field: `${prefix}role`, description: r });
}

/** The store input for a valid request; ROLE_UNSPECIFIED becomes ROLE_USER. */
export function toNewUser(req: CreateUserFields): NewUser {
  return {
    username: req.username,
    email: req.email,
    fullName: req.fullName,
    role: req.role === ROLE_UNSPECIFIED ? ROLE_USER : req.role,
  };
}

/** The violations of a CreateUser request, or undefined when it is valid (allocates nothing then). */
export function createUserViolations(req: CreateUserFields): FieldViolation[] | undefined {
  if (
    usernameProblem(req.username) === undefined &&
    emailProblem(req.email) === undefined &&
    fullNameProblem(req.fullName) === undefined &&
    roleProblem(req.role) === undefined
  ) {
    return undefined;
  }
  const violations: FieldViolation[] = [];
  checkCreateInto(req, "", violations);
  return violations;
}

export function checkCreateUser(req: CreateUserFields): Checked<NewUser> {
  const violations: FieldViolation[] = [];
  checkCreateInto(req, "", violations);
  return violations.length === 0 ? { ok: true, value: toNewUser(req) } : { ok: false, violations };
}

/** Every item of a batch; violations name the position, `requests[3].email`. */
export function checkBatch(reqs: readonly CreateUserFields[]): Checked<NewUser[]> {
  const violations: FieldViolation[] = [];
  for (let i = 0; i < reqs.length; i++) checkCreateInto(reqs[i], `requests[${i}].`, violations);
  return violations.length === 0 ? { ok: true, value: reqs.map(toNewUser) } : { ok: false, violations };
}

/** For GetUser and DeleteUser: an empty or over-long id is invalid; any other is looked up (unknown =
 *  NOT_FOUND). */
export function checkId(id: string): Checked<string> {
  const p = idProblem(id, "id");
  if (p !== undefined) return { ok: false, violations: [{ field: "id", description: p }] };
  return { ok: true, value: id };
}

export function checkListUsers(req: ListUsersFields): Checked<ListFilter> {
  const violations: FieldViolation[] = [];
  let role: number | undefined;
  if (req.roleFilter !== "") {
    role = req.roleFilter.length > LIMITS.roleFilterLength ? undefined : parseRoleName(req.roleFilter);
    if (role === undefined) {
      violations.push({
        field: "role_filter",
        description: `unknown role ${quoted(req.roleFilter)}: use admin, moderator or user (or ROLE_ADMIN …), any case, or empty for all`,
      });
    }
  }
  if (req.limit < 0) violations.push({ field: "limit", description: `limit must be 0 (no limit) or positive, got ${req.limit}` });
  if (violations.length > 0) return { ok: false, violations };
  return { ok: true, value: role === undefined ? { limit: req.limit } : { role, limit: req.limit } };
}

/** A StreamUserUpdates request as a store patch, or the message of its `success: false` answer. */
export type CheckedUpdate =
  | { readonly ok: true; readonly patch: UserPatch; readonly changesRole: boolean }
  | { readonly ok: false; readonly message: string };

/** The `user_id` an answer echoes: the request's, or empty when it is too long to be an id (an answer
 *  must stay small). */
export function echoedUserId(userId: string): string {
  return userId.length > LIMITS.idLength ? "" : userId;
}

export function checkUpdate(req: UpdateFields): CheckedUpdate {
  const idP = idProblem(req.userId, "user_id");
  if (idP !== undefined) return { ok: false, message: idP };
  switch (req.field) {
    case "username": {
      const p = usernameProblem(req.value);
      return p === undefined ? { ok: true, patch: { username: req.value }, changesRole: false } : { ok: false, message: `invalid value: ${p}` };
    }
    case "email": {
      const p = emailProblem(req.value);
      return p === undefined ? { ok: true, patch: { email: req.value }, changesRole: false } : { ok: false, message: `invalid value: ${p}` };
    }
    case "full_name": {
      const p = fullNameProblem(req.value);
      return p === undefined ? { ok: true, patch: { fullName: req.value }, changesRole: false } : { ok: false, message: `invalid value: ${p}` };
    }
    case "role": {
      const role = req.value.length > LIMITS.roleFilterLength ? undefined : parseRoleName(req.value);
      if (role === undefined) {
        return { ok: false, message: `invalid value: unknown role ${quoted(req.value)} (use admin, moderator or user)` };
      }
      return { ok: true, patch: { role }, changesRole: true };
    }
    default:
      return { ok: false, message: `unknown field ${quoted(req.field)}: use username, email, full_name or role` };
  }
}
