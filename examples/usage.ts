// The seed's "Example Usage", in TypeScript, against a running server:
//
//   npm start                       # prints the address and, without AUTH_TOKENS, an admin token
//   USERCTL_TOKEN=<token> npx tsx examples/usage.ts [host:port]
//
// Every call kind once: unary (CreateUser, GetUser, DeleteUser), server streaming (ListUsers),
// client streaming (BatchCreateUsers) and bidirectional streaming (StreamUserUpdates).

import { Role } from "../src/codec/user.js";
import { UserServiceClient } from "../src/service/user-client.js";
import { GrpcError } from "../src/wire/grpc-error.js";

const target = process.argv[2] ?? process.env.USERCTL_TARGET ?? "localhost:50051";
const token = process.env.USERCTL_TOKEN;
if (token === undefined) {
  console.error("set USERCTL_TOKEN to an admin token (npm start prints one)");
  process.exit(64);
}

const client = new UserServiceClient({ target, token, defaultTimeoutMs: 10_000 });
const suffix = Date.now().toString(36); // lets the example run again against the same server

try {
  // Unary RPC
  const user = await client.createUser({ username: `john_doe_${suffix}`, email: `john.${suffix}@example.com`, fullName: "John Doe", role: Role.ROLE_USER });
  console.log("created", user.id, user.username, "created_at", user.createdAt);
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
} finally {
  await client.close();
}
