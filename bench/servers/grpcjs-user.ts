// The baseline of `npm run bench:service`: the user service of proto/user.proto written on
// @grpc/grpc-js the usual way (proto-loader, callbacks), doing the same work per call as ours:
// bearer-token auth (constant-time compare) and role check, x-request-id, validation, unique
// username/email indexes, ListUsers from a snapshot with flow control, and one JSON log line per
// call with the fields of ours (method, code, status, duration_ms, request_id, peer, role) written by
// pino, the usual Node logger, through its asynchronous destination on stderr. Prints "LISTENING <port>".
import { randomUUID, timingSafeEqual } from "node:crypto";
import { performance } from "node:perf_hooks";
import * as grpc from "@grpc/grpc-js";
import pino from "pino";
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

const ROLE_NAMES = ["unspecified", "user", "admin", "moderator"];
const STATUS_NAMES = Object.fromEntries(Object.entries(grpc.status).filter(([, v]) => typeof v === "number").map(([k, v]) => [v, k])) as Record<number, string>;

const logDest = pino.destination({ dest: 2, sync: false });
const log = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime, messageKey: "msg", formatters: { level: (level) => ({ level }) } }, logDest);

/** What the call log needs of a call, kept from its start. */
interface CallLog {
  method: string;
  start: number;
  peer: string;
  requestId?: string;
  role?: number;
}
function begin(method: string, call: { getPeer(): string }): CallLog {
  return { method, start: performance.now(), peer: call.getPeer() };
}
function logCall(c: CallLog, err: grpc.ServiceError | null | undefined): void {
  const code = err ? (err.code ?? grpc.status.UNKNOWN) : grpc.status.OK;
  const fields = {
    method: c.method,
    code: STATUS_NAMES[code],
    status: code,
    duration_ms: Math.round((performance.now() - c.start) * 1000) / 1000,
    request_id: c.requestId,
    peer: c.peer,
    role: c.role === undefined ? undefined : ROLE_NAMES[c.role],
    error: err ? err.details : undefined,
  };
  if (code === grpc.status.INTERNAL || code === grpc.status.UNKNOWN) log.error(fields, "call");
  else log.info(fields, "call");
}
/** The callback of a unary call, logging the call as it answers. */
function answer<T>(c: CallLog, cb: grpc.sendUnaryData<T>): grpc.sendUnaryData<T> {
  return (err, value) => {
    logCall(c, err as grpc.ServiceError | null);
    cb(err, value);
  };
}

/** Auth + authorization + x-request-id, as our interceptor chain does; returns an error or undefined. */
function admit(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>, allowed: number[] | "any", c: CallLog): grpc.ServiceError | undefined {
  const header = new grpc.Metadata();
  const rid = call.metadata.get("x-request-id")[0];
  c.requestId = typeof rid === "string" && rid.length > 0 && rid.length <= 128 ? rid : randomUUID();
  header.set("x-request-id", c.requestId);
  call.sendMetadata(header);
  const role = roleOf(call.metadata);
  if (role === undefined) return fail(grpc.status.UNAUTHENTICATED, "missing or unknown bearer token");
  c.role = role;
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
  CreateUser(call: grpc.ServerUnaryCall<JsCreateUserRequest, JsUser>, done: grpc.sendUnaryData<JsUser>) {
    const c = begin("/user.UserService/CreateUser", call);
    const cb = answer(c, done);
    const denied = admit(call, [2], c);
    if (denied) return cb(denied);
    const bad = validate(call.request);
    if (bad !== undefined) return cb(fail(grpc.status.INVALID_ARGUMENT, bad));
    if (byName.has(call.request.username.toLowerCase()) || byEmail.has(call.request.email.toLowerCase())) {
      return cb(fail(grpc.status.ALREADY_EXISTS, "username or email taken"));
    }
    cb(null, insert(call.request));
  },
  GetUser(call: grpc.ServerUnaryCall<{ id: string }, JsUser>, done: grpc.sendUnaryData<JsUser>) {
    const c = begin("/user.UserService/GetUser", call);
    const cb = answer(c, done);
    const denied = admit(call, "any", c);
    if (denied) return cb(denied);
    if (call.request.id === "") return cb(fail(grpc.status.INVALID_ARGUMENT, "id: required"));
    const u = byId.get(call.request.id);
    if (u === undefined) return cb(fail(grpc.status.NOT_FOUND, "no such user"));
    cb(null, u);
  },
  ListUsers(call: grpc.ServerWritableStream<{ roleFilter: string; limit: number }, JsUser>) {
    const c = begin("/user.UserService/ListUsers", call);
    const refuse = (e: grpc.ServiceError): void => {
      logCall(c, e);
      call.emit("error", e);
    };
    const denied = admit(call, "any", c);
    if (denied) return refuse(denied);
    const { roleFilter, limit } = call.request;
    if (limit < 0) return refuse(fail(grpc.status.INVALID_ARGUMENT, "limit: negative"));
    let role = 0;
    if (roleFilter !== "") {
      const k = roleFilter.toLowerCase().replace(/^role_/, "");
      role = ROLES[k] ?? -1;
      if (role < 0) return refuse(fail(grpc.status.INVALID_ARGUMENT, "role_filter: unknown"));
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
      logCall(c, null);
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
  DeleteUser(call: grpc.ServerUnaryCall<{ id: string }, { success: boolean }>, done: grpc.sendUnaryData<{ success: boolean }>) {
    const c = begin("/user.UserService/DeleteUser", call);
    const cb = answer(c, done);
    const denied = admit(call, [2], c);
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
process.on("SIGTERM", () => {
  try {
    logDest.flushSync();
  } catch {
    // sonic-boom not ready (nothing written yet): nothing to flush.
  }
  process.exit(0);
});
