// Implements proto/user.proto (package user): every message and enum, declared once as a field table (docs/CODEC.md "Declaring a message").

import { defineMessage, enumName } from "../codec/message.js";
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

export interface User {
  id: string;
  username: string;
  email: string;
  fullName: string;
  role: Role;
  /** Milliseconds since the Unix epoch (UTC). */
  createdAt: bigint;
  /** Milliseconds since the Unix epoch (UTC). */
  updatedAt: bigint;
  $unknown?: Uint8Array;
}

export const UserCodec = defineMessage<User>("user.User", [
  { no: 1, name: "id", type: "string" },
  { no: 2, name: "username", type: "string" },
  { no: 3, name: "email", type: "string" },
  { no: 4, name: "full_name", type: "string" },
  { no: 5, name: "role", type: "enum", enum: "user.Role" },
  { no: 6, name: "created_at", type: "int64" },
  { no: 7, name: "updated_at", type: "int64" },
], userFastPath); // the hot message: hand-written size/write/read, see user-fast-path.ts

export interface CreateUserRequest {
  username: string;
  email: string;
  fullName: string;
  role: Role;
  $unknown?: Uint8Array;
}

export const CreateUserRequestCodec = defineMessage<CreateUserRequest>("user.CreateUserRequest", [
  { no: 1, name: "username", type: "string" },
  { no: 2, name: "email", type: "string" },
  { no: 3, name: "full_name", type: "string" },
  { no: 4, name: "role", type: "enum", enum: "user.Role" },
]);

export interface GetUserRequest {
  id: string;
  $unknown?: Uint8Array;
}

export const GetUserRequestCodec = defineMessage<GetUserRequest>("user.GetUserRequest", [{ no: 1, name: "id", type: "string" }]);

export interface ListUsersRequest {
  /** Empty means every role; else "ROLE_ADMIN", "admin", … (see proto/user.proto). */
  roleFilter: string;
  /** 0 means no limit. */
  limit: number;
  $unknown?: Uint8Array;
}

export const ListUsersRequestCodec = defineMessage<ListUsersRequest>("user.ListUsersRequest", [
  { no: 1, name: "role_filter", type: "string" },
  { no: 2, name: "limit", type: "int32" },
]);

export interface BatchCreateResponse {
  createdCount: number;
  /** The new ids, in request order. */
  userIds: string[];
  $unknown?: Uint8Array;
}

export const BatchCreateResponseCodec = defineMessage<BatchCreateResponse>("user.BatchCreateResponse", [
  { no: 1, name: "created_count", type: "int32" },
  { no: 2, name: "user_ids", type: "string", repeated: true },
]);

export interface UserUpdateRequest {
  userId: string;
  /** One of "username", "email", "full_name", "role". */
  field: string;
  value: string;
  $unknown?: Uint8Array;
}

export const UserUpdateRequestCodec = defineMessage<UserUpdateRequest>("user.UserUpdateRequest", [
  { no: 1, name: "user_id", type: "string" },
  { no: 2, name: "field", type: "string" },
  { no: 3, name: "value", type: "string" },
]);

export interface UserUpdateResponse {
  userId: string;
  success: boolean;
  /** Empty on success; on failure says why. */
  message: string;
  $unknown?: Uint8Array;
}

export const UserUpdateResponseCodec = defineMessage<UserUpdateResponse>("user.UserUpdateResponse", [
  { no: 1, name: "user_id", type: "string" },
  { no: 2, name: "success", type: "bool" },
  { no: 3, name: "message", type: "string" },
]);

export interface DeleteUserRequest {
  id: string;
  $unknown?: Uint8Array;
}

export const DeleteUserRequestCodec = defineMessage<DeleteUserRequest>("user.DeleteUserRequest", [{ no: 1, name: "id", type: "string" }]);

export interface DeleteUserResponse {
  success: boolean;
  $unknown?: Uint8Array;
}

export const DeleteUserResponseCodec = defineMessage<DeleteUserResponse>("user.DeleteUserResponse", [{ no: 1, name: "success", type: "bool" }]);
