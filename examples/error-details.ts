// Error details (google.rpc.Status in the `grpc-status-details-bin` trailer): the server fails a
// call with a status, a message, a BadRequest, an ErrorInfo, a detail of its own message type and
// trailing metadata; the client reads each back from the GrpcError.
//
//   npx tsx examples/error-details.ts        (npm run examples runs it too)

import assert from "node:assert/strict";
import { Channel, Client, GrpcError, Metadata, Status, clientMethods } from "../src/client/index.js";
import { CreateUserRequestCodec, UserCodec } from "../src/schema/user.js";
import { Server, defineService } from "../src/server/index.js";
import { anyTypeName } from "../src/wire/status-details.js";
import { statusName } from "../src/wire/status.js";

const Users = defineService("user.UserService", {
  CreateUser: { kind: "unary", requestCodec: CreateUserRequestCodec, responseCodec: UserCodec },
});

const taken = UserCodec.create({ id: "1", username: "alice", email: "alice@example.com" });
const server = new Server().addService(Users, {
  CreateUser(req) {
    if (!req.email.includes("@")) {
      throw new GrpcError(Status.INVALID_ARGUMENT, "invalid user").addBadRequest([
        { field: "email", description: "must contain @" },
        ...(req.username === "" ? [{ field: "username", description: "required" }] : []),
      ]);
    }
    if (req.username === taken.username) {
      throw new GrpcError(Status.ALREADY_EXISTS, `username ${req.username} is taken`, { metadata: new Metadata({ "retry-with": `${req.username}2` }) })
        .addErrorInfo("USERNAME_TAKEN", "users.example.com", { username: req.username })
        .addDetail(UserCodec, taken); // any message type can be a detail
    }
    return UserCodec.create({ id: "2", username: req.username, email: req.email });
  },
});
const port = await server.listen({ port: 0 });
const channel = new Channel(`127.0.0.1:${port}`);
const client = new Client(channel);
const m = clientMethods(Users);

async function failure(p: Promise<unknown>): Promise<GrpcError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GrpcError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

const invalid = await failure(client.unary(m.CreateUser, { username: "", email: "nope", fullName: "", role: 0 }));
console.log(`${statusName(invalid.code)} (${invalid.code}): ${invalid.rawMessage}`);
for (const v of invalid.badRequest?.fieldViolations ?? []) console.log(`  field ${v.field}: ${v.description}`);
assert.equal(invalid.code, Status.INVALID_ARGUMENT);
assert.deepEqual(invalid.badRequest?.fieldViolations.map((v) => v.field), ["email", "username"]);

const conflict = await failure(client.unary(m.CreateUser, { username: "alice", email: "a@example.com", fullName: "", role: 0 }));
console.log(`${statusName(conflict.code)}: ${conflict.rawMessage}`);
console.log(`  details: ${conflict.details.map(anyTypeName).join(", ")}`);
console.log(`  ErrorInfo reason ${conflict.errorInfo?.reason}, metadata ${JSON.stringify(conflict.errorInfo?.metadata)}`);
console.log(`  the existing user: ${conflict.findDetail(UserCodec)?.email}`);
console.log(`  trailing metadata retry-with: ${conflict.metadata.get("retry-with")}`);
assert.equal(conflict.errorInfo?.reason, "USERNAME_TAKEN");
assert.equal(conflict.findDetail(UserCodec)?.id, "1");
assert.equal(conflict.metadata.get("retry-with"), "alice2");

await channel.close();
await server.shutdown(1_000);
