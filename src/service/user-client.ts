// A typed client for user.UserService on our client library: the seed's "Example Usage" in
// TypeScript idiom (promises for unary calls, async iteration for streams).
//
//   const client = new UserServiceClient({ target: "localhost:50051", token });
//   const user = await client.createUser({ username: "john_doe", email: "john@example.com", fullName: "John Doe", role: Role.ROLE_USER });
//   for await (const u of client.listUsers({ limit: 10 })) console.log(u.username);
//   const batch = client.batchCreateUsers(); await batch.send({...}); const { userIds } = await batch.closeAndRecv();
//   const updates = client.streamUserUpdates(); await updates.send({ userId, field: "full_name", value: "J. Doe" });
//   for await (const r of updates) { ... }

import {
  CreateUserRequestCodec,
  DeleteUserRequestCodec,
  GetUserRequestCodec,
  ListUsersRequestCodec,
  UserUpdateRequestCodec,
  type BatchCreateResponse,
  type CreateUserRequest,
  type DeleteUserResponse,
  type ListUsersRequest,
  type User,
  type UserUpdateRequest,
  type UserUpdateResponse,
} from "../schema/user.js";
import { Channel, type ChannelOptions, type ChannelTlsOptions } from "../client/channel.js";
import type { ServiceConfigJson } from "../client/service-config.js";
import { BidiStreamingCall, Client, ClientStreamingCall, type ServerStreamingCall } from "../client/client.js";
import type { ClientInterceptor } from "../client/interceptors.js";
import { clientMethods, type CallOptions } from "../client/types.js";
import { Metadata } from "../wire/metadata.js";
import { UserServiceDescriptor } from "./user-service.js";

const M = clientMethods(UserServiceDescriptor);

export interface UserServiceClientOptions {
  /**
   * Where the service runs (ignored with `channel`): `host:port`, `dns:///host:port` (every address
   * of the name), `ipv4:127.0.0.1:5001,127.0.0.1:5002`, `ipv6:[::1]:5001,…` or `unix:/path` (docs/TRANSPORT.md "Naming and load balancing").
   */
  readonly target?: string;
  /**
   * gRPC service config (JSON text or object), e.g. `{"loadBalancingConfig": [{"round_robin": {}}],
   * "healthCheckConfig": {"serviceName": "user.UserService"}}`. Ignored with `channel`.
   */
  readonly serviceConfig?: string | ServiceConfigJson;
  /** Further channel options (backoff, keepalive, limits…). Ignored with `channel`. */
  readonly channelOptions?: ChannelOptions;
  /** An existing channel to share (the client will not close it). */
  readonly channel?: Channel;
  /** TLS: `true` (system roots) or settings (`ca`, and `cert` + `key` for mutual TLS). Default plaintext. */
  readonly tls?: boolean | ChannelTlsOptions;
  /** Sent as `authorization: Bearer <token>` on every call. */
  readonly token?: string;
  /** Default deadline of every call, in ms from its start (a call's own option wins). */
  readonly defaultTimeoutMs?: number;
  /** Client interceptors, outermost first. */
  readonly interceptors?: readonly ClientInterceptor[];
}

/** The client half of BatchCreateUsers: `send` each user, then `closeAndRecv` for the result. */
export class BatchCreateStream {
  constructor(private readonly call: ClientStreamingCall<CreateUserRequest, BatchCreateResponse>) {}
  /** Sends one user (missing fields take their proto3 default). Waits for flow control. */
  send(user: Partial<CreateUserRequest>): Promise<void> {
    return this.call.write(CreateUserRequestCodec.create(user));
  }
  /** Half-closes; the server then commits the whole batch or nothing. */
  closeAndRecv(): Promise<BatchCreateResponse> {
    return this.call.closeAndRecv();
  }
  /** Cancels: nothing is created. */
  cancel(): void {
    this.call.cancel();
  }
  get headers(): Promise<Metadata> {
    return this.call.headers;
  }
  /** The result without half-closing: settles when the server ends the call (an early error, the
   *  deadline, a cancel) or after `closeAndRecv`. */
  get response(): Promise<BatchCreateResponse> {
    return this.call.response;
  }
}

/** StreamUserUpdates: `send` updates and iterate the answers (one per update, in order) at the same time. */
export class UserUpdateStream implements AsyncIterable<UserUpdateResponse> {
  constructor(private readonly call: BidiStreamingCall<UserUpdateRequest, UserUpdateResponse>) {}
  send(update: Partial<UserUpdateRequest>): Promise<void> {
    return this.call.write(UserUpdateRequestCodec.create(update));
  }
  /** No more updates: the answer stream ends after the last one. */
  end(): void {
    this.call.end();
  }
  cancel(): void {
    this.call.cancel();
  }
  get headers(): Promise<Metadata> {
    return this.call.headers;
  }
  [Symbol.asyncIterator](): AsyncIterator<UserUpdateResponse> {
    return this.call[Symbol.asyncIterator]();
  }
}

export class UserServiceClient {
  readonly channel: Channel;
  private readonly client: Client;
  private readonly ownsChannel: boolean;
  private readonly authorization: string | undefined;

  constructor(options: UserServiceClientOptions) {
    if (options.channel !== undefined) {
      this.channel = options.channel;
      this.ownsChannel = false;
    } else {
      if (options.target === undefined) throw new TypeError("UserServiceClient needs a target or a channel");
      this.channel = new Channel(options.target, {
        ...options.channelOptions,
        ...(options.tls === undefined ? {} : { tls: options.tls }),
        ...(options.serviceConfig === undefined ? {} : { serviceConfig: options.serviceConfig }),
      });
      this.ownsChannel = true;
    }
    this.client = new Client(this.channel, {
      interceptors: options.interceptors ?? [],
      ...(options.defaultTimeoutMs === undefined ? {} : { defaultCallOptions: { timeoutMs: options.defaultTimeoutMs } }),
    });
    this.authorization = options.token === undefined ? undefined : `Bearer ${options.token}`;
  }

  /** Call options with the bearer token added to (a copy of) the caller's metadata. */
  private opts(o: CallOptions | undefined): CallOptions | undefined {
    if (this.authorization === undefined) return o;
    const metadata = o?.metadata === undefined ? new Metadata() : o.metadata.clone();
    if (!metadata.has("authorization")) metadata.set("authorization", this.authorization);
    return { ...o, metadata };
  }

  createUser(request: Partial<CreateUserRequest>, options?: CallOptions): Promise<User> {
    return this.client.unary(M.CreateUser, CreateUserRequestCodec.create(request), this.opts(options));
  }

  getUser(id: string, options?: CallOptions): Promise<User> {
    return this.client.unary(M.GetUser, GetUserRequestCodec.create({ id }), this.opts(options));
  }

  deleteUser(id: string, options?: CallOptions): Promise<DeleteUserResponse> {
    return this.client.unary(M.DeleteUser, DeleteUserRequestCodec.create({ id }), this.opts(options));
  }

  /** Users in creation order: `for await (const u of client.listUsers({ roleFilter: "admin", limit: 10 }))`.
   *  Leaving the loop early cancels the call. */
  listUsers(request: Partial<ListUsersRequest> = {}, options?: CallOptions): ServerStreamingCall<User> {
    return this.client.serverStreaming(M.ListUsers, ListUsersRequestCodec.create(request), this.opts(options));
  }

  batchCreateUsers(options?: CallOptions): BatchCreateStream {
    return new BatchCreateStream(this.client.clientStreaming(M.BatchCreateUsers, this.opts(options)));
  }

  streamUserUpdates(options?: CallOptions): UserUpdateStream {
    return new UserUpdateStream(this.client.bidiStreaming(M.StreamUserUpdates, this.opts(options)));
  }

  /** Closes the channel (if this client made it) once calls in flight are done. */
  close(): Promise<void> {
    return this.ownsChannel ? this.channel.close() : Promise.resolve();
  }
}
