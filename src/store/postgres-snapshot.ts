// ListUsers over PostgreSQL: a consistent snapshot read in keyset pages (postgres-store.ts list()).
// One REPEATABLE READ, READ ONLY transaction per snapshot, on its own connection; pages of
// `seq > last ORDER BY seq LIMIT n`; at most one page held; the connection goes back to its pool at
// the end, on close() or on a failure (a broken connection is discarded, not reused).

import type pg from "pg";
import { classify, recordOf, type UserRow } from "./postgres-store.js";
import { SnapshotIterator, listLimit, type ListFilter, type UserRecord } from "./user-store.js";

/** What a snapshot needs from its store. */
export interface SnapshotHost {
  readonly snapshotPool: pg.Pool;
  readonly pageSize: number;
  /** Writes through the store wait for this (the snapshot's first query) to settle. */
  trackOpening(opened: Promise<void>): void;
  /** Counts pages read (stats). */
  pageFetched(): void;
  releaseSnapshot(): void;
}

const PAGE_SQL = `SELECT seq, id, username, email, full_name, role, created_at, updated_at FROM users
                  WHERE seq > $1 AND ($2::int IS NULL OR role = $2) ORDER BY seq LIMIT $3`;

/** A users row and its commit sequence (the keyset). */
type PageRow = UserRow & { seq: string };

export class PostgresSnapshot extends SnapshotIterator {
  private client: pg.PoolClient | undefined;
  private page: PageRow[] = [];
  private pos = 0;
  /** seq of the last row read; the keyset. */
  private last = "0";
  /** The last page was short: nothing after it. */
  private exhausted = false;
  private sent = 0;
  private open = true;
  private readonly limit: number;
  private readonly role: number | null;
  /** The first page (and the transaction), started at construction. */
  private first: Promise<void> | undefined;

  constructor(
    private readonly host: SnapshotHost,
    filter: ListFilter,
  ) {
    super();
    this.role = filter.role ?? null;
    this.limit = listLimit(filter);
    this.first = this.begin();
    // A snapshot nobody reads still releases its connection when closed; failures surface on read().
    this.first.catch(() => {});
    host.trackOpening(this.first);
  }

  /** A connection checked out of a pool reports a server that went away as an 'error' event between
   *  queries (nobody else listens then); the next query fails on its own, so this only swallows it. */
  private readonly onClientError = (): void => {};

  private async begin(): Promise<void> {
    const client = await this.host.snapshotPool.connect();
    if (!this.open) {
      client.release();
      return;
    }
    client.on("error", this.onClientError);
    this.client = client;
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await this.fetch();
  }

  private async fetch(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    const want = Math.min(this.host.pageSize, this.limit - this.sent);
    const res = await client.query<PageRow>({ name: "user_list_page", text: PAGE_SQL, values: [this.last, this.role, want] });
    this.host.pageFetched();
    this.page = res.rows;
    this.pos = 0;
    if (res.rows.length < want) this.exhausted = true;
    if (res.rows.length > 0) this.last = res.rows[res.rows.length - 1].seq;
  }

  /** Users fetched and not yet handed out: never more than one page. */
  get held(): number {
    return this.page.length - this.pos;
  }

  /** The next user: straight from the page held, or a promise while the next page is fetched. */
  read(): UserRecord | undefined | Promise<UserRecord | undefined> {
    if (!this.open) return undefined;
    if (this.first === undefined && this.pos < this.page.length && this.sent < this.limit) {
      this.sent++;
      return recordOf(this.page[this.pos++]);
    }
    return this.readSlow();
  }

  private async readSlow(): Promise<UserRecord | undefined> {
    try {
      if (this.first !== undefined) {
        const first = this.first;
        this.first = undefined;
        await first;
      } else if (this.pos >= this.page.length && !this.exhausted && this.sent < this.limit) {
        await this.fetch();
      }
    } catch (err) {
      this.fail(err);
      throw classify(err);
    }
    if (!this.open) return undefined;
    if (this.pos < this.page.length && this.sent < this.limit) {
      this.sent++;
      return recordOf(this.page[this.pos++]);
    }
    this.close();
    return undefined;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.page = [];
    this.host.releaseSnapshot();
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      this.rollbackAndGiveBack(client);
    } else if (this.first !== undefined) {
      // Still opening: begin() sees `open === false` or we release when it settles.
      this.first.then(
        () => this.releaseLate(),
        () => this.releaseLate(),
      );
    }
  }

  /** Back to the pool; with an error, the pool destroys the connection instead of reusing it. */
  private giveBack(client: pg.PoolClient, err?: unknown): void {
    client.off("error", this.onClientError);
    client.release(err === undefined ? undefined : err instanceof Error ? err : true);
  }

  private rollbackAndGiveBack(client: pg.PoolClient): void {
    // A read-only transaction: ROLLBACK and COMMIT are the same; the connection goes back clean.
    client.query("ROLLBACK").then(
      () => this.giveBack(client),
      (err: unknown) => this.giveBack(client, err),
    );
  }

  private releaseLate(): void {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    this.rollbackAndGiveBack(client);
  }

  /** After a failed query: the connection is broken or mid-transaction; destroy it. */
  private fail(err: unknown): void {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) this.giveBack(client, err);
    if (this.open) {
      this.open = false;
      this.page = [];
      this.host.releaseSnapshot();
    }
  }
}
