// Every RPC of user.UserService through @grpc/grpc-js (a real third-party client, proto-loader on
// proto/user.proto), against our service: the wire contract, not just our client, is right.

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestCodec, StatusCodec } from "../../src/schema/google-rpc.js";
import { STORE_KINDS } from "../support/stores.js";
import { TOKENS, startTestService, type TestService } from "./support.js";

interface JsUser {
  id: string;
  username: string;
  email: string;
  fullName: string;
  role: string;
  createdAt: string;
  updatedAt: string;
}
type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
interface JsUserClient extends grpc.Client {
  CreateUser(req: object, md: grpc.Metadata, cb: Callback<JsUser>): grpc.ClientUnaryCall;
  GetUser(req: object, md: grpc.Metadata, cb: Callback<JsUser>): grpc.ClientUnaryCall;
  DeleteUser(req: object, md: grpc.Metadata, cb: Callback<{ success: boolean }>): grpc.ClientUnaryCall;
  ListUsers(req: object, md: grpc.Metadata): grpc.ClientReadableStream<JsUser>;
  BatchCreateUsers(md: grpc.Metadata, cb: Callback<{ createdCount: number; userIds: string[] }>): grpc.ClientWritableStream<object>;
  StreamUserUpdates(md: grpc.Metadata): grpc.ClientDuplexStream<object, { userId: string; success: boolean; message: string }>;
}

const definition = protoLoader.loadSync("proto/user.proto", { keepCase: false, longs: String, enums: String, defaults: true });
const UserService = (grpc.loadPackageDefinition(definition).user as grpc.GrpcObject).UserService as grpc.ServiceClientConstructor;

let t: TestService;
let client: JsUserClient;

const md = (token: string | null = TOKENS.admin, extra: Record<string, string> = {}): grpc.Metadata => {
  const m = new grpc.Metadata();
  if (token !== null) m.set("authorization", `Bearer ${token}`);
  for (const [k, v] of Object.entries(extra)) m.set(k, v);
  return m;
};

function unary<T>(fn: (cb: Callback<T>) => grpc.ClientUnaryCall): Promise<{ value: T; headers: grpc.Metadata }> {
  return new Promise((resolve, reject) => {
    let headers = new grpc.Metadata();
    const call = fn((err, value) => (err ? reject(err) : resolve({ value: value as T, headers })));
    call.on("metadata", (h) => (headers = h));
  });
}

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (e) {
    return e as grpc.ServiceError;
  }
  throw new Error("expected the call to fail");
}

function collect<T>(stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<object, T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    stream.on("data", (m: T) => out.push(m));
    stream.on("error", reject);
    stream.on("end", () => resolve(out));
  });
}

let n = 0;
const fresh = () => {
  n++;
  return { username: `js_${n}`, email: `js.${n}@example.com`, fullName: `Js ${n}` };
};

describe.each(STORE_KINDS)("on the $name store", (kind) => {
  beforeAll(async () => {
    t = await startTestService({}, (await kind.fresh()).store);
    client = new UserService(t.target, grpc.credentials.createInsecure()) as unknown as JsUserClient;
  });
  afterAll(async () => {
    client.close();
    await t.close();
    await kind.teardown();
  });

  describe("user.UserService through @grpc/grpc-js", () => {
    it("CreateUser and GetUser, with x-request-id echoed in the headers", async () => {
      const { value: u, headers } = await unary<JsUser>((cb) => client.CreateUser({ ...fresh(), role: "ROLE_ADMIN" }, md(TOKENS.admin, { "x-request-id": "js-1" }), cb));
      expect(headers.get("x-request-id")).toEqual(["js-1"]);
      expect(u.role).toBe("ROLE_ADMIN");
      expect(u.createdAt).toBe(u.updatedAt);
      expect(Number(u.createdAt)).toBeGreaterThan(1.6e12);
      const { value: got, headers: h2 } = await unary<JsUser>((cb) => client.GetUser({ id: u.id }, md(TOKENS.user), cb));
      expect(got).toEqual(u);
      expect(String(h2.get("x-request-id")[0])).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("INVALID_ARGUMENT carries a google.rpc.BadRequest in grpc-status-details-bin", async () => {
      const e = await failure(unary((cb) => client.CreateUser({ username: "x", email: "y" }, md(), cb)));
      expect(e.code).toBe(grpc.status.INVALID_ARGUMENT);
      const bin = e.metadata.get("grpc-status-details-bin")[0] as Buffer;
      const st = StatusCodec.decode(bin);
      expect(st.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(st.details[0].typeUrl).toBe("type.googleapis.com/google.rpc.BadRequest");
      expect(BadRequestCodec.decode(st.details[0].value).fieldViolations.map((v) => v.field)).toEqual(["username", "email"]);
    });

    it("a failing call still delivers its response headers: x-request-id on a NOT_FOUND GetUser", async () => {
      const seen = await new Promise<{ headers: grpc.Metadata | undefined; err: grpc.ServiceError | null }>((resolve) => {
        let headers: grpc.Metadata | undefined;
        const call = client.GetUser({ id: "nope" }, md(TOKENS.admin, { "x-request-id": "js-404" }), (err) => resolve({ headers, err }));
        call.on("metadata", (h) => (headers = h));
      });
      expect(seen.err?.code).toBe(grpc.status.NOT_FOUND);
      expect(seen.headers?.get("x-request-id")).toEqual(["js-404"]);
      // The status travels in trailers, not folded into the headers.
      expect(seen.headers?.get("grpc-status")).toEqual([]);
    });

    it("status codes: UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, ALREADY_EXISTS", async () => {
      expect((await failure(unary((cb) => client.GetUser({ id: "x" }, md(null), cb)))).code).toBe(grpc.status.UNAUTHENTICATED);
      expect((await failure(unary((cb) => client.CreateUser(fresh(), md(TOKENS.user), cb)))).code).toBe(grpc.status.PERMISSION_DENIED);
      expect((await failure(unary((cb) => client.GetUser({ id: "nope" }, md(), cb)))).code).toBe(grpc.status.NOT_FOUND);
      const item = fresh();
      await unary((cb) => client.CreateUser(item, md(), cb));
      expect((await failure(unary((cb) => client.CreateUser(item, md(), cb)))).code).toBe(grpc.status.ALREADY_EXISTS);
    });

    it("takes gzip-compressed requests", async () => {
      const gz = new UserService(t.target, grpc.credentials.createInsecure(), { "grpc.default_compression_algorithm": 2 }) as unknown as JsUserClient;
      try {
        const fullName = "z".repeat(256); // the longest full_name allowed
        const { value } = await unary<JsUser>((cb) => gz.CreateUser({ ...fresh(), fullName }, md(), cb));
        expect(value.fullName).toBe(fullName);
      } finally {
        gz.close();
      }
    });

    it("ListUsers streams in creation order with filter and limit", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await unary<JsUser>((cb) => client.CreateUser({ ...fresh(), role: "ROLE_MODERATOR" }, md(), cb))).value.id);
      const mods = await collect(client.ListUsers({ roleFilter: "moderator" }, md(TOKENS.user)));
      expect(mods.map((u) => u.id)).toEqual(ids);
      const two = await collect(client.ListUsers({ roleFilter: "ROLE_MODERATOR", limit: 2 }, md(TOKENS.user)));
      expect(two.map((u) => u.id)).toEqual(ids.slice(0, 2));
      const bad = await failure(collect(client.ListUsers({ limit: -5 }, md())));
      expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it("BatchCreateUsers commits all at half-close, or nothing", async () => {
      const ok = await new Promise<{ createdCount: number; userIds: string[] }>((resolve, reject) => {
        const s = client.BatchCreateUsers(md(), (err, r) => (err ? reject(err) : resolve(r!)));
        s.write(fresh());
        s.write(fresh());
        s.end();
      });
      expect(ok.createdCount).toBe(2);
      expect(ok.userIds).toHaveLength(2);
      const count = await t.app.store.count();
      const err = await failure(
        new Promise((resolve, reject) => {
          const s = client.BatchCreateUsers(md(), (e, r) => (e ? reject(e) : resolve(r)));
          s.write(fresh());
          s.write({ ...fresh(), email: "bad" });
          s.end();
        }),
      );
      expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await t.app.store.count()).toBe(count);
    });

    it("StreamUserUpdates answers each request in order", async () => {
      const { value: u } = await unary<JsUser>((cb) => client.CreateUser(fresh(), md(), cb));
      const s = client.StreamUserUpdates(md(TOKENS.moderator));
      const answers = collect(s);
      s.write({ userId: u.id, field: "full_name", value: "From grpc-js" });
      s.write({ userId: u.id, field: "role", value: "admin" });
      s.write({ userId: "nobody", field: "email", value: "a@b.io" });
      s.end();
      expect((await answers).map((a) => [a.userId, a.success])).toEqual([
        [u.id, true],
        [u.id, false],
        ["nobody", false],
      ]);
      const { value: after } = await unary<JsUser>((cb) => client.GetUser({ id: u.id }, md(), cb));
      expect(after.fullName).toBe("From grpc-js");
      expect(BigInt(after.updatedAt) > BigInt(u.updatedAt)).toBe(true);
    });

    it("DeleteUser then NOT_FOUND", async () => {
      const { value: u } = await unary<JsUser>((cb) => client.CreateUser(fresh(), md(), cb));
      expect((await unary<{ success: boolean }>((cb) => client.DeleteUser({ id: u.id }, md(), cb))).value).toEqual({ success: true });
      expect((await failure(unary((cb) => client.DeleteUser({ id: u.id }, md(), cb)))).code).toBe(grpc.status.NOT_FOUND);
    });
  });
});
