// The baseline of `npm run bench:service`: the user service of proto/user.proto written on
// @grpc/grpc-js the usual way (proto-loader, callbacks), doing the same work per call as ours:
// bearer-token auth (constant-time compare) and role check, x-request-id, validation, unique
// username/email indexes, ListUsers from a snapshot with flow control. Prints "LISTENING <port>".
import { randomUUID, timingSafeEqual } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { loadUserService } from "../lib/grpcjs-user.js";
import type { JsCreateUserRequest, JsUser } from "../lib/grpcjs-user.js";

const ROLES: Record<string, number> = { user: 1, admin: 2, moderator: 3 };
const tokens = (process.env.AUTH_TOKENS ?? "")
  .split(",")
  .filter((t) => t.includes("="))
  .map((t) => {
    const [token, role] = t.split("=");
    return { token: Buffer.from(token.trim()), role: ROLES[role.trim().toLowerCase()] ?? 1 };
  });

function roleOf(md: grpc.Metadata): number | undefined {
  const h = md.get("authorization")[0];
  if (typeof h !== "string") return undefined;
  const m = /^bearer\s+(.+)$/i.exec(h.trim());
  if (m === null) return undefined;
  const given = Buffer.from(m[1]);
  for (const t of tokens) if (t.token.length === given.length && timingSafeEqual(t.token, given)) return t.role;
  return undefined;
}

function fail(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** Auth + authorization + x-request-id, as our interceptor chain does; returns an error or undefined. */
function admit(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>, allowed: number[] | "any"): grpc.ServiceError | undefined {
  const header = new grpc.Metadata();
  const rid = call.metadata.get("x-request-id")[0];
  header.set("x-request-id", typeof rid === "string" && rid.length > 0 && rid.length <= 128 ? rid : randomUUID());
  call.sendMetadata(header);
  const role = roleOf(call.metadata);
  if (role === undefined) return fail(grpc.status.UNAUTHENTICATED, "missing or unknown bearer token");
  if (allowed !== "any" && !allowed.includes(role)) return fail(grpc.status.PERMISSION_DENIED, "role not allowed");
  return undefined;
}

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const users: JsUser[] = [];
const byId = new Map<string, JsUser>();
const byName = new Map<string, JsUser>();
const byEmail = new Map<string, JsUser>();

function validate(r: JsCreateUserRequest): string | undefined {
  if (!USERNAME.test(r.username)) return "username: 3-32 letters, digits, '_', '.', '-'";
  if (!EMAIL.test(r.email)) return "email: not a valid address";
  if (r.role < 0 || r.role > 3) return "role: unknown";
  return undefined;
}

function insert(r: JsCreateUserRequest): JsUser {
  const now = Date.now();
  const u: JsUser = { id: randomUUID(), username: r.username, email: r.email, fullName: r.fullName, role: r.role === 0 ? 1 : r.role, createdAt: now, updatedAt: now };
  users.push(u);
  byId.set(u.id, u);
  byName.set(u.username.toLowerCase(), u);
  byEmail.set(u.email.toLowerCase(), u);
  return u;
}

const UserService = loadUserService();
const server = new grpc.Server({ "grpc.max_receive_message_length": 4 << 20 });
server.addService(UserService.service, {
  CreateUser(call: grpc.ServerUnaryCall<JsCreateUserRequest, JsUser>, cb: grpc.sendUnaryData<JsUser>) {
    const denied = admit(call, [2]);
    if (denied) return cb(denied);
    const bad = validate(call.request);
    if (bad !== undefined) return cb(fail(grpc.status.INVALID_ARGUMENT, bad));
    if (byName.has(call.request.username.toLowerCase()) || byEmail.has(call.request.email.toLowerCase())) {
      return cb(fail(grpc.status.ALREADY_EXISTS, "username or email taken"));
    }
    cb(null, insert(call.request));
  },
  GetUser(call: grpc.ServerUnaryCall<{ id: string }, JsUser>, cb: grpc.sendUnaryData<JsUser>) {
    const denied = admit(call, "any");
    if (denied) return cb(denied);
    if (call.request.id === "") return cb(fail(grpc.status.INVALID_ARGUMENT, "id: required"));
    const u = byId.get(call.request.id);
    if (u === undefined) return cb(fail(grpc.status.NOT_FOUND, "no such user"));
    cb(null, u);
  },
  ListUsers(call: grpc.ServerWritableStream<{ roleFilter: string; limit: number }, JsUser>) {
    const denied = admit(call, "any");
    if (denied) return void call.emit("error", denied);
    const { roleFilter, limit } = call.request;
    if (limit < 0) return void call.emit("error", fail(grpc.status.INVALID_ARGUMENT, "limit: negative"));
    let role = 0;
    if (roleFilter !== "") {
      const k = roleFilter.toLowerCase().replace(/^role_/, "");
      role = ROLES[k] ?? -1;
      if (role < 0) return void call.emit("error", fail(grpc.status.INVALID_ARGUMENT, "role_filter: unknown"));
    }
    const snapshot = users.slice(); // consistent snapshot
    const max = limit === 0 ? snapshot.length : Math.min(limit, snapshot.length);
    let i = 0;
    let sent = 0;
    const pump = (): void => {
      while (i < snapshot.length && sent < max) {
        const u = snapshot[i++];
        if (role !== 0 && u.role !== role) continue;
        sent++;
        if (!call.write(u)) {
          call.once("drain", pump);
          return;
        }
      }
      call.end();
    };
    pump();
  },
  BatchCreateUsers(call: grpc.ServerReadableStream<JsCreateUserRequest, { createdCount: number; userIds: string[] }>, cb: grpc.sendUnaryData<{ createdCount: number; userIds: string[] }>) {
    const role = roleOf(call.metadata);
    const batch: JsCreateUserRequest[] = [];
    call.on("data", (r: JsCreateUserRequest) => batch.push(r));
    call.on("end", () => {
      if (role === undefined) return cb(fail(grpc.status.UNAUTHENTICATED, "missing or unknown bearer token"));
      if (role !== 2) return cb(fail(grpc.status.PERMISSION_DENIED, "admin only"));
      const names = new Set<string>();
      const emails = new Set<string>();
      for (const [i, r] of batch.entries()) {
        const bad = validate(r);
        if (bad !== undefined) return cb(fail(grpc.status.INVALID_ARGUMENT, `[${i}] ${bad}`));
        const n = r.username.toLowerCase();
        const e = r.email.toLowerCase();
        if (byName.has(n) || byEmail.has(e) || names.has(n) || emails.has(e)) return cb(fail(grpc.status.ALREADY_EXISTS, `[${i}] taken`));
        names.add(n);
        emails.add(e);
      }
      const ids = batch.map((r) => insert(r).id);
      cb(null, { createdCount: ids.length, userIds: ids });
    });
  },
  DeleteUser(call: grpc.ServerUnaryCall<{ id: string }, { success: boolean }>, cb: grpc.sendUnaryData<{ success: boolean }>) {
    const denied = admit(call, [2]);
    if (denied) return cb(denied);
    const u = byId.get(call.request.id);
    if (u === undefined) return cb(fail(grpc.status.NOT_FOUND, "no such user"));
    byId.delete(u.id);
    byName.delete(u.username.toLowerCase());
    byEmail.delete(u.email.toLowerCase());
    users.splice(users.indexOf(u), 1);
    cb(null, { success: true });
  },
  StreamUserUpdates(call: grpc.ServerDuplexStream<unknown, unknown>) {
    // Not part of the benchmark; answered as unimplemented so no one mistakes it for the real thing.
    call.emit("error", fail(grpc.status.UNIMPLEMENTED, "not in the benchmark twin"));
  },
});
server.bindAsync(`127.0.0.1:${process.env.PORT ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  process.stdout.write(`LISTENING ${port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
