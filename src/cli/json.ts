// The proto3 JSON mapping (protobuf.dev "ProtoJSON Format") for the user messages userctl prints and
// reads: lowerCamelCase names (snake_case accepted on input), int64 as decimal strings, enums by name.

import { Role, roleName, type CreateUserRequest, type User, type UserUpdateRequest } from "../schema/user.js";
import { parseRoleName } from "../service/roles.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A User as proto3 JSON, every field present (like `--emit-defaults`). */
export function userToJson(u: User): { [key: string]: Json } {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    fullName: u.fullName,
    role: roleName(u.role) ?? u.role,
    createdAt: u.createdAt.toString(),
    updatedAt: u.updatedAt.toString(),
  };
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

function field(obj: { [key: string]: Json }, camel: string, snake: string): Json | undefined {
  return obj[camel] ?? obj[snake];
}

function str(obj: { [key: string]: Json }, camel: string, snake = camel): string | Parsed<never> {
  const v = field(obj, camel, snake);
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") return { ok: false, error: `"${snake}" must be a string` };
  return v;
}

/** A role given as an enum name ("ROLE_ADMIN"), a short name ("admin", any case) or a number. */
export function parseRoleValue(v: Json | undefined): Parsed<number> {
  if (v === undefined || v === null || v === "") return { ok: true, value: Role.ROLE_UNSPECIFIED };
  if (typeof v === "number" && Number.isInteger(v)) return { ok: true, value: v };
  if (typeof v === "string") {
    if (v.toUpperCase() === "ROLE_UNSPECIFIED") return { ok: true, value: Role.ROLE_UNSPECIFIED };
    const r = parseRoleName(v);
    if (r !== undefined) return { ok: true, value: r };
  }
  return { ok: false, error: `unknown role ${JSON.stringify(v)}: use user, admin or moderator` };
}

function asObject(line: string): Parsed<{ [key: string]: Json }> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { ok: false, error: "expected a JSON object" };
  return { ok: true, value: v as { [key: string]: Json } };
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps): how close a typo is to a name. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * Rejects a field the message does not have (a typo like `full_nmae` would otherwise vanish),
 * naming the closest known field. `known` holds [camelCase, snake_case] pairs.
 */
function checkFields(obj: { [key: string]: Json }, known: readonly (readonly [string, string])[]): Parsed<never> | undefined {
  const names = known.flatMap(([camel, snake]) => (camel === snake ? [camel] : [camel, snake]));
  for (const key of Object.keys(obj)) {
    if (names.includes(key)) continue;
    let best = known[0][1];
    let bestDistance = Infinity;
    for (const name of names) {
      const d = distance(key.toLowerCase(), name.toLowerCase());
      if (d < bestDistance) [best, bestDistance] = [known.find((k) => k.includes(name))![1], d];
    }
    // Suggest only a near miss: "id" is not a typo of "email".
    const guess = bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best}"?)` : "";
    return { ok: false, error: `unknown field "${key}"${guess}; known fields: ${known.map((k) => k[1]).join(", ")}` };
  }
  return undefined;
}

const CREATE_FIELDS = [["username", "username"], ["email", "email"], ["fullName", "full_name"], ["role", "role"]] as const;
const UPDATE_FIELDS = [["userId", "user_id"], ["field", "field"], ["value", "value"]] as const;

/** One line of a `batch` file: `{"username":…,"email":…,"full_name":…,"role":"admin"}`. */
export function parseCreateLine(line: string): Parsed<CreateUserRequest> {
  const o = asObject(line);
  if (!o.ok) return o;
  const unknown = checkFields(o.value, CREATE_FIELDS);
  if (unknown !== undefined) return unknown;
  const username = str(o.value, "username");
  const email = str(o.value, "email");
  const fullName = str(o.value, "fullName", "full_name");
  for (const s of [username, email, fullName]) if (typeof s !== "string") return s;
  const role = parseRoleValue(o.value.role);
  if (!role.ok) return role;
  return { ok: true, value: { username: username as string, email: email as string, fullName: fullName as string, role: role.value } };
}

/** One line of `update` input: `{"user_id":…,"field":"email","value":…}`. */
export function parseUpdateLine(line: string): Parsed<UserUpdateRequest> {
  const o = asObject(line);
  if (!o.ok) return o;
  const unknown = checkFields(o.value, UPDATE_FIELDS);
  if (unknown !== undefined) return unknown;
  const userId = str(o.value, "userId", "user_id");
  const f = str(o.value, "field");
  const value = str(o.value, "value");
  for (const s of [userId, f, value]) if (typeof s !== "string") return s;
  return { ok: true, value: { userId: userId as string, field: f as string, value: value as string } };
}
