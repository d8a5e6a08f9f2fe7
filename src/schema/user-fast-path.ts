// Implements proto/user.proto's user.User on protobuf.dev "Encoding" (https://protobuf.dev/programming-guides/encoding/) by hand: the one explicit fast path, kept because the generic field-table codec measured slower for this message (docs/CODEC.md "Performance").
//
// user.User is the hot message (GetUser, CreateUser, and every message of the ListUsers stream).
// The generic runtime (src/codec/message.ts) reads and writes properties by name from a table;
// here they are plain property accesses V8 can specialise, and a decoded User is built in one
// object literal (one hidden class, no stores after allocation). test/schema/user-fast-path.test.ts
// checks that these functions and the generic codec built from the same table produce the same
// bytes and objects, so the table in user.ts stays the one declaration of the message.

import type { FastPath } from "../codec/message.js";
import { sizeInt32, sizeInt64, sizeString } from "../codec/writer.js";
import { tagOf, WireType } from "../codec/wire-types.js";
import type { User } from "./user.js";

const ID = tagOf(1, WireType.LEN);
const USERNAME = tagOf(2, WireType.LEN);
const EMAIL = tagOf(3, WireType.LEN);
const FULL_NAME = tagOf(4, WireType.LEN);
const ROLE = tagOf(5, WireType.VARINT);
const CREATED_AT = tagOf(6, WireType.VARINT);
const UPDATED_AT = tagOf(7, WireType.VARINT);

export const userFastPath: FastPath<User> = {
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
    if (m.id) w.uint32(ID).string(m.id);
    if (m.username) w.uint32(USERNAME).string(m.username);
    if (m.email) w.uint32(EMAIL).string(m.email);
    if (m.fullName) w.uint32(FULL_NAME).string(m.fullName);
    if (m.role) w.uint32(ROLE).int32(m.role);
    if (m.createdAt) w.uint32(CREATED_AT).int64(m.createdAt);
    if (m.updatedAt) w.uint32(UPDATED_AT).int64(m.updatedAt);
    if (m.$unknown) w.raw(m.$unknown);
  },
  // Fields in number order, each at most once, as encoders write them (a field at its default is
  // absent: `r.at` is then false and reads nothing). Whatever remains (unknown fields, a field out
  // of order or repeated) is read by `rest`, the generic loop, into the same object, in wire order,
  // so the result is the one the generic codec gives.
  read(r, rest) {
    const m: User = {
      id: r.at(ID) ? r.string() : "",
      username: r.at(USERNAME) ? r.string() : "",
      email: r.at(EMAIL) ? r.string() : "",
      fullName: r.at(FULL_NAME) ? r.string() : "",
      role: r.at(ROLE) ? r.int32() : 0,
      createdAt: r.at(CREATED_AT) ? r.int64() : 0n,
      updatedAt: r.at(UPDATED_AT) ? r.int64() : 0n,
    };
    return r.pos < r.end ? rest(m, r) : m;
  },
};
