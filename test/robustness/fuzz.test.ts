// A raw-socket fuzzer in the spirit of OSS-Fuzz's grpc-go FuzzHelloServer: a valid client preface,
// then random and mutated HTTP/2 frame sequences (well-formed gRPC requests, every frame type, bad
// stream ids, flags and lengths, random bytes), each on its own connection to the user service in a
// child process. Pass: 0 crashes, 0 uncaught exceptions (the child's stderr stays empty) and the
// server still serves a normal call at the end. Fixed seed; FUZZ_SEED=n explores others.

import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import * as F from "../support/h2-frames.js";
import { CreateUserRequestCodec, DeleteUserRequestCodec, GetUserRequestCodec, ListUsersRequestCodec, UserUpdateRequestCodec } from "../../src/schema/user.js";
import { NormalClient, outcome, startChildServer, userRequest, type ChildServer } from "./support.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
let server: ChildServer;

beforeAll(async () => {
  server = await startChildServer({});
});
afterAll(async () => {
  await server?.stop();
});

const METHODS = ["CreateUser", "GetUser", "ListUsers", "BatchCreateUsers", "StreamUserUpdates", "DeleteUser", "NoSuchMethod"];
// Mostly the ids a client would use, so sequences get past the connection layer to gRPC.
const streamId = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(1, 3, 5, 7, 9) },
  { weight: 1, arbitrary: fc.constantFrom(0, 2, 4, 0x7fffffff) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x7fffffff }) },
);
const flags = fc.oneof(fc.constantFrom(0, F.Flag.END_STREAM, F.Flag.END_HEADERS, F.Flag.END_STREAM | F.Flag.END_HEADERS), fc.integer({ min: 0, max: 255 }));
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));

/** A well-formed request message for `method` (a few users share names, so creates also collide). */
function validBody(method: string): fc.Arbitrary<Buffer> {
  const name = fc.constantFrom("fuzz_a", "fuzz_b", "fuzz_c");
  const id = fc.oneof(fc.uuid(), fc.constant(""), fc.string({ maxLength: 10 }));
  const create = fc.record({ username: name, email: name.map((n) => `${n}@example.com`), fullName: fc.string({ maxLength: 20 }), role: fc.integer({ min: 0, max: 4 }) });
  switch (method) {
    case "CreateUser":
    case "BatchCreateUsers":
      return create.map((r) => CreateUserRequestCodec.encode(CreateUserRequestCodec.create(r)));
    case "GetUser":
      return id.map((i) => GetUserRequestCodec.encode({ id: i }));
    case "DeleteUser":
      return id.map((i) => DeleteUserRequestCodec.encode({ id: i }));
    case "ListUsers":
      return fc.integer({ min: 0, max: 5 }).map((limit) => ListUsersRequestCodec.encode(ListUsersRequestCodec.create({ limit })));
    default:
      return fc
        .record({ userId: id, field: fc.constantFrom("full_name", "email", "role", "nope"), value: fc.string({ maxLength: 20 }) })
        .map((u) => UserUpdateRequestCodec.encode(UserUpdateRequestCodec.create(u)));
  }
}

/** A gRPC request header block with optional odd fields (encodings, timeouts, metadata). */
const requestBlock = (method: string) => fc
  .record({
    method: fc.constant(method),
    extra: fc.array(
      fc.oneof(
        fc.constantFrom<[string, string]>(
          ["grpc-encoding", "gzip"],
          ["grpc-encoding", "deflate"],
          ["grpc-encoding", "snappy"],
          ["grpc-timeout", "1m"],
          ["grpc-timeout", "99999999H"],
          ["grpc-timeout", "x"],
          ["content-type", "text/plain"],
          [":method", "GET"],
          ["te", "gzip"],
          ["x-bin", "////"],
          ["x-request-id", "fuzz"],
        ),
        fc.tuple(fc.stringMatching(/^[a-z-]{1,12}$/), fc.string({ maxLength: 40 })),
      ),
      { maxLength: 4 },
    ),
  })
  .map(({ method, extra }) => userRequest(method, extra));

/** A gRPC message: empty, random, a valid-looking protobuf, compressed flag set, or a lying length. */
const grpcBody = fc.oneof(
  bytes(64).map((b) => F.grpcMessage(b)),
  fc.constant(F.grpcMessage(Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63]))),
  bytes(32).map((b) => F.grpcMessage(b, { compressed: true })),
  fc.tuple(bytes(16), fc.integer({ min: 0, max: 0xffffffff })).map(([b, length]) => F.grpcMessage(b, { length })),
  bytes(8),
);

const frameArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(streamId, fc.constantFrom(...METHODS).chain(requestBlock), fc.boolean()).map(([id, b, end]) => F.headers(id, b, { endStream: end })) },
  { weight: 2, arbitrary: fc.tuple(streamId, fc.constantFrom(...METHODS).chain(requestBlock), fc.boolean()).map(([id, b, endH]) => F.headers(id, b, { endHeaders: endH })) },
  { weight: 2, arbitrary: fc.tuple(streamId, bytes(200), fc.boolean()).map(([id, b, end]) => F.continuation(id, b, end)) },
  { weight: 4, arbitrary: fc.tuple(streamId, grpcBody, fc.boolean()).map(([id, b, end]) => F.data(id, b, end)) },
  { weight: 2, arbitrary: fc.tuple(streamId, fc.integer({ min: 0, max: 20 })).map(([id, code]) => F.rstStream(id, code)) },
  { weight: 1, arbitrary: fc.tuple(bytes(8), fc.boolean()).map(([d, ack]) => F.ping(Buffer.concat([d, Buffer.alloc(8)]).subarray(0, 8), ack)) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.constant(0xffffffff), fc.constant(0x80000000))), { maxLength: 4 })
      .map((pairs) => F.settings(pairs)),
  },
  { weight: 1, arbitrary: fc.constant(F.settings([], true)) },
  { weight: 2, arbitrary: fc.tuple(streamId, fc.integer({ min: 0, max: 0x7fffffff })).map(([id, inc]) => F.windowUpdate(id, inc)) },
  { weight: 1, arbitrary: fc.tuple(streamId, fc.integer({ min: 0, max: 13 })).map(([id, code]) => F.goaway(id, code, "fuzz")) },
  // Any type (PRIORITY, PUSH_PROMISE, unknown 10-255), any flags, any payload.
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 255 }), flags, streamId, bytes(64)).map(([t, fl, id, p]) => F.frame(t, fl, id, p)) },
);

/** `arb` in one case of `oneIn`, null otherwise. */
function sometimes<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

/** One to three well-formed calls (HEADERS, then a DATA message that may end the stream) on streams 1, 3, 5. */
const oneCall = fc
  .constantFrom(...METHODS)
  .chain((m) => fc.tuple(requestBlock(m), fc.oneof({ weight: 3, arbitrary: validBody(m).map((b) => F.grpcMessage(b)) }, { weight: 2, arbitrary: grpcBody }), fc.boolean()));
const calls = fc.array(oneCall, { minLength: 0, maxLength: 3 }).map((cs) =>
  cs.map(([block, body, end], i) => Buffer.concat([F.headers(2 * i + 1, block), F.data(2 * i + 1, body, end)])),
);

/** Bytes, perhaps mutated: bytes flipped, a cut, or a random tail. */
const mutated = (arb: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> =>
  fc
    .tuple(
      arb,
      sometimes(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), 4),
      sometimes(fc.nat(), 8),
      sometimes(bytes(40), 8),
    )
    .map(([input, flips, cut, tail]) => {
      let all = Buffer.from(input);
      if (all.length > 0) for (const [at, v] of flips ?? []) all[at % all.length] = v;
      if (cut !== null) all = all.subarray(0, cut % (all.length + 1));
      if (tail !== null) all = Buffer.concat([all, tail]);
      return all;
    });

/** Sent in two writes: calls (so they reach the handlers), then random frames. Either may be mutated. */
const sequence = fc.record({
  calls: mutated(calls.map((c) => Buffer.concat(c))),
  chaos: mutated(fc.array(frameArb, { minLength: 1, maxLength: 8 }).map((f) => Buffer.concat(f))),
});

test(`raw-socket fuzz: ${RUNS} random and mutated frame sequences after a valid preface: no crash, no uncaught exception, the server still serves`, async () => {
  let closedByServer = 0;
  let unanswered = 0;
  await fc.assert(
    fc.asyncProperty(sequence, async ({ calls: first, chaos }) => {
      const conn = await F.RawConnection.open(server.port);
      await conn.write(first);
      await outcome(conn, 250, false);
      await conn.write(chaos);
      // A cut frame or an open header block leaves the server waiting for more: no answer is due then.
      const o = await outcome(conn, 250, false);
      if (o.closed) closedByServer++;
      if (o.unanswered) unanswered++;
      conn.destroy();
      // The child is alive and quiet after every sequence.
      expect(server.exit).toBeUndefined();
      expect(server.stderr.join("")).toBe("");
    }),
    { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261204), endOnFailure: true },
  );
  if (process.env.FUZZ_VERBOSE === "1") console.log(`fuzz: ${RUNS} sequences, ${closedByServer} connections closed by the server, ${unanswered} left waiting for more`, await server.stats());
  const normal = new NormalClient(server.target);
  try {
    expect(await normal.served()).toBe(true);
  } finally {
    normal.close();
  }
  expect(server.exit).toBeUndefined();
  expect(server.stderr.join("")).toBe("");
}, 120_000);
