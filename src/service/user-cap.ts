// MAX_USERS: the most users the service stores (grpc/grpc doc/statuscodes.md: RESOURCE_EXHAUSTED,
// "some resource has been exhausted … perhaps the entire file system is out of space").
//
// The cap is checked before a create reaches the store and is exact within this process: users
// counted at start, plus every create and delete made through the handlers, plus the room reserved by
// creates still in flight (so two concurrent creates cannot both take the last place; near the cap a
// create may be refused while another that later fails still holds its place). A batch reserves all
// its items at once, so it fits whole or is refused whole. Writers outside this process (another
// service process on the same database) are not seen.

import { GrpcError } from "../wire/grpc-error.js";
import { Status } from "../wire/status.js";

export class UserCap {
  private pending = 0;

  constructor(
    readonly max: number,
    /** Users in the store at start. */
    private live: number,
  ) {}

  /** Users stored plus places reserved by creates in flight. */
  get used(): number {
    return this.live + this.pending;
  }

  /** Reserves `n` places or throws RESOURCE_EXHAUSTED. Follow with `settle(n, created)`. */
  reserve(n: number): void {
    if (this.live + this.pending + n <= this.max) {
      this.pending += n;
      return;
    }
    const what = n === 1 ? "a new user" : `a batch of ${n} users`;
    throw new GrpcError(Status.RESOURCE_EXHAUSTED, `the service is full: ${what} would exceed MAX_USERS (${this.max}; ${this.used} stored or being created)`);
  }

  /** Ends a reservation: the users were created, or the create failed. */
  settle(n: number, created: boolean): void {
    this.pending -= n;
    if (created) this.live += n;
  }

  /** A user was deleted. */
  deleted(): void {
    if (this.live > 0) this.live--;
  }
}
