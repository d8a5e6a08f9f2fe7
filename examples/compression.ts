// Compression (grpc/grpc doc/compression.md): the client compresses its requests with
// `compression: "gzip"`; the server sees `ctx.requestEncoding`, compresses its responses with
// `ctx.setResponseEncoding("gzip")`, and can send one message uncompressed with `{ compress: false }`.
// `onResponseEnvelope` shows the client each message's Compressed-Flag and size on the wire.
//
//   npx tsx examples/compression.ts        (npm run examples runs it too)

import assert from "node:assert/strict";
import { Channel, Client, clientMethods } from "../src/client/index.js";
import { CreateUserRequestCodec, ListUsersRequestCodec, UserCodec } from "../src/schema/user.js";
import { Server, defineService } from "../src/server/index.js";

const Users = defineService("user.UserService", {
  CreateUser: { kind: "unary", requestCodec: CreateUserRequestCodec, responseCodec: UserCodec },
  ListUsers: { kind: "server_streaming", requestCodec: ListUsersRequestCodec, responseCodec: UserCodec },
});
const bio = "All work and no play makes Jack a dull boy. ".repeat(100); // 4.4 KB that compresses well

const server = new Server().addService(Users, {
  CreateUser(req, ctx) {
    console.log(`server: request encoding ${ctx.requestEncoding}, compressed ${ctx.lastRequestCompressed}, full_name ${req.fullName.length} chars`);
    ctx.setResponseEncoding("gzip"); // if the client accepts gzip (ours does)
    return UserCodec.create({ id: "1", username: req.username, fullName: req.fullName });
  },
  async ListUsers(_req, ctx, out) {
    ctx.setResponseEncoding("gzip");
    await out.write(UserCodec.create({ id: "1", fullName: bio }));
    await out.write(UserCodec.create({ id: "2", fullName: bio }), { compress: false }); // e.g. already-compressed data
  },
});
const port = await server.listen({ port: 0 });
const channel = new Channel(`127.0.0.1:${port}`);
const client = new Client(channel);
const m = clientMethods(Users);

const envelopes: string[] = [];
const onResponseEnvelope = (compressed: boolean, length: number): void => void envelopes.push(`${compressed ? "gzip" : "plain"} ${length} B`);

const user = await client.unary(m.CreateUser, { username: "jack", email: "jack@example.com", fullName: bio, role: 0 }, { compression: "gzip", onResponseEnvelope });
console.log(`client: unary response (${user.fullName.length} chars decoded) came as ${envelopes.join(", ")}`);
assert.equal(user.fullName, bio);
assert.match(envelopes[0], /^gzip/);

envelopes.length = 0;
for await (const u of client.serverStreaming(m.ListUsers, { roleFilter: "", limit: 0 }, { onResponseEnvelope })) assert.equal(u.fullName, bio);
console.log(`client: stream messages came as ${envelopes.join(", ")}`);
assert.match(envelopes[0], /^gzip/);
assert.match(envelopes[1], /^plain/);

await channel.close();
await server.shutdown(1_000);
