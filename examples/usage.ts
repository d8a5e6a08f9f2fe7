// The seed's "Example Usage", in TypeScript, against a running server:
//
//   npm start                       # prints the address and, without AUTH_TOKENS, an admin token
//   USERCTL_TOKEN=<token> npx tsx examples/usage.ts [host:port]
//
// Every call kind once: unary (CreateUser, GetUser, DeleteUser), server streaming (ListUsers),
// client streaming (BatchCreateUsers) and bidirectional streaming (StreamUserUpdates).
// Timestamps (int64 milliseconds, bigint in TypeScript) are printed as ISO dates; a failed call
// (server down, bad token) is one line on stderr and exit code 1. `npm run examples` runs it.

import { Role } from "../src/schema/user.js";
import { UserServiceClient } from "../src/service/user-client.js";
import { GrpcError } from "../src/wire/grpc-error.js";
import { Status } from "../src/wire/status.js";

const target = process.argv[2] ?? process.env.USERCTL_TARGET ?? "localhost:50051";
const token = process.env.USERCTL_TOKEN;
if (token === undefined) {
  console.error("set USERCTL_TOKEN to an admin token (npm start prints one)");
  process.exit(64);
}

/** int64 milliseconds since the epoch → "2026-12-04T09:00:00.000Z". */
const iso = (ms: bigint): string => new Date(Number(ms)).toISOString();

const client = new UserServiceClient({ target, token, defaultTimeoutMs: 10_000 });
const suffix = Date.now().toString(36); // lets the example run again against the same server

try {
  // Unary RPC
  const user = await client.createUser({ username: `john_doe_${suffix}`, email: `john.${suffix}@example.com`, fullName: "John Doe", role: Role.ROLE_USER });
  console.log("created", user.id, user.username, "created_at", iso(user.createdAt));
  console.log("got", (await client.getUser(user.id)).email);

  // Server streaming
  for await (const u of client.listUsers({ limit: 10 })) console.log("listed", u.username);

  // Client streaming
  const batch = client.batchCreateUsers();
  for (const name of ["ann", "bob", "cy"]) {
    await batch.send({ username: `${name}_${suffix}`, email: `${name}.${suffix}@example.com`, fullName: name.toUpperCase() });
  }
  const created = await batch.closeAndRecv();
  console.log("batch created", created.createdCount, created.userIds);

  // Bidirectional streaming: read answers while sending.
  const updates = client.streamUserUpdates();
  const reader = (async () => {
    for await (const r of updates) console.log("update", r.userId, r.success ? "ok" : `failed: ${r.message}`);
  })();
  await updates.send({ userId: user.id, field: "full_name", value: "John Q. Doe" });
  await updates.send({ userId: user.id, field: "role", value: "moderator" });
  await updates.send({ userId: "no-such-id", field: "email", value: "x@example.com" });
  updates.end();
  await reader;

  console.log("deleted", (await client.deleteUser(user.id)).success);
  // Errors are GrpcErrors with a status code.
  await client.getUser(user.id).catch((e: unknown) => console.log("get after delete:", e instanceof GrpcError ? e.message : e));
} catch (err) {
  // One line, not a stack: what failed and what to do about it.
  const e = GrpcError.from(err);
  const hint =
    e.code === Status.UNAVAILABLE ? ` — is the server running? (npm start, then pass its host:port)` : e.code === Status.UNAUTHENTICATED ? " — set USERCTL_TOKEN to a token npm start printed or one of its AUTH_TOKENS" : "";
  console.error(`usage: ${target}: ${e.message}${hint}`);
  process.exitCode = 1;
} finally {
  await client.close();
}
