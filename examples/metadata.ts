// Metadata: request headers, response headers and trailers, text and binary (`-bin`) values.
// Binary keys end in `-bin`; their values are Buffers, sent base64-encoded (PROTOCOL-HTTP2).
//
//   npx tsx examples/metadata.ts        (npm run examples runs it too)

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Channel, Client, Metadata, clientMethods } from "../src/client/index.js";
import { GetUserRequestCodec, ListUsersRequestCodec, UserCodec } from "../src/schema/user.js";
import { Server, defineService } from "../src/server/index.js";

const Users = defineService("user.UserService", {
  GetUser: { kind: "unary", requestCodec: GetUserRequestCodec, responseCodec: UserCodec },
  ListUsers: { kind: "server_streaming", requestCodec: ListUsersRequestCodec, responseCodec: UserCodec },
});

const server = new Server().addService(Users, {
  GetUser(req, ctx) {
    const tenant = ctx.metadata.get("x-tenant"); // string
    const trace = ctx.metadata.get("x-trace-bin"); // Buffer: the key ends in -bin
    console.log(`server: x-tenant=${tenant} x-trace-bin=${trace?.toString("hex")}`);
    ctx.responseHeader.set("x-served-by", "example-1"); // sent with the response headers
    ctx.trailer.set("x-digest-bin", createHash("sha256").update(req.id).digest()); // sent with the status
    return UserCodec.create({ id: req.id, username: `${tenant}/user_${req.id}` });
  },
  async ListUsers(req, ctx, out) {
    ctx.sendHeader(new Metadata({ "x-total": "2" })); // headers now, before the first message
    for (const id of ["a", "b"]) await out.write(UserCodec.create({ id }));
    ctx.trailer.set("x-next-page", "none");
  },
});
const port = await server.listen({ port: 0 });
const channel = new Channel(`127.0.0.1:${port}`);
const client = new Client(channel);
const m = clientMethods(Users);

// Unary: request metadata in, headers and trailers out through callbacks.
const metadata = new Metadata({ "x-tenant": "acme" }).set("x-trace-bin", Buffer.from([0xde, 0xad, 0xbe, 0xef]));
let headers = new Metadata();
let trailers = new Metadata();
const user = await client.unary(m.GetUser, { id: "42" }, { metadata, onHeader: (h) => (headers = h), onTrailer: (t) => (trailers = t) });
console.log(`client: ${user.username}; header x-served-by=${headers.get("x-served-by")}; trailer x-digest-bin=${trailers.get("x-digest-bin")?.toString("hex").slice(0, 16)}…`);
assert.equal(headers.get("x-served-by"), "example-1");
assert.deepEqual(trailers.get("x-digest-bin"), createHash("sha256").update("42").digest());

// Streaming: headers and trailers are promises on the call.
const stream = client.serverStreaming(m.ListUsers, { roleFilter: "", limit: 0 });
console.log(`client: x-total=${(await stream.headers).get("x-total")}`);
for await (const u of stream) console.log(`client: listed ${u.id}`);
console.log(`client: trailer x-next-page=${(await stream.trailers).get("x-next-page")}`);
assert.equal((await stream.trailers).get("x-next-page"), "none");

await channel.close();
await server.shutdown(1_000);
