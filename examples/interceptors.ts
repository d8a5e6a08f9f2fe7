// Interceptors on both sides: a server interceptor that checks an API key and times every call
// (adding the time as a trailer), another that rewrites request messages; a client interceptor
// that adds the API key and logs each call with its status.
//
//   npx tsx examples/interceptors.ts        (npm run examples runs it too)

import assert from "node:assert/strict";
import { Channel, Client, clientMethods, GrpcError, Status, type ClientInterceptor } from "../src/client/index.js";
import { GetUserRequestCodec, UserCodec, type GetUserRequest } from "../src/schema/user.js";
import { Server, defineService, type ServerInterceptor } from "../src/server/index.js";

const Users = defineService("user.UserService", {
  GetUser: { kind: "unary", requestCodec: GetUserRequestCodec, responseCodec: UserCodec },
});

// Server side. The first interceptor in the list is the outermost.
const requireApiKey: ServerInterceptor = async (call, next) => {
  // Throwing before next() rejects the call without running the handler.
  if (call.metadata.get("x-api-key") !== "secret") throw new GrpcError(Status.UNAUTHENTICATED, "x-api-key missing or wrong");
  await next();
};
const timing: ServerInterceptor = async (call, next) => {
  const start = performance.now();
  try {
    await next(); // resolves when the handler has finished; rejects with its error
  } finally {
    call.trailer.set("x-server-ms", (performance.now() - start).toFixed(3)); // trailers can still be added here
    console.log(`server: ${call.path} from ${call.peer}`);
  }
};
const trimIds: ServerInterceptor = async (call, next) => {
  call.onRequestMessage((m) => ({ ...(m as GetUserRequest), id: (m as GetUserRequest).id.trim() }));
  await next();
};

const server = new Server({ interceptors: [timing, requireApiKey, trimIds] }).addService(Users, {
  GetUser: (req) => UserCodec.create({ id: req.id, username: `user_${req.id}` }),
});
const port = await server.listen({ port: 0 });

// Client side: an interceptor wraps the next handler; it may change the request, retry, or look at the answer.
const apiKey: ClientInterceptor = (next) => (req) => {
  req.metadata.set("x-api-key", "secret");
  return next(req);
};
const log: ClientInterceptor = (next) => async (req) => {
  const start = performance.now();
  try {
    const res = await next(req);
    console.log(`client: ${req.method.path} OK in ${(performance.now() - start).toFixed(1)} ms (server said ${res.trailers.get("x-server-ms")} ms)`);
    return res;
  } catch (err) {
    console.log(`client: ${req.method.path} failed: ${(err as Error).message}`);
    throw err;
  }
};

const channel = new Channel(`127.0.0.1:${port}`);
const m = clientMethods(Users);
const client = new Client(channel, { interceptors: [log, apiKey] });
const user = await client.unary(m.GetUser, { id: "  7 " });
assert.equal(user.id, "7"); // trimmed by the server interceptor

// Without the key: the server interceptor rejects the call before the handler runs.
const bare = new Client(channel, { interceptors: [log] });
const err = await bare.unary(m.GetUser, { id: "7" }).catch((e: unknown) => e);
assert.ok(err instanceof GrpcError && err.code === Status.UNAUTHENTICATED);

await channel.close();
await server.shutdown(1_000);
