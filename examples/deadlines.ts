// Deadlines and cancellation: a client deadline (`timeoutMs`, sent as `grpc-timeout`) ends a slow
// call with DEADLINE_EXCEEDED; the server's `ctx.signal` aborts too (DEADLINE_EXCEEDED from its
// own timer, or CANCELLED when the client's RST_STREAM arrives first); an AbortSignal cancels a call (CANCELLED); leaving a
// `for await` over a response stream early cancels the stream. The server sees each through
// `ctx.deadline` and `ctx.signal`, and stops its work.
//
//   npx tsx examples/deadlines.ts        (npm run examples runs it too)

import assert from "node:assert/strict";
import { Channel, Client, GrpcError, clientMethods } from "../src/client/index.js";
import { GetUserRequestCodec, ListUsersRequestCodec, UserCodec } from "../src/schema/user.js";
import { Server, defineService, type ServerCallContext } from "../src/server/index.js";
import { statusName } from "../src/wire/status.js";

const Users = defineService("user.UserService", {
  GetUser: { kind: "unary", requestCodec: GetUserRequestCodec, responseCodec: UserCodec },
  ListUsers: { kind: "server_streaming", requestCodec: ListUsersRequestCodec, responseCodec: UserCodec },
});

/** Per call id: resolves with why the call ended early, as the server sees it. */
const serverSaw = new Map<string, Promise<string>>();
/** Per call id: resolves when the handler has started. */
const started = new Map<string, () => void>();
const handlerStarted = (id: string): Promise<void> => new Promise((resolve) => started.set(id, resolve));
function watch(id: string, ctx: ServerCallContext): void {
  serverSaw.set(id, new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve(statusName(GrpcError.from(ctx.signal.reason).code)), { once: true })));
  started.get(id)?.();
}

const server = new Server().addService(Users, {
  // A slow lookup that gives up as soon as nobody is waiting for it.
  async GetUser(req, ctx) {
    console.log(`server: GetUser ${req.id}, deadline ${ctx.deadline === undefined ? "none" : `in ${ctx.deadline - Date.now()} ms`}`);
    watch(req.id, ctx);
    await new Promise((resolve, reject) => {
      const t = setTimeout(resolve, 60_000);
      ctx.signal.addEventListener("abort", () => (clearTimeout(t), reject(ctx.signal.reason)), { once: true });
    });
    return UserCodec.create({ id: req.id });
  },
  // An endless stream: it stops when the client goes away.
  async ListUsers(_req, ctx, out) {
    watch("stream", ctx);
    for (let i = 0; !out.closed && !ctx.signal.aborted; i++) await out.write(UserCodec.create({ id: String(i) }));
  },
});
const port = await server.listen({ port: 0 });
const channel = new Channel(`127.0.0.1:${port}`);
const client = new Client(channel);
const m = clientMethods(Users);
const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => "OK", (e: unknown) => statusName(GrpcError.from(e).code));

// 1. A deadline.
const late = await codeOf(client.unary(m.GetUser, { id: "slow" }, { timeoutMs: 300 }));
// (On a very busy machine the deadline may pass before the handler even starts: then it never runs.)
console.log(`client: with a 300 ms deadline: ${late}; server: ${(await serverSaw.get("slow")) ?? "never started the handler"}`);
assert.equal(late, "DEADLINE_EXCEEDED");

// 2. Cancellation with an AbortSignal (e.g. the user closed the page), once the server is at work.
const controller = new AbortController();
const atWork = handlerStarted("cancel-me");
const pending = codeOf(client.unary(m.GetUser, { id: "cancel-me" }, { signal: controller.signal }));
await atWork;
controller.abort();
const cancelled = await pending;
console.log(`client: after abort(): ${cancelled}; server: ${await serverSaw.get("cancel-me")}`);
assert.equal(cancelled, "CANCELLED");
assert.equal(await serverSaw.get("cancel-me"), "CANCELLED");

// 3. Leaving a response stream early cancels it; the server's loop ends.
let n = 0;
for await (const u of client.serverStreaming(m.ListUsers, { roleFilter: "", limit: 0 })) {
  if (++n === 5) {
    console.log(`client: stop after user ${u.id}`);
    break;
  }
}
console.log(`server: stream ended with ${await serverSaw.get("stream")}`);
assert.equal(await serverSaw.get("stream"), "CANCELLED");

await channel.close();
await server.shutdown(1_000);
