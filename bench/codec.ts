// Codec benchmark (issue 2): encode and decode of one User and of a 100-user batch, our hand-written
// codec against protobufjs (loaded from proto/user.proto) in the same process. Not a test: prints
// median ops/s over several rounds and the ratio ours / protobufjs.
//
//   npm run bench:codec               (default: 7 rounds of 300 ms per side and case)
//   ROUNDS=15 ROUND_MS=1000 npm run bench:codec
//   GENERIC_USER=1 npm run bench:codec   (user.User through the generic table codec, without its fast path)

import protobuf from "protobufjs";
import { defineMessage, type FieldOf } from "../src/codec/index.js";
import { UserCodec as UserFastPath, type User } from "../src/schema/user.js";

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ROUND_MS = Number(process.env.ROUND_MS ?? 300);

const UserCodec = process.env.GENERIC_USER
  ? defineMessage<User>("user.User", UserFastPath.fields as readonly FieldOf<User>[])
  : UserFastPath;

// ---- the batch wrapper: message UserList { repeated user.User users = 1; } --------------------

interface UserList {
  users: User[];
}

const UserListCodec = defineMessage<UserList>("bench.UserList", [
  { no: 1, name: "users", type: "message", repeated: true, message: () => UserCodec },
]);

const root = protobuf.loadSync("proto/user.proto");
const userNs = root.lookup("user") as protobuf.Namespace;
userNs.add(new protobuf.Type("UserList").add(new protobuf.Field("users", 1, "User", "repeated")));
root.resolveAll();
const PbUser = root.lookupType("user.User");
const PbUserList = root.lookupType("user.UserList");

// ---- data: realistic users, a few with non-ASCII names -----------------------------------------

const NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "José Müller", "Edsger Dijkstra", "Barbara Liskov", "Zoë Ångström"];
// Strings are made flat, as they are when they come from a decoder, JSON.parse or randomUUID():
// the template literals below would otherwise be cons strings, which slow every encoder's
// charCodeAt loop alike.
function flat(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}
function makeUser(i: number): User {
  const created = 1_732_000_000_000n + BigInt(i) * 7919n;
  return {
    id: flat(`6f1c2a3e-${(1000 + i).toString(16).padStart(4, "0")}-4b5c-9d8e-0123456789ab`),
    username: flat(`user_${i}`),
    email: flat(`user${i}@example.com`),
    fullName: flat(NAMES[i % NAMES.length]),
    role: (i % 3) + 1,
    createdAt: created,
    updatedAt: created + 1234n,
  };
}
const ours1 = makeUser(7);
const ours100: UserList = { users: Array.from({ length: 100 }, (_, i) => makeUser(i)) };
// protobufjs' natural input: int64 as number.
function toPb(u: User): Record<string, unknown> {
  return { ...u, createdAt: Number(u.createdAt), updatedAt: Number(u.updatedAt) };
}
const pb1 = PbUser.fromObject(toPb(ours1));
const pb100 = PbUserList.fromObject({ users: ours100.users.map(toPb) });

const bytes1 = UserCodec.encode(ours1);
const bytes100 = UserListCodec.encode(ours100);
// Same bytes from both encoders (fields in number order, defaults skipped).
if (!bytes1.equals(PbUser.encode(pb1).finish()) || !bytes100.equals(PbUserList.encode(pb100).finish())) {
  throw new Error("our encoding differs from protobufjs' for the benchmark data");
}

// ---- measurement -------------------------------------------------------------------------------

let sink = 0; // keeps results alive so the work is not optimised away

// Ops per CPU-second of this process (process.cpuUsage: user + system, all threads, so GC work
// counts), measured over ROUND_MS of wall time. On a shared machine CPU time is far steadier than
// wall time, because time spent descheduled is not counted.
function rate(fn: () => unknown): number {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  let ops = 0;
  while (performance.now() - wallStart < ROUND_MS) {
    for (let i = 0; i < 200; i++) {
      const r = fn();
      if (r === undefined) sink++;
    }
    ops += 200;
  }
  const cpu = process.cpuUsage(cpuStart);
  return (ops * 1e6) / (cpu.user + cpu.system);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Case {
  name: string;
  ours: () => unknown;
  theirs: () => unknown;
}

const cases: Case[] = [
  { name: `encode User (${bytes1.length} B)`, ours: () => UserCodec.encode(ours1), theirs: () => PbUser.encode(pb1).finish() },
  { name: `decode User (${bytes1.length} B)`, ours: () => UserCodec.decode(bytes1), theirs: () => PbUser.decode(bytes1) },
  { name: `encode 100 users (${bytes100.length} B)`, ours: () => UserListCodec.encode(ours100), theirs: () => PbUserList.encode(pb100).finish() },
  { name: `decode 100 users (${bytes100.length} B)`, ours: () => UserListCodec.decode(bytes100), theirs: () => PbUserList.decode(bytes100) },
];

// Warm-up: let both sides reach optimised code before measuring.
for (const c of cases) {
  for (let i = 0; i < 20_000; i++) {
    c.ours();
    c.theirs();
  }
}

const rows: string[][] = [];
for (const c of cases) {
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so drift on a shared machine hits both sides alike.
    let x: number;
    let y: number;
    if (round % 2 === 0) {
      x = rate(c.ours);
      y = rate(c.theirs);
    } else {
      y = rate(c.theirs);
      x = rate(c.ours);
    }
    a.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  rows.push([c.name, fmt(median(a)), fmt(median(b)), `${median(ratios).toFixed(2)}×`, `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`]);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

const head = ["case", "ours ops/s", "protobufjs ops/s", "ours/protobufjs", "range"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => "| " + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
console.log(`node ${process.version}, protobufjs 7; ops per CPU-second, median of ${ROUNDS} alternating rounds × ${ROUND_MS} ms; ratio = median of the per-round ratios (range: min–max)`);
console.log(line(head));
console.log("|" + widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|");
for (const r of rows) console.log(line(r));
if (sink < 0) console.log(sink);
