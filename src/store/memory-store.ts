// The in-memory UserStore: unique indexes, all-or-nothing batches, multi-version snapshots for ListUsers.
//
// Atomicity: Node runs JavaScript on one thread, so a change applied by synchronous code with no
// `await` in the middle can never be observed half-done. Every mutation below checks everything first
// and then applies, synchronously; the async methods of UserStore only wrap that.
//
// Snapshots without copying: users live in an append-only log in creation order. Each entry is its
// current version and keeps, only while some snapshot is open, the chain of versions it replaced; a delete
// leaves a tombstone stamped with the commit sequence. A snapshot remembers the sequence number at which
// it was taken and walks the log, skipping entries created after it or deleted before it and reading
// each user as it was at that sequence. Nothing is copied up front, so a million-user ListUsers costs
// one cursor; tombstones are compacted away when no snapshot is open.

import { SnapshotIterator, StoreError, emailKey, listLimit, newUserRecord, usernameKey } from "./user-store.js";
import type { ListFilter, NewUser, StoreSources, UserPatch, UserRecord, UserSnapshot, UserStore } from "./user-store.js";
import { randomUuid } from "./random-uuid.js";

/** One version of a user: the record and the commit sequence that made it. */
interface Version {
  readonly record: UserRecord;
  readonly seq: number;
  /** The version this one replaced; kept only while a snapshot that may need it is open. */
  readonly prev: Version | undefined;
}

/** A stored user: its current version (one object per user, not an entry plus a version: fewer
 *  objects for the garbage collector to copy and trace per stored user) and its life span. */
interface Entry {
  record: UserRecord;
  seq: number;
  prev: Version | undefined;
  readonly createdSeq: number;
  /** Sequence of the delete; Infinity while the user exists. */
  deletedSeq: number;
}

/** Compact the log once this many tombstones are in it and they are at least half of it. */
const COMPACT_MIN_TOMBSTONES = 1024;

export type MemoryStoreOptions = StoreSources;

export interface MemoryStoreStats {
  readonly users: number;
  readonly logLength: number;
  readonly tombstones: number;
  readonly openSnapshots: number;
}

export class MemoryUserStore implements UserStore {
  private seq = 0;
  private log: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private readonly byUsername = new Map<string, Entry>();
  private readonly byEmail = new Map<string, Entry>();
  private tombstones = 0;
  private openSnapshots = 0;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUuid;
  }

  async create(user: NewUser): Promise<UserRecord> {
    return this.createSync(user);
  }

  async createMany(users: readonly NewUser[]): Promise<UserRecord[]> {
    return this.createManySync(users);
  }

  async get(id: string): Promise<UserRecord | undefined> {
    return this.byId.get(id)?.record;
  }

  async update(id: string, patch: UserPatch): Promise<UserRecord> {
    return this.updateSync(id, patch);
  }

  async delete(id: string): Promise<boolean> {
    return this.deleteSync(id);
  }

  async count(): Promise<number> {
    return this.byId.size;
  }

  list(filter: ListFilter = {}): UserSnapshot {
    this.openSnapshots++;
    return new MemorySnapshot(this, this.log, this.log.length, this.seq, filter);
  }

  // --- synchronous core: each method checks everything, then applies; no await anywhere ---

  createSync(user: NewUser): UserRecord {
    const uKey = usernameKey(user.username);
    const eKey = emailKey(user.email);
    if (this.byUsername.has(uKey)) throw taken("username", user.username);
    if (this.byEmail.has(eKey)) throw taken("email", user.email);
    const seq = ++this.seq;
    return this.insert(user, uKey, eKey, seq, BigInt(this.now())).record;
  }

  createManySync(users: readonly NewUser[]): UserRecord[] {
    // Check the whole batch against the store and against itself before touching anything.
    const uKeys = new Array<string>(users.length);
    const eKeys = new Array<string>(users.length);
    const batchU = new Set<string>();
    const batchE = new Set<string>();
    for (let i = 0; i < users.length; i++) {
      const u = users[i];
      const uKey = usernameKey(u.username);
      const eKey = emailKey(u.email);
      if (this.byUsername.has(uKey)) throw taken("username", u.username, i);
      if (batchU.has(uKey)) throw taken("username", u.username, i, true);
      if (this.byEmail.has(eKey)) throw taken("email", u.email, i);
      if (batchE.has(eKey)) throw taken("email", u.email, i, true);
      batchU.add(uKey);
      batchE.add(eKey);
      uKeys[i] = uKey;
      eKeys[i] = eKey;
    }
    // One commit: one sequence number (a snapshot sees all of the batch or none) and one timestamp.
    const seq = ++this.seq;
    const ts = BigInt(this.now());
    const out = new Array<UserRecord>(users.length);
    for (let i = 0; i < users.length; i++) out[i] = this.insert(users[i], uKeys[i], eKeys[i], seq, ts).record;
    return out;
  }

  updateSync(id: string, patch: UserPatch): UserRecord {
    const entry = this.byId.get(id);
    if (entry === undefined) throw new StoreError("not_found", `no user with id "${id}"`, "id");
    const old = entry.record;
    const username = patch.username ?? old.username;
    const email = patch.email ?? old.email;
    const oldUKey = usernameKey(old.username);
    const oldEKey = emailKey(old.email);
    const uKey = usernameKey(username);
    const eKey = emailKey(email);
    const uOwner = this.byUsername.get(uKey);
    if (uOwner !== undefined && uOwner !== entry) throw taken("username", username);
    const eOwner = this.byEmail.get(eKey);
    if (eOwner !== undefined && eOwner !== entry) throw taken("email", email);

    // Strictly increasing even when the clock stands still or steps back.
    const now = BigInt(this.now());
    const updatedAt = now > old.updatedAt ? now : old.updatedAt + 1n;
    const record: UserRecord = {
      id: old.id,
      username,
      email,
      fullName: patch.fullName ?? old.fullName,
      role: patch.role ?? old.role,
      createdAt: old.createdAt,
      updatedAt,
    };
    const seq = ++this.seq;
    // Keep the old version only if an open snapshot might still have to read it.
    entry.prev = this.openSnapshots > 0 ? { record: old, seq: entry.seq, prev: entry.prev } : undefined;
    entry.record = record;
    entry.seq = seq;
    if (uKey !== oldUKey) {
      this.byUsername.delete(oldUKey);
      this.byUsername.set(uKey, entry);
    }
    if (eKey !== oldEKey) {
      this.byEmail.delete(oldEKey);
      this.byEmail.set(eKey, entry);
    }
    return record;
  }

  deleteSync(id: string): boolean {
    const entry = this.byId.get(id);
    if (entry === undefined) return false;
    const rec = entry.record;
    this.byId.delete(id);
    this.byUsername.delete(usernameKey(rec.username));
    this.byEmail.delete(emailKey(rec.email));
    entry.deletedSeq = ++this.seq;
    this.tombstones++;
    this.maybeCompact();
    return true;
  }

  getSync(id: string): UserRecord | undefined {
    return this.byId.get(id)?.record;
  }

  stats(): MemoryStoreStats {
    return {
      users: this.byId.size,
      logLength: this.log.length,
      tombstones: this.tombstones,
      openSnapshots: this.openSnapshots,
    };
  }

  /** Checks every index against the log; returns the problems found (empty when consistent). Tests use
   *  it after concurrent runs; it is O(n). */
  checkInvariants(): string[] {
    const problems: string[] = [];
    let live = 0;
    for (const e of this.log) {
      if (e.deletedSeq !== Infinity) continue;
      live++;
      const r = e.record;
      if (this.byId.get(r.id) !== e) problems.push(`id index misses ${r.id}`);
      if (this.byUsername.get(usernameKey(r.username)) !== e) problems.push(`username index misses ${r.username}`);
      if (this.byEmail.get(emailKey(r.email)) !== e) problems.push(`email index misses ${r.email}`);
      if (r.updatedAt < r.createdAt) problems.push(`${r.id}: updatedAt before createdAt`);
    }
    if (this.byId.size !== live) problems.push(`id index has ${this.byId.size} entries, log has ${live} live`);
    if (this.byUsername.size !== live) problems.push(`username index has ${this.byUsername.size} entries for ${live} users`);
    if (this.byEmail.size !== live) problems.push(`email index has ${this.byEmail.size} entries for ${live} users`);
    return problems;
  }

  /** Called by a snapshot when it is done. */
  releaseSnapshot(): void {
    this.openSnapshots--;
    this.maybeCompact();
  }

  private insert(user: NewUser, uKey: string, eKey: string, seq: number, ts: bigint): Entry {
    const record = newUserRecord(this.newId(), user, ts);
    const entry: Entry = { record, seq, prev: undefined, createdSeq: seq, deletedSeq: Infinity };
    this.log.push(entry);
    this.byId.set(record.id, entry);
    this.byUsername.set(uKey, entry);
    this.byEmail.set(eKey, entry);
    return entry;
  }

  private maybeCompact(): void {
    if (this.openSnapshots > 0) return;
    if (this.tombstones < COMPACT_MIN_TOMBSTONES || this.tombstones * 2 < this.log.length) return;
    // No snapshot holds the old array, so it can be replaced. Version chains are dropped too.
    const live: Entry[] = [];
    for (const e of this.log) {
      if (e.deletedSeq !== Infinity) continue;
      e.prev = undefined;
      live.push(e);
    }
    this.log = live;
    this.tombstones = 0;
  }
}

function taken(field: "username" | "email", value: string, index?: number, inBatch = false): StoreError {
  const where = inBatch ? "earlier in this batch" : "by another user";
  return new StoreError("already_exists", `${field} "${value}" is already taken ${where}`, field, index);
}

/** A cursor over the log as of sequence `seq`. It is its own async iterator (one pass). */
class MemorySnapshot extends SnapshotIterator {
  private i = 0;
  private sent = 0;
  private open = true;
  private readonly role: number | undefined;
  private readonly limit: number;

  constructor(
    private readonly store: MemoryUserStore,
    private readonly log: readonly Entry[],
    /** Entries at or past this index were created after the snapshot. */
    private readonly end: number,
    private readonly seq: number,
    filter: ListFilter,
  ) {
    super();
    this.role = filter.role;
    this.limit = listLimit(filter);
  }

  /** The next user of the snapshot, or undefined at the end (which also releases it). */
  read(): UserRecord | undefined {
    if (!this.open) return undefined;
    if (this.sent < this.limit) {
      while (this.i < this.end) {
        const e = this.log[this.i++];
        if (e.createdSeq > this.seq || e.deletedSeq <= this.seq) continue;
        let v: Version = e;
        while (v.seq > this.seq) v = v.prev as Version; // the chain is kept while we are open
        const r = v.record;
        if (this.role !== undefined && r.role !== this.role) continue;
        this.sent++;
        return r;
      }
    }
    this.close();
    return undefined;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.store.releaseSnapshot();
  }
}
