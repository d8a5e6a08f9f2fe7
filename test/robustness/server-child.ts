// Test support: the user service (our Server, the service's interceptor chain, health, reflection)
// in a child process, for attacks. Started by test/robustness/support.ts as
//   node --expose-gc --import tsx test/robustness/server-child.ts '<ServerOptions as JSON>'
// It reports its port over IPC, then answers {cmd:"mem"} with RSS and heap after a full GC and
// {cmd:"stats"} with how many calls entered the interceptor chain, per method.

import type * as http2 from "node:http2";
import { installProbe } from "./h2-probe.js";
import { TokenAuthenticator, parseAuthTokens } from "../../src/service/auth.js";
import { registerStandardServices } from "../../src/service/app.js";
import { userServiceInterceptors } from "../../src/service/interceptors.js";
import { createLogger } from "../../src/service/logger.js";
import { UserHandlers } from "../../src/service/user-handlers.js";
import { UserServiceDescriptor, userServiceImplementation } from "../../src/service/user-service.js";
import { Server } from "../../src/server/server.js";
import type { ServerInterceptor } from "../../src/server/types.js";
import type { ServerOptions } from "../../src/server/options.js";
import { MemoryUserStore } from "../../src/store/memory-store.js";

export const CHILD_TOKENS = "t-admin-0123456789=admin,t-user-0123456789=user";

// `__probe: true` adds the plain-HTTP probe for h2spec (h2-probe.ts) in front of the server.
const { __probe: probe, ...options } = JSON.parse(process.argv[2] ?? "{}") as ServerOptions & { __probe?: boolean };
const started = new Map<string, number>();
let serverErrors = 0;
const counter: ServerInterceptor = (call, next) => {
  started.set(call.path, (started.get(call.path) ?? 0) + 1);
  return next();
};
const parsed = parseAuthTokens(CHILD_TOKENS);
if (!parsed.ok) throw new Error(parsed.error);
const logger = createLogger("silent");
const server = new Server({
  ...options,
  interceptors: [counter, ...userServiceInterceptors({ authenticator: new TokenAuthenticator(parsed.entries), logger })],
  onError: () => {
    serverErrors++;
  },
});
server.addService(UserServiceDescriptor, userServiceImplementation(new UserHandlers(new MemoryUserStore(), { maxBatchSize: 10_000 })));
registerStandardServices(server);
const port = await server.listen({ port: 0, host: "127.0.0.1" });
if (probe === true) installProbe((server as unknown as { listeners: Array<http2.Http2Server | http2.Http2SecureServer> }).listeners);

const gc = (globalThis as { gc?: () => void }).gc;
function activeHandles(): number {
  const p = process as unknown as { _getActiveHandles?: () => unknown[] };
  return p._getActiveHandles?.().length ?? -1;
}

process.on("message", (m: { id: number; cmd: string }) => {
  if (m.cmd === "mem") {
    gc?.();
    gc?.();
    const u = process.memoryUsage();
    process.send?.({ id: m.id, rss: u.rss, heapUsed: u.heapUsed, external: u.external, handles: activeHandles() });
  } else if (m.cmd === "stats") {
    process.send?.({ id: m.id, started: Object.fromEntries(started), serverErrors });
  } else if (m.cmd === "exit") {
    void server.forceShutdown().then(() => process.exit(0));
  }
});
process.send?.({ ready: true, port });
