// The user-service scenarios: seeding a server with users, measuring the exact response size of
// fixed requests (for h2load's check), and running the load generators against the service.
import * as grpc from "@grpc/grpc-js";
import { failed, runH2loadCall, runNodeGenerator } from "./generators.js";
import type { GenResult, GeneratorId, Load } from "./generators.js";
import { frame } from "./wire-bytes.js";
import { rawCall, splitFrames } from "./raw-call.js";
import { loadUserService } from "./grpcjs-user.js";
import { BENCH_TOKEN } from "./servers.js";
import type { UserCall } from "./scenarios.js";

export interface UserFixture {
  /** An existing user's id, for GetUser. */
  userId: string;
  /** ListUsers asks for this many (limit), all of which exist. */
  listSize: number;
  getBody: Buffer;
  listBody: Buffer;
  /** Exact response DATA bytes of one GetUser / ListUsers call. */
  getData: number;
  listData: number;
}

const AUTH = `Bearer ${BENCH_TOKEN}`;

function lenField(field: number, s: string): Buffer {
  const b = Buffer.from(s);
  if (b.length > 127) throw new Error("id too long for the one-byte length used here");
  return Buffer.concat([Buffer.from([(field << 3) | 2, b.length]), b]);
}
function varintField(field: number, n: number): Buffer {
  const out = [field << 3];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** The id the floor's canned users carry (it stores nothing; any id gets the same answer). */
const CANNED_ID = "00000000-0000-4000-8000-000000000000";

/** Seeds `n` users through BatchCreateUsers (grpc-js client), then measures the fixed calls. A canned
 *  server (the floor) is not seeded: its GetUser answer is measured as it is. */
export async function prepareUserServer(port: number, n: number, canned = false): Promise<UserFixture> {
  if (canned) {
    const getBody = frame(lenField(1, CANNED_ID));
    const get = await rawCall(port, "/user.UserService/GetUser", getBody, { authorization: AUTH });
    if (get.status !== "0") throw new Error(`preflight failed: GetUser status ${get.status}`);
    return { userId: CANNED_ID, listSize: n, getBody, listBody: Buffer.alloc(0), getData: get.data.length, listData: 0 };
  }
  const UserService = loadUserService();
  const client = new UserService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  md.set("authorization", AUTH);
  let firstId = "";
  try {
    for (let start = 0; start < n; start += 1000) {
      const ids = await new Promise<string[]>((resolve, reject) => {
        const call = (client as unknown as { BatchCreateUsers(md: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: { userIds: string[] }) => void): grpc.ClientWritableStream<unknown> }).BatchCreateUsers(md, (e, r) =>
          e ? reject(e) : resolve(r!.userIds),
        );
        for (let i = start; i < Math.min(n, start + 1000); i++) {
          call.write({ username: `seed_${i}`, email: `seed_${i}@bench.example`, fullName: `Seed User ${i}`, role: 1 + (i % 3) });
        }
        call.end();
      });
      if (firstId === "") firstId = ids[0];
    }
  } finally {
    client.close();
  }
  const getBody = frame(lenField(1, firstId));
  const listBody = frame(varintField(2, n));
  const auth = { authorization: AUTH };
  const get = await rawCall(port, "/user.UserService/GetUser", getBody, auth);
  const list = await rawCall(port, "/user.UserService/ListUsers", listBody, auth);
  if (get.status !== "0" || list.status !== "0") throw new Error(`preflight failed: GetUser status ${get.status}, ListUsers status ${list.status}`);
  const listed = splitFrames(list.data).length;
  if (listed !== n) throw new Error(`preflight: ListUsers streamed ${listed} users, expected ${n}`);
  return { userId: firstId, listSize: n, getBody, listBody, getData: get.data.length, listData: list.data.length };
}

export async function runUserLoad(gen: GeneratorId, port: number, serverPid: number, call: UserCall, f: UserFixture, load: Load, onTick?: () => void): Promise<GenResult> {
  if (gen === "h2load") {
    if (call === "CreateUser") return failed("h2load sends one fixed body: CreateUser would clash after the first call");
    const list = call === "ListUsers";
    return runH2loadCall(
      port,
      serverPid,
      {
        path: `/user.UserService/${call}`,
        body: list ? f.listBody : f.getBody,
        headers: [`authorization: ${AUTH}`],
        responseData: list ? f.listData : f.getData,
        messagesPerCall: list ? f.listSize : 1,
        bytesPerCall: list ? f.listData : f.getData,
      },
      load,
      onTick,
    );
  }
  if (gen === "ghz") return failed("ghz is not used for the user service");
  if (gen === "h2raw") {
    if (call !== "CreateUser") return failed("h2raw drives only CreateUser");
    return runH2raw(port, serverPid, load, onTick);
  }
  const args = [
    ...["--impl", gen === "ours-client" ? "ours" : "grpcjs", "--target", `127.0.0.1:${port}`, "--call", call, "--token", BENCH_TOKEN],
    ...["--id", f.userId, "--list", String(f.listSize)],
  ];
  return runNodeGenerator("user load generator", "bench/loadgen/user-loadgen.ts", args, load, serverPid, onTick);
}

/** CreateUser from bench/loadgen/h2raw-loadgen.ts: HTTP/2 written by hand, a new user per call. */
async function runH2raw(port: number, serverPid: number, load: Load, onTick?: () => void): Promise<GenResult> {
  const args = ["--target", `127.0.0.1:${port}`, "--token", BENCH_TOKEN];
  return runNodeGenerator("h2raw generator", "bench/loadgen/h2raw-loadgen.ts", args, load, serverPid, onTick);
}
