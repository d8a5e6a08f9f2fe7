// Load generator for the user service (proto/user.proto) with the grpc-js client or ours
// (UserServiceClient). Every answer is checked before it counts: CreateUser returns the user it
// was asked to create, GetUser the requested id, ListUsers exactly --list users.
//   node --import tsx bench/loadgen/user-loadgen.ts --impl grpcjs|ours --target 127.0.0.1:PORT
//     --call CreateUser|GetUser|ListUsers --token T --id ID --list 10000 [loop options]
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { loadUserService } from "../lib/grpcjs-user.js";
import type { JsCreateUserRequest, JsUser } from "../lib/grpcjs-user.js";
import { LOOP_FLAGS, loopSettings, runLoop } from "./loop.js";
import type { OneCall } from "./loop.js";

const { values } = parseArgs({
  options: {
    impl: { type: "string", default: "grpcjs" },
    target: { type: "string" },
    call: { type: "string", default: "GetUser" },
    token: { type: "string", default: "" },
    id: { type: "string", default: "" },
    list: { type: "string", default: "10000" },
    ...LOOP_FLAGS,
  },
});
if (values.target === undefined) throw new Error("--target host:port is required");
const target = values.target;
const connections = Number(values.connections);
const listSize = Number(values.list);
const id = values.id;

interface UserApi {
  create(conn: number, r: JsCreateUserRequest): Promise<{ id: string; username: string }>;
  get(conn: number, id: string): Promise<{ id: string }>;
  /** Resolves with the number of users streamed. */
  list(conn: number, limit: number): Promise<number>;
  close(): void;
}

async function grpcjsApi(): Promise<UserApi> {
  const UserService = loadUserService();
  type C = grpc.Client & {
    CreateUser(r: JsCreateUserRequest, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, u?: JsUser) => void): void;
    GetUser(r: { id: string }, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, u?: JsUser) => void): void;
    ListUsers(r: { limit: number }, md: grpc.Metadata): grpc.ClientReadableStream<JsUser>;
  };
  const clients: C[] = [];
  for (let i = 0; i < connections; i++) {
    clients.push(new UserService(target, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1, "bench.connection": i }) as unknown as C);
  }
  const md = new grpc.Metadata();
  md.set("authorization", `Bearer ${values.token}`);
  return {
    create: (conn, r) => new Promise((res, rej) => clients[conn].CreateUser(r, md, (e, u) => (e ? rej(e) : res(u!)))),
    get: (conn, uid) => new Promise((res, rej) => clients[conn].GetUser({ id: uid }, md, (e, u) => (e ? rej(e) : res(u!)))),
    list: (conn, limit) =>
      new Promise((res, rej) => {
        let n = 0;
        const s = clients[conn].ListUsers({ limit }, md);
        s.on("data", () => n++);
        s.on("error", rej);
        s.on("end", () => res(n));
      }),
    close: () => clients.forEach((c) => c.close()),
  };
}

async function oursApi(): Promise<UserApi> {
  const { UserServiceClient } = await import("../../src/service/user-client.js");
  const clients = Array.from({ length: connections }, () => new UserServiceClient({ target, token: values.token }));
  return {
    create: (conn, r) => clients[conn].createUser(r),
    get: (conn, uid) => clients[conn].getUser(uid),
    async list(conn, limit) {
      let n = 0;
      for await (const _u of clients[conn].listUsers({ limit })) n++;
      return n;
    },
    close: () => clients.forEach((c) => void c.close()),
  };
}

const api = values.impl === "ours" ? await oursApi() : await grpcjsApi();
let seq = 0;
const prefix = `b${process.pid.toString(36)}${Date.now().toString(36)}`;

const makers: Record<string, (conn: number) => OneCall> = {
  CreateUser: (conn) => async () => {
    const name = `${prefix}_${seq++}`;
    const u = await api.create(conn, { username: name, email: `${name}@bench.example`, fullName: "Bench User", role: 1 });
    if (u.username !== name || u.id === "") throw new Error(`CreateUser returned ${JSON.stringify(u).slice(0, 100)}`);
    return 1;
  },
  GetUser: (conn) => async () => {
    const u = await api.get(conn, id);
    if (u.id !== id) throw new Error(`GetUser returned id ${u.id}`);
    return 1;
  },
  ListUsers: (conn) => async () => {
    const n = await api.list(conn, listSize);
    if (n !== listSize) throw new Error(`ListUsers streamed ${n} users, expected ${listSize}`);
    return n;
  },
};
const make = makers[values.call];
if (make === undefined) throw new Error(`unknown --call ${values.call}`);

const result = await runLoop({
  ...loopSettings(values),
  bytesPerCall: 0,
  worker: make,
});
process.stdout.write(JSON.stringify(result) + "\n");
api.close();
process.exit(0);
