// user.UserService (proto/user.proto) on our server: the service descriptor (shared with the client)
// and the implementation binding the transport-free handlers (user-handlers.ts) to the four call kinds.

import {
  BatchCreateResponseCodec,
  CreateUserRequestCodec,
  DeleteUserRequestCodec,
  DeleteUserResponseCodec,
  GetUserRequestCodec,
  ListUsersRequestCodec,
  UserCodec,
  UserUpdateRequestCodec,
  UserUpdateResponseCodec,
} from "../schema/user.js";
import { defineService, rpc, stream, type ServerCallContext, type ServiceImplementation } from "../server/types.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Status } from "../wire/status.js";
import { USER_SERVICE } from "./authorization.js";
import { principalOf } from "./interceptors.js";
import type { UserCallContext, UserHandlers } from "./user-handlers.js";

/** The six methods, their kinds and codecs. The client derives its method table from this too. */
export const UserServiceDescriptor = defineService(USER_SERVICE, {
  CreateUser: rpc(CreateUserRequestCodec, UserCodec),
  GetUser: rpc(GetUserRequestCodec, UserCodec),
  ListUsers: rpc(ListUsersRequestCodec, stream(UserCodec)),
  BatchCreateUsers: rpc(stream(CreateUserRequestCodec), BatchCreateResponseCodec),
  StreamUserUpdates: rpc(stream(UserUpdateRequestCodec), stream(UserUpdateResponseCodec)),
  DeleteUser: rpc(DeleteUserRequestCodec, DeleteUserResponseCodec),
});

/**
 * Passes the request stream through and, when it ends, waits a few event-loop turns before reporting
 * the end. Why: node:http2 emits 'end' on a stream reset by the client (RST_STREAM, as a client does on
 * cancel or when its deadline passes) a couple of setImmediate turns BEFORE it emits 'aborted' and
 * 'close', so the server first sees a normal half-close. Without this, a batch cancelled by the client
 * could be committed; with it, the cancel reaches `ctx.signal` first and the batch creates nothing.
 */
async function* untilSettled<T>(requests: AsyncIterable<T>): AsyncGenerator<T> {
  yield* requests;
  for (let i = 0; i < RESET_SETTLE_TURNS; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
/** node:http2 needed 2 turns between 'end' and 'aborted' (Node 20); twice that, for margin. */
const RESET_SETTLE_TURNS = 4;

function userContext(ctx: ServerCallContext): UserCallContext {
  const principal = principalOf(ctx);
  // Only reachable if the service is registered without the interceptor chain.
  if (principal === undefined) throw new GrpcError(Status.UNAUTHENTICATED, "not authenticated");
  return { role: principal.role, signal: ctx.signal };
}

/** The server-side implementation. Register it together with `userServiceInterceptors`: the handlers
 *  rely on the chain for authentication, authorization and request validation. */
export function userServiceImplementation(h: UserHandlers): ServiceImplementation<typeof UserServiceDescriptor> {
  return {
    CreateUser: (req) => h.createUser(req),
    GetUser: (req) => h.getUser(req),
    DeleteUser: (req) => h.deleteUser(req),

    // Pull one user at a time and wait whenever the writer waits for HTTP/2 flow control: a slow
    // reader holds the cursor back instead of making the server buffer the snapshot. A call that
    // ended (cancelled, deadline, shutdown: ctx.signal aborted) stops at the next user; `out.closed`
    // says so without allocating the signal.
    async ListUsers(req, _ctx, out) {
      const snapshot = h.listUsers(req);
      try {
        for (;;) {
          if (out.closed) return;
          const next = snapshot.read();
          const user = next instanceof Promise ? await next : next;
          if (user === undefined) return;
          const written = out.write(user);
          if (out.writableNeedDrain) await written;
        }
      } finally {
        snapshot.close();
      }
    },

    BatchCreateUsers: (requests, ctx) => h.batchCreateUsers(untilSettled(requests), userContext(ctx)),

    // Answer each request before reading the next: answers keep request order, and pipelined
    // requests simply wait in the HTTP/2 stream.
    async StreamUserUpdates(requests, ctx, out) {
      const { role } = userContext(ctx);
      for await (const req of requests) {
        // Cancelled while this request waited in the stream: do not apply it.
        if (out.closed) return;
        await out.write(await h.applyUpdate(req, role));
      }
    },
  };
}
