// Implements proto/user.proto (package user) with protobuf.dev "Encoding" (https://protobuf.dev/programming-guides/encoding/): hand-written types and codecs for every message and enum.

import { defineCodec } from "./codec.js";
import type { Codec } from "./codec.js";
import { sizeInt32, sizeInt64, sizeString } from "./writer.js";
import { WireType } from "./wire-types.js";

// Decoders switch on the whole tag, `(field << 3) | wireType`, written as a literal so the
// switch compiles to integer compares (see docs/CODEC.md).

// ---- enum Role --------------------------------------------------------------------------------

/** user.Role. Unknown numbers received on the wire are kept as they are. */
export const Role = {
  ROLE_UNSPECIFIED: 0,
  ROLE_USER: 1,
  ROLE_ADMIN: 2,
  ROLE_MODERATOR: 3,
} as const;
export type Role = number;

/** The enum name of a known Role number, else undefined. */
export function roleName(role: Role): keyof typeof Role | undefined {
  switch (role) {
    case 0:
      return "ROLE_UNSPECIFIED";
    case 1:
      return "ROLE_USER";
    case 2:
      return "ROLE_ADMIN";
    case 3:
      return "ROLE_MODERATOR";
    default:
      return undefined;
  }
}

// ---- User -------------------------------------------------------------------------------------

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

export const UserCodec: Codec<User> = defineCodec<User>({
  typeName: "user.User",
  create: (init) => ({
    id: "",
    username: "",
    email: "",
    fullName: "",
    role: 0,
    createdAt: 0n,
    updatedAt: 0n,
    ...init,
  }),
  size(m) {
    let n = 0;
    if (m.id) n += 1 + sizeString(m.id);
    if (m.username) n += 1 + sizeString(m.username);
    if (m.email) n += 1 + sizeString(m.email);
    if (m.fullName) n += 1 + sizeString(m.fullName);
    if (m.role) n += 1 + sizeInt32(m.role);
    if (m.createdAt) n += 1 + sizeInt64(m.createdAt);
    if (m.updatedAt) n += 1 + sizeInt64(m.updatedAt);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  // 7 fields × (1-byte tag + 5-byte length prefix or 10-byte varint), 3 bytes per UTF-16 unit.
  maxSize: (m) =>
    77 + 3 * ((m.id?.length ?? 0) + (m.username?.length ?? 0) + (m.email?.length ?? 0) + (m.fullName?.length ?? 0)) + (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.id) w.tag(1, WireType.LEN).string(m.id);
    if (m.username) w.tag(2, WireType.LEN).string(m.username);
    if (m.email) w.tag(3, WireType.LEN).string(m.email);
    if (m.fullName) w.tag(4, WireType.LEN).string(m.fullName);
    if (m.role) w.tag(5, WireType.VARINT).int32(m.role);
    if (m.createdAt) w.tag(6, WireType.VARINT).int64(m.createdAt);
    if (m.updatedAt) w.tag(7, WireType.VARINT).int64(m.updatedAt);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: User = {
      id: "",
      username: "",
      email: "",
      fullName: "",
      role: 0,
      createdAt: 0n,
      updatedAt: 0n,
    };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case 10: // field 1, LEN
          m.id = r.string();
          break;
        case 18: // field 2, LEN
          m.username = r.string();
          break;
        case 26: // field 3, LEN
          m.email = r.string();
          break;
        case 34: // field 4, LEN
          m.fullName = r.string();
          break;
        case 40: // field 5, VARINT
          m.role = r.int32();
          break;
        case 48: // field 6, VARINT
          m.createdAt = r.int64();
          break;
        case 56: // field 7, VARINT
          m.updatedAt = r.int64();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- CreateUserRequest ------------------------------------------------------------------------

export interface CreateUserRequest {
  username: string;
  email: string;
  fullName: string;
  role: Role;
  $unknown?: Uint8Array;
}

export const CreateUserRequestCodec: Codec<CreateUserRequest> = defineCodec<CreateUserRequest>({
  typeName: "user.CreateUserRequest",
  create: (init) => ({ username: "", email: "", fullName: "", role: 0, ...init }),
  size(m) {
    let n = 0;
    if (m.username) n += 1 + sizeString(m.username);
    if (m.email) n += 1 + sizeString(m.email);
    if (m.fullName) n += 1 + sizeString(m.fullName);
    if (m.role) n += 1 + sizeInt32(m.role);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  maxSize: (m) => 44 + 3 * ((m.username?.length ?? 0) + (m.email?.length ?? 0) + (m.fullName?.length ?? 0)) + (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.username) w.tag(1, WireType.LEN).string(m.username);
    if (m.email) w.tag(2, WireType.LEN).string(m.email);
    if (m.fullName) w.tag(3, WireType.LEN).string(m.fullName);
    if (m.role) w.tag(4, WireType.VARINT).int32(m.role);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: CreateUserRequest = { username: "", email: "", fullName: "", role: 0 };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case 10: // field 1, LEN
          m.username = r.string();
          break;
        case 18: // field 2, LEN
          m.email = r.string();
          break;
        case 26: // field 3, LEN
          m.fullName = r.string();
          break;
        case 32: // field 4, VARINT
          m.role = r.int32();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- Messages holding one string `id`-like field 1 ---------------------------------------------

export interface GetUserRequest {
  id: string;
  $unknown?: Uint8Array;
}

export const GetUserRequestCodec: Codec<GetUserRequest> = defineCodec<GetUserRequest>({
  typeName: "user.GetUserRequest",
  create: (init) => ({ id: "", ...init }),
  size: (m) => (m.id ? 1 + sizeString(m.id) : 0) + (m.$unknown ? m.$unknown.byteLength : 0),
  maxSize: (m) => 6 + 3 * (m.id?.length ?? 0) + (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.id) w.tag(1, WireType.LEN).string(m.id);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: GetUserRequest = { id: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === 10 /* field 1, LEN */) m.id = r.string();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
});

export interface DeleteUserRequest {
  id: string;
  $unknown?: Uint8Array;
}

export const DeleteUserRequestCodec: Codec<DeleteUserRequest> = defineCodec<DeleteUserRequest>({
  typeName: "user.DeleteUserRequest",
  create: (init) => ({ id: "", ...init }),
  size: (m) => (m.id ? 1 + sizeString(m.id) : 0) + (m.$unknown ? m.$unknown.byteLength : 0),
  maxSize: (m) => 6 + 3 * (m.id?.length ?? 0) + (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.id) w.tag(1, WireType.LEN).string(m.id);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: DeleteUserRequest = { id: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === 10 /* field 1, LEN */) m.id = r.string();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
});

// ---- ListUsersRequest -------------------------------------------------------------------------

export interface ListUsersRequest {
  /** Empty means every role; else "ROLE_ADMIN", "admin", … (see proto/user.proto). */
  roleFilter: string;
  /** 0 means no limit. */
  limit: number;
  $unknown?: Uint8Array;
}

export const ListUsersRequestCodec: Codec<ListUsersRequest> = defineCodec<ListUsersRequest>({
  typeName: "user.ListUsersRequest",
  create: (init) => ({ roleFilter: "", limit: 0, ...init }),
  size(m) {
    let n = 0;
    if (m.roleFilter) n += 1 + sizeString(m.roleFilter);
    if (m.limit) n += 1 + sizeInt32(m.limit);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  maxSize: (m) => 17 + 3 * (m.roleFilter?.length ?? 0) + (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.roleFilter) w.tag(1, WireType.LEN).string(m.roleFilter);
    if (m.limit) w.tag(2, WireType.VARINT).int32(m.limit);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ListUsersRequest = { roleFilter: "", limit: 0 };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case 10: // field 1, LEN
          m.roleFilter = r.string();
          break;
        case 16: // field 2, VARINT
          m.limit = r.int32();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- BatchCreateResponse ----------------------------------------------------------------------

export interface BatchCreateResponse {
  createdCount: number;
  /** The new ids, in request order. */
  userIds: string[];
  $unknown?: Uint8Array;
}

export const BatchCreateResponseCodec: Codec<BatchCreateResponse> = defineCodec<BatchCreateResponse>({
  typeName: "user.BatchCreateResponse",
  create: (init) => ({ createdCount: 0, userIds: [], ...init }),
  size(m) {
    let n = 0;
    if (m.createdCount) n += 1 + sizeInt32(m.createdCount);
    const ids = m.userIds;
    if (ids) for (let i = 0; i < ids.length; i++) n += 1 + sizeString(ids[i]);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  write(m, w) {
    if (m.createdCount) w.tag(1, WireType.VARINT).int32(m.createdCount);
    const ids = m.userIds;
    // Repeated strings are never packed: one tagged record each, empty strings included.
    if (ids) for (let i = 0; i < ids.length; i++) w.tag(2, WireType.LEN).string(ids[i]);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: BatchCreateResponse = { createdCount: 0, userIds: [] };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case 8: // field 1, VARINT
          m.createdCount = r.int32();
          break;
        case 18: // field 2, LEN
          m.userIds.push(r.string());
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- UserUpdateRequest ------------------------------------------------------------------------

export interface UserUpdateRequest {
  userId: string;
  /** One of "username", "email", "full_name", "role". */
  field: string;
  value: string;
  $unknown?: Uint8Array;
}

export const UserUpdateRequestCodec: Codec<UserUpdateRequest> = defineCodec<UserUpdateRequest>({
  typeName: "user.UserUpdateRequest",
  create: (init) => ({ userId: "", field: "", value: "", ...init }),
  size(m) {
    let n = 0;
    if (m.userId) n += 1 + sizeString(m.userId);
    if (m.field) n += 1 + sizeString(m.field);
    if (m.value) n += 1 + sizeString(m.value);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  maxSize: (m) => 18 + 3 * ((m.userId?.length ?? 0) + (m.field?.length ?? 0) + (m.value?.length ?? 0)) + (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.userId) w.tag(1, WireType.LEN).string(m.userId);
    if (m.field) w.tag(2, WireType.LEN).string(m.field);
    if (m.value) w.tag(3, WireType.LEN).string(m.value);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: UserUpdateRequest = { userId: "", field: "", value: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case 10: // field 1, LEN
          m.userId = r.string();
          break;
        case 18: // field 2, LEN
          m.field = r.string();
          break;
        case 26: // field 3, LEN
          m.value = r.string();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- UserUpdateResponse -----------------------------------------------------------------------

export interface UserUpdateResponse {
  userId: string;
  success: boolean;
  /** Empty on success; on failure says why. */
  message: string;
  $unknown?: Uint8Array;
}

export const UserUpdateResponseCodec: Codec<UserUpdateResponse> = defineCodec<UserUpdateResponse>({
  typeName: "user.UserUpdateResponse",
  create: (init) => ({ userId: "", success: false, message: "", ...init }),
  size(m) {
    let n = 0;
    if (m.userId) n += 1 + sizeString(m.userId);
    if (m.success) n += 2;
    if (m.message) n += 1 + sizeString(m.message);
    if (m.$unknown) n += m.$unknown.byteLength;
    return n;
  },
  maxSize: (m) => 14 + 3 * ((m.userId?.length ?? 0) + (m.message?.length ?? 0)) + (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.userId) w.tag(1, WireType.LEN).string(m.userId);
    if (m.success) w.tag(2, WireType.VARINT).bool(true);
    if (m.message) w.tag(3, WireType.LEN).string(m.message);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: UserUpdateResponse = { userId: "", success: false, message: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case 10: // field 1, LEN
          m.userId = r.string();
          break;
        case 16: // field 2, VARINT
          m.success = r.bool();
          break;
        case 26: // field 3, LEN
          m.message = r.string();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
});

// ---- DeleteUserResponse -----------------------------------------------------------------------

export interface DeleteUserResponse {
  success: boolean;
  $unknown?: Uint8Array;
}

export const DeleteUserResponseCodec: Codec<DeleteUserResponse> = defineCodec<DeleteUserResponse>({
  typeName: "user.DeleteUserResponse",
  create: (init) => ({ success: false, ...init }),
  size: (m) => (m.success ? 2 : 0) + (m.$unknown ? m.$unknown.byteLength : 0),
  maxSize: (m) => 2 + (m.$unknown ? m.$unknown.byteLength : 0),
  write(m, w) {
    if (m.success) w.tag(1, WireType.VARINT).bool(true);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: DeleteUserResponse = { success: false };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === 8 /* field 1, VARINT */) m.success = r.bool();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
});
