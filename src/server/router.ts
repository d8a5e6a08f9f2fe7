// Implements PROTOCOL-HTTP2 "Requests" → Path: "/" Service-Name "/" {method name} routing (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

import type { MessageCodec } from "../codec/codec.js";
import type {
  BidiStreamingHandler,
  ClientStreamingHandler,
  MethodKind,
  ServerStreamingHandler,
  ServiceDescriptor,
  ServiceImplementation,
  UnaryHandler,
} from "./types.js";

/** A registered method, with the handler widened to `unknown` messages. */
export type Route = {
  readonly path: string;
  readonly service: string;
  readonly method: string;
  readonly requestCodec: MessageCodec<unknown>;
  readonly responseCodec: MessageCodec<unknown>;
} & (
  | { readonly kind: "unary"; readonly handler: UnaryHandler<unknown, unknown> }
  | { readonly kind: "server_streaming"; readonly handler: ServerStreamingHandler<unknown, unknown> }
  | { readonly kind: "client_streaming"; readonly handler: ClientStreamingHandler<unknown, unknown> }
  | { readonly kind: "bidi_streaming"; readonly handler: BidiStreamingHandler<unknown, unknown> }
);

const KINDS: ReadonlySet<MethodKind> = new Set(["unary", "server_streaming", "client_streaming", "bidi_streaming"]);

/** Maps `:path` to routes; knows which services exist so "unknown service" and "unknown method" read differently. */
export class Router {
  private readonly routes = new Map<string, Route>();
  private readonly services = new Set<string>();

  add<S extends ServiceDescriptor>(descriptor: S, implementation: ServiceImplementation<S>): void {
    if (this.services.has(descriptor.typeName)) throw new Error(`service ${descriptor.typeName} is already registered`);
    const impl = implementation as unknown as Record<string, unknown>;
    const pending: Route[] = [];
    for (const key of Object.keys(descriptor.methods)) {
      const m = descriptor.methods[key];
      const handler = impl[key];
      if (typeof handler !== "function") throw new Error(`${descriptor.typeName}: no handler for method ${key}`);
      if (!KINDS.has(m.kind)) throw new Error(`${descriptor.typeName}/${key}: unknown kind ${String(m.kind)}`);
      const method = m.name ?? key;
      const path = `/${descriptor.typeName}/${method}`;
      pending.push({
        path,
        service: descriptor.typeName,
        method,
        kind: m.kind,
        requestCodec: m.requestCodec,
        responseCodec: m.responseCodec,
        handler: (handler as (...args: never[]) => unknown).bind(implementation),
      } as Route);
    }
    this.services.add(descriptor.typeName);
    for (const r of pending) this.routes.set(r.path, r);
  }

  /** The route for `:path`, or undefined (then {@link explainMiss} says why). */
  get(path: string): Route | undefined {
    return this.routes.get(path);
  }

  /** Why `path` has no route: malformed, unknown service, or unknown method (grpc-go's wording). */
  explainMiss(path: string): string {
    const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
    if (m === null) return `malformed method path "${path.slice(0, 100)}"`;
    if (!this.services.has(m[1])) return `unknown service ${m[1]}`;
    return `unknown method ${m[2]} for service ${m[1]}`;
  }

  /** Registered service names (for reflection). */
  serviceNames(): string[] {
    return [...this.services];
  }

  /** Registered routes. */
  list(): Route[] {
    return [...this.routes.values()];
  }
}
