// Implements proto/user.proto (package user): every message and enum, declared once as a field table (docs/CODEC.md "Declaring a message").

import { defineMessage, enumName, type FieldRow, type InferMessage, type MessageOf } from "../codec/message.js";
import { userFastPath } from "./user-fast-path.js";

/** user.Role. Unknown numbers received on the wire are kept as they are. */
export const Role = {
  ROLE_UNSPECIFIED: 0,
  ROLE_USER: 1,
  ROLE_ADMIN: 2,
  ROLE_MODERATOR: 3,
} as const;
export type Role = number;

/** The enum name of a known Role number ("ROLE_ADMIN"), else undefined. */
export function roleName(role: Role): keyof typeof Role | undefined {
  return enumName(Role, role);
}

// Each message's TypeScript type is read from its table: `string` → string, `int64` → bigint,
// an enum → number, `repeated` → an array (docs/CODEC.md "Declaring a message").

// user.User, the hot message, has a hand-written fast path (user-fast-path.ts) that is typed with
// User, so its table is a constant of its own and User is read from the table, not from UserCodec
// (which would make User depend on itself).
const USER = [
  { no: 1, name: "id", type: "string" },
  { no: 2, name: "username", type: "string" },
  { no: 3, name: "email", type: "string" },
  { no: 4, name: "full_name", type: "string" },
  { no: 5, name: "role", type: "enum", enum: "user.Role" },
  { no: 6, name: "created_at", type: "int64" }, // milliseconds since the Unix epoch (UTC)
  { no: 7, name: "updated_at", type: "int64" }, // milliseconds since the Unix epoch (UTC)
] as const satisfies readonly FieldRow[];
export type User = InferMessage<typeof USER>;
export const UserCodec = defineMessage("user.User", USER, userFastPath);

export const CreateUserRequestCodec = defineMessage("user.CreateUserRequest", [
  { no: 1, name: "username", type: "string" },
  { no: 2, name: "email", type: "string" },
  { no: 3, name: "full_name", type: "string" },
  { no: 4, name: "role", type: "enum", enum: "user.Role" },
]);
export type CreateUserRequest = MessageOf<typeof CreateUserRequestCodec>;

export const GetUserRequestCodec = defineMessage("user.GetUserRequest", [{ no: 1, name: "id", type: "string" }]);
export type GetUserRequest = MessageOf<typeof GetUserRequestCodec>;

export const ListUsersRequestCodec = defineMessage("user.ListUsersRequest", [
  { no: 1, name: "role_filter", type: "string" }, // empty means every role; else "ROLE_ADMIN", "admin", … (see proto/user.proto)
  { no: 2, name: "limit", type: "int32" }, // 0 means no limit
]);
export type ListUsersRequest = MessageOf<typeof ListUsersRequestCodec>;

export const BatchCreateResponseCodec = defineMessage("user.BatchCreateResponse", [
  { no: 1, name: "created_count", type: "int32" },
  { no: 2, name: "user_ids", type: "string", repeated: true }, // the new ids, in request order
]);
export type BatchCreateResponse = MessageOf<typeof BatchCreateResponseCodec>;

export const UserUpdateRequestCodec = defineMessage("user.UserUpdateRequest", [
  { no: 1, name: "user_id", type: "string" },
  { no: 2, name: "field", type: "string" }, // one of "username", "email", "full_name", "role"
  { no: 3, name: "value", type: "string" },
]);
export type UserUpdateRequest = MessageOf<typeof UserUpdateRequestCodec>;

export const UserUpdateResponseCodec = defineMessage("user.UserUpdateResponse", [
  { no: 1, name: "user_id", type: "string" },
  { no: 2, name: "success", type: "bool" },
  { no: 3, name: "message", type: "string" }, // empty on success; on failure says why
]);
export type UserUpdateResponse = MessageOf<typeof UserUpdateResponseCodec>;

export const DeleteUserRequestCodec = defineMessage("user.DeleteUserRequest", [{ no: 1, name: "id", type: "string" }]);
export type DeleteUserRequest = MessageOf<typeof DeleteUserRequestCodec>;

export const DeleteUserResponseCodec = defineMessage("user.DeleteUserResponse", [{ no: 1, name: "success", type: "bool" }]);
export type DeleteUserResponse = MessageOf<typeof DeleteUserResponseCodec>;
