// The storage contract behind the user service: the RPC layer (src/service) only sees this interface,
// so another backend (a database, a file) can be added without touching the handlers.

/** A stored user. Same field names and types as the `user.User` message (timestamps are ms since the
 *  Unix epoch, as bigint), so a record is encoded as the RPC response without a copy. Records handed
 *  out by a store are immutable snapshots: an update makes a new record. */
export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly fullName: string;
  /** A `user.Role` number; the store never stores ROLE_UNSPECIFIED (0). */
  readonly role: number;
  readonly createdAt: bigint;
  readonly updatedAt: bigint;
}

/** What a create needs; the store picks the id and the timestamps. Validation is the caller's job. */
export interface NewUser {
  readonly username: string;
  readonly email: string;
  readonly fullName: string;
  readonly role: number;
}

/** What every store lets a caller replace: where timestamps and ids come from. */
export interface StoreSources {
  /** Clock in ms since the epoch; tests may pin it to check the strictly-increasing rule. */
  readonly now?: () => number;
  /** Id generator; default a random UUID. */
  readonly newId?: () => string;
}

/** The record of a user just created at `ts`: every store builds it here, so a new user has
 *  `createdAt === updatedAt` and the same field order in every backend. */
export function newUserRecord(id: string, user: NewUser, ts: bigint): UserRecord {
  return { id, username: user.username, email: user.email, fullName: user.fullName, role: user.role, createdAt: ts, updatedAt: ts };
}

/** The fields an update may change; absent fields keep their value. */
export type UserPatch = Partial<NewUser>;

export interface ListFilter {
  /** Only users with this role; undefined = every role. */
  readonly role?: number;
  /** At most this many users; undefined or 0 = no limit. */
  readonly limit?: number;
}

/** A snapshot of the users, in creation order, as they were when `list` was called. Read it once, by
 *  `read()` or by `for await`; reaching the end releases it, and so does `close()` (which `return()` runs
 *  when a `for await` loop exits early). */
export interface UserSnapshot extends AsyncIterable<UserRecord> {
  /** The next user, or undefined at the end. A backend that must wait returns a promise; the memory
   *  store never does, so a streaming handler pays no promise per user. */
  read(): UserRecord | undefined | Promise<UserRecord | undefined>;
  close(): void;
}

/** The most users a ListFilter lets through: its `limit`, or Infinity when that is undefined or 0. */
export function listLimit(filter: ListFilter): number {
  return filter.limit !== undefined && filter.limit > 0 ? filter.limit : Infinity;
}

/**
 * The async-iterator half of every store's UserSnapshot (ECMAScript AsyncIterator interface,
 * https://tc39.es/ecma262/#sec-asynciterator-interface): `next()` is `read()` wrapped in an
 * IteratorResult, `return()` (an early exit from `for await`) closes. A store writes `read` and `close`.
 */
export abstract class SnapshotIterator implements UserSnapshot, AsyncIterator<UserRecord> {
  abstract read(): UserRecord | undefined | Promise<UserRecord | undefined>;
  abstract close(): void;

  next(): Promise<IteratorResult<UserRecord>> {
    const r = this.read();
    return r instanceof Promise ? r.then(iteratorResult) : Promise.resolve(iteratorResult(r));
  }

  return(): Promise<IteratorResult<UserRecord>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<UserRecord> {
    return this;
  }
}

function iteratorResult(r: UserRecord | undefined): IteratorResult<UserRecord> {
  return r === undefined ? { done: true, value: undefined } : { done: false, value: r };
}

/** `aborted`: a write lost an optimistic-concurrency race too many times in a row (the PostgreSQL
 *  store; the caller may retry). */
export type StoreErrorKind = "already_exists" | "not_found" | "aborted";

/** The one error a store throws for a request the data forbids (everything else is a bug). */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    /** The field at fault: "username", "email" or "id". */
    readonly field: "username" | "email" | "id",
    /** In a batch, the position of the item at fault. */
    readonly index?: number,
  ) {
    // No stack trace: a taken username or a missing id is an answer to the request, not a bug, and
    // capturing a stack costs about 4 µs (bench/error-cost.ts), more than the store's whole insert.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** The backend cannot be reached (a database that is down or unreachable). Not about the request: the
 *  same call may succeed later. The service answers UNAVAILABLE. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}

/**
 * Guarantees every implementation gives (docs/SERVICE.md repeats them):
 * - usernames and emails are unique, both compared case-insensitively (see `usernameKey`/`emailKey`);
 * - every operation is atomic: no caller ever observes, and no failure ever leaves, a half-applied
 *   change; `createMany` commits all items or none;
 * - `updatedAt` strictly increases with each successful update of a user, even within one millisecond;
 *   a new user has `createdAt === updatedAt`;
 * - `list` iterates a consistent snapshot in creation order: writes made while it runs are not seen.
 */
export interface UserStore {
  /** Throws StoreError("already_exists") on a username or email clash. */
  create(user: NewUser): Promise<UserRecord>;
  /** All or nothing. Throws StoreError("already_exists", index = position) on a clash with the store
   *  or with an earlier item of the same batch; nothing is created then. */
  createMany(users: readonly NewUser[]): Promise<UserRecord[]>;
  get(id: string): Promise<UserRecord | undefined>;
  /** Returns the new record. Throws StoreError("not_found") or StoreError("already_exists"). */
  update(id: string, patch: UserPatch): Promise<UserRecord>;
  /** Returns false when there is no such user. */
  delete(id: string): Promise<boolean>;
  list(filter?: ListFilter): UserSnapshot;
  /** Number of live users. */
  count(): Promise<number>;
  /** Optional synchronous forms of `create` and `get`, for a store that answers at once (the memory
   *  store): same results and errors, thrown instead of rejected. The handlers use them when present,
   *  which saves the hot path a promise and an event-loop microtask per call. */
  createSync?(user: NewUser): UserRecord;
  getSync?(id: string): UserRecord | undefined;
}

/** Usernames are unique ignoring case ("Alice" clashes with "alice") but stored as typed. Validation
 *  allows ASCII only, so lower-casing is exact. */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}

/** Emails are unique ignoring case, the whole address: RFC 5321 lets the local part be case-sensitive
 *  but no real mail system treats it so, and two accounts for Bob@x and bob@x is a support ticket. */
export function emailKey(email: string): string {
  return email.toLowerCase();
}
