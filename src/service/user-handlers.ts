// The six RPCs of user.UserService (proto/user.proto), independent of the transport: plain async
// functions over the UserStore. src/service/user-service.ts binds them to our server's method table.
//
// Requests reach these functions already authenticated, authorized and (for unary and
// server-streaming calls) validated by the interceptor chain (src/service/interceptors.ts). Batch items
// and update requests are checked here, because their rules are about the whole stream.

import type {
  BatchCreateResponse,
  CreateUserRequest,
  DeleteUserRequest,
  DeleteUserResponse,
  GetUserRequest,
  ListUsersRequest,
  User,
  UserUpdateRequest,
  UserUpdateResponse,
} from "../schema/user.js";
import { StoreError, type UserSnapshot, type UserStore } from "../store/user-store.js";
import { GrpcError } from "../wire/grpc-error.js";
import { Status } from "../wire/status.js";
import { invalidArgument, notFound, storeFailure } from "./errors.js";
import type { RoleName } from "./roles.js";
import { UserCap } from "./user-cap.js";
import { checkBatch, checkListUsers, checkUpdate, echoedUserId, toNewUser } from "./validation.js";

/** What a handler knows about its call. */
export interface UserCallContext {
  /** The caller's role, from the auth interceptor. */
  readonly role: RoleName;
  /** Aborted when the call is cancelled, its deadline passes or the server stops. */
  readonly signal: AbortSignal;
}

export interface UserHandlersOptions {
  /** Most items one BatchCreateUsers call may send. */
  readonly maxBatchSize: number;
  /** MAX_USERS and the users in the store at start (src/service/user-cap.ts); default no cap. */
  readonly cap?: UserCap;
}

function found(user: User | undefined, id: string): User {
  if (user === undefined) throw notFound(id);
  return user;
}

export class UserHandlers {
  private readonly cap: UserCap;

  constructor(
    readonly store: UserStore,
    private readonly options: UserHandlersOptions,
  ) {
    this.cap = options.cap ?? new UserCap(Infinity, 0);
  }

  // Bound once: one `then(onCreated, onCreateFailed)` per CreateUser, no closure per call.
  private readonly onCreated = (user: User): User => {
    this.cap.settle(1, true);
    return user;
  };
  private readonly onCreateFailed = (err: unknown): never => {
    this.cap.settle(1, false);
    throw storeFailure(err);
  };

  createUser(req: CreateUserRequest): Promise<User> | User {
    const store = this.store;
    this.cap.reserve(1);
    // A synchronous store answers at once: no promise on the hot path of CreateUser.
    if (store.createSync !== undefined) {
      let user: User;
      try {
        user = store.createSync(toNewUser(req));
      } catch (err) {
        this.cap.settle(1, false);
        throw storeFailure(err);
      }
      this.cap.settle(1, true);
      return user;
    }
    let created: Promise<User>;
    try {
      created = store.create(toNewUser(req));
    } catch (err) {
      created = Promise.reject(err);
    }
    return created.then(this.onCreated, this.onCreateFailed);
  }

  getUser(req: GetUserRequest): Promise<User> | User {
    const store = this.store;
    if (store.getSync !== undefined) return found(store.getSync(req.id), req.id);
    return store.get(req.id).then((user) => found(user, req.id));
  }

  /** The users of a fresh snapshot. The caller iterates it under flow control and must finish or
   *  `return()` the iterator (a `for await` loop does) so the snapshot is released. */
  listUsers(req: ListUsersRequest): UserSnapshot {
    const checked = checkListUsers(req);
    if (!checked.ok) throw invalidArgument(checked.violations);
    return this.store.list(checked.value);
  }

  /** Collects the stream, then validates and commits it in one step at half-close. Nothing is created
   *  if the stream fails, is cancelled or expires before the commit. */
  async batchCreateUsers(requests: AsyncIterable<CreateUserRequest>, ctx: UserCallContext): Promise<BatchCreateResponse> {
    const items: CreateUserRequest[] = [];
    for await (const r of requests) {
      if (items.length === this.options.maxBatchSize) {
        throw new GrpcError(Status.RESOURCE_EXHAUSTED, `a batch may hold at most ${this.options.maxBatchSize} users`);
      }
      items.push(r);
    }
    const checked = checkBatch(items);
    if (!checked.ok) throw invalidArgument(checked.violations);
    // The last moment a cancel or deadline can still stop the batch: from here to the commit there is
    // no await for the memory store (its createMany runs synchronously when called).
    if (ctx.signal.aborted) throw GrpcError.from(ctx.signal.reason, Status.CANCELLED);
    let created: User[];
    this.cap.reserve(checked.value.length); // the whole batch fits, or nothing is created
    try {
      created = await this.store.createMany(checked.value);
    } catch (err) {
      this.cap.settle(checked.value.length, false);
      throw storeFailure(err);
    }
    this.cap.settle(created.length, true);
    const userIds = new Array<string>(created.length);
    for (let i = 0; i < created.length; i++) userIds[i] = created[i].id;
    return { createdCount: created.length, userIds };
  }

  /** One StreamUserUpdates request: its answer, `success: false` with a message on any failure. */
  async applyUpdate(req: UserUpdateRequest, role: RoleName): Promise<UserUpdateResponse> {
    const checked = checkUpdate(req);
    if (!checked.ok) return { userId: echoedUserId(req.userId), success: false, message: checked.message };
    if (checked.changesRole && role !== "admin") {
      return { userId: req.userId, success: false, message: "not allowed: only an admin may change a role" };
    }
    try {
      await this.store.update(req.userId, checked.patch);
      return { userId: req.userId, success: true, message: "" };
    } catch (err) {
      if (err instanceof StoreError) return { userId: req.userId, success: false, message: err.message };
      throw err;
    }
  }

  async deleteUser(req: DeleteUserRequest): Promise<DeleteUserResponse> {
    if (!(await this.store.delete(req.id))) throw notFound(req.id);
    this.cap.deleted();
    return { success: true };
  }
}
