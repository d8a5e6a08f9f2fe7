// The scenarios: the shapes of gRPC's benchmark suite, each a list of cases, each case a set of
// subjects (server × load generator) measured side by side, interleaved.
import type { CallShape, GeneratorId } from "./generators.js";
import type { ServerId } from "./servers.js";

export type UserCall = "CreateUser" | "GetUser" | "ListUsers";

export interface CaseLoad {
  call: CallShape;
  connections: number;
  streams: number;
  payload: number;
  count: number;
  /** User-service scenarios: which RPC (the echo shapes are ignored then). */
  user?: UserCall;
}

export interface Subject {
  server: ServerId;
  generator: GeneratorId;
}

export interface Case {
  id: string;
  title: string;
  load: CaseLoad;
  subjects: Subject[];
  /** "servers": one generator, several servers (a difference is the server's).
   *  "clients": one server, several generators (a difference is the client's). */
  compare: "servers" | "clients";
  /** What to rank by: calls/s, or messages/s for streams. */
  metric: "calls" | "messages";
  /** Restart (and re-seed) the case's servers before its first run: the case starts from the seeded
   *  store, whatever the cases before it created. */
  freshServers?: boolean;
}

export interface Scenario {
  id: string;
  title: string;
  about: string;
  cases: Case[];
}

const ECHO_SERVERS: ServerId[] = ["floor", "grpcjs", "grpcgo", "ours"];
/** The user-service contenders; with BENCH_BASELINE set, our baseline checkout too (A/B in one run). */
const USER_SERVERS = (): ServerId[] => ["floor", "grpcjs-user", "ours-user", ...(process.env.BENCH_BASELINE ? (["ours-user-base"] as const) : [])];

function userCase(user: UserCall, connections: number, streams: number, generator: GeneratorId, list: ServerId[]): Case {
  const list1 = user === "ListUsers";
  return {
    id: list1 ? user : `${user}-${connections}x${streams}`,
    title: list1 ? "ListUsers (10 000 users), 1×1" : `${user} ${connections}×${streams}`,
    load: { call: list1 ? "server-stream" : "unary", connections, streams, payload: 0, count: 10_000, user },
    subjects: servers(generator, list),
    compare: "servers",
    metric: list1 ? "messages" : "calls",
    // A CreateUser run adds a user per call (30,000+ a second): each case starts from the 10,000
    // seeded users, so its figures do not depend on the case before it, and a long run stays below
    // the service's MAX_USERS (1,000,000 by default; past it a create is RESOURCE_EXHAUSTED).
    ...(user === "CreateUser" ? { freshServers: true } : {}),
  };
}
const KiB = 1024;

function servers(generator: GeneratorId, list: ServerId[] = ECHO_SERVERS): Subject[] {
  return list.map((server) => ({ server, generator }));
}

function unary(id: string, title: string, connections: number, streams: number, payload: number): Case {
  return { id, title, load: { call: "unary", connections, streams, payload, count: 1 }, subjects: servers("h2load"), compare: "servers", metric: "calls" };
}

function size(n: number): string {
  return n >= 1 << 20 ? `${n >> 20} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} B`;
}

export const SCENARIOS: Scenario[] = [
  {
    id: "unary-latency",
    title: "Unary ping-pong latency",
    about: "1 connection, 1 call in flight, empty payload; h2load drives every server.",
    cases: [unary("pingpong", "unary 1×1, 0 B", 1, 1, 0)],
  },
  {
    id: "unary-throughput",
    title: "Unary throughput (clients × calls in flight)",
    about: "The 1a–3b matrix: 1, 10, 100 connections × 1 or 10 calls in flight each, empty payload; h2load drives every server.",
    cases: [
      unary("1a", "1a: 1×1", 1, 1, 0),
      unary("1b", "1b: 1×10", 1, 10, 0),
      unary("2a", "2a: 10×1", 10, 1, 0),
      unary("2b", "2b: 10×10", 10, 10, 0),
      unary("3a", "3a: 100×1", 100, 1, 0),
      unary("3b", "3b: 100×10", 100, 10, 0),
    ],
  },
  {
    id: "unary-payload",
    title: "Unary payload sizes",
    about: "1 connection × 10 calls in flight, request and response of the same size; h2load drives every server.",
    cases: [0, KiB, 64 * KiB, 1 << 20].map((p) => unary(`p${p}`, `unary 1×10, ${size(p)}`, 1, 10, p)),
  },
  {
    id: "streaming",
    title: "Streaming",
    about:
      "Server streaming (h2load asks for N messages per call), client streaming (h2load sends N pre-framed messages), " +
      "bidi ping-pong (the grpc-js client, one message in flight per stream), and many concurrent streams on one connection.",
    cases: [
      { id: "ss-small", title: "server-stream 1×1, 1000 × 16 B", load: { call: "server-stream", connections: 1, streams: 1, payload: 16, count: 1000 }, subjects: servers("h2load"), compare: "servers", metric: "messages" },
      { id: "ss-large", title: "server-stream 1×1, 100 × 64 KiB", load: { call: "server-stream", connections: 1, streams: 1, payload: 64 * KiB, count: 100 }, subjects: servers("h2load"), compare: "servers", metric: "messages" },
      { id: "cs-small", title: "client-stream 1×1, 1000 × 16 B", load: { call: "client-stream", connections: 1, streams: 1, payload: 16, count: 1000 }, subjects: servers("h2load"), compare: "servers", metric: "messages" },
      { id: "bidi-pingpong", title: "bidi ping-pong 1×1, 16 B", load: { call: "bidi", connections: 1, streams: 1, payload: 16, count: 1 }, subjects: servers("grpcjs-client"), compare: "servers", metric: "calls" },
      { id: "ss-many", title: "server-stream 1×100 streams, 100 × 16 B", load: { call: "server-stream", connections: 1, streams: 100, payload: 16, count: 100 }, subjects: servers("h2load"), compare: "servers", metric: "messages" },
    ],
  },
  {
    id: "clients",
    title: "Clients against the same server",
    about: "Every client drives the same server (the floor, then grpc-go), unary with an empty payload; h2load and ghz for reference.",
    cases: (["floor", "grpcgo"] as const).flatMap((server) =>
      ([[1, 1], [1, 10], [10, 10]] as const).map(([c, m]): Case => ({
        id: `${server}-${c}x${m}`,
        title: `unary ${c}×${m} → ${server === "floor" ? "floor" : "grpc-go"}`,
        load: { call: "unary", connections: c, streams: m, payload: 0, count: 1 },
        subjects: (["ours-client", "grpcjs-client", "ghz", "h2load"] as const).map((generator) => ({ server, generator })),
        compare: "clients",
        metric: "calls",
      })),
    ),
  },
  {
    id: "service",
    title: "The user service: ours vs the same service on grpc-js, and the floor",
    about:
      "The user service started as `npm start` starts it, call log on (default level, stderr to a file), against its grpc-js twin " +
      "(one pino JSON line per call, same fields) and the floor (canned users); GetUser and CreateUser at 1×10 and 4×16 " +
      "(connections × calls in flight), GetUser driven by h2load, CreateUser by bench/loadgen/h2raw-loadgen.ts (HTTP/2 frames " +
      "written by hand, a new user per call: h2load's one fixed body cannot create one, and node's HTTP/2 client saturates its core " +
      "first); our echo server at the same loads, for the service layer's CPU per call above the " +
      "transport; ListUsers (10 000 users) 1×1 with h2load. Each CreateUser case restarts and re-seeds its servers first.",
    // GetUser (and the echo beside it) first, on the seeded store alone: the CreateUser cases add
    // 100,000+ users per server, and a heap that large costs every later call more garbage
    // collection (GetUser 4×16: +18 % CPU per call after ~170,000 creates), so in the old order
    // GetUser's figures depended on how fast CreateUser had just run.
    cases: [
      ...([[1, 10], [4, 16]] as const).flatMap(([c, m]): Case[] => [
        userCase("GetUser", c, m, "h2load", USER_SERVERS()),
        {
          id: `echo-${c}x${m}`,
          title: `echo unary ${c}×${m}, 0 B (the transport alone)`,
          load: { call: "unary", connections: c, streams: m, payload: 0, count: 1 },
          subjects: servers("h2load", ["ours"]),
          compare: "servers",
          metric: "calls",
        },
      ]),
      ...([[1, 10], [4, 16]] as const).map(([c, m]) => userCase("CreateUser", c, m, "h2raw", USER_SERVERS())),
      userCase("ListUsers", 1, 1, "h2load", USER_SERVERS().filter((s) => s !== "floor")),
    ],
  },
];

/** `npm run bench:unary` (issue 3): every echo server under each load generator, side by side. */
export const UNARY_SCENARIO: Scenario = {
  id: "unary",
  title: "Unary echo: servers × load generators",
  about: "Floor, grpc-js, grpc-go and ours, each driven by h2load, the grpc-js client and our client, empty payload.",
  cases: ([[1, 1], [10, 10]] as const).map(([c, m]): Case => ({
    id: `u${c}x${m}`,
    title: `unary ${c}×${m}, 0 B`,
    load: { call: "unary", connections: c, streams: m, payload: 0, count: 1 },
    subjects: (["h2load", "grpcjs-client", "ours-client"] as const).flatMap((g) => servers(g)),
    compare: "servers",
    metric: "calls",
  })),
};

export const ALL_SCENARIOS: Scenario[] = [...SCENARIOS, UNARY_SCENARIO];

/** What `npm run bench` runs without --scenario. */
export const DEFAULT_SCENARIOS = SCENARIOS.map((s) => s.id);
