// Test support: an EchoService whose server stream sends one message and then holds the call open
// until it is ended from outside (deadline, cancel, shutdown, connection age): for tests of how a
// server ends calls in flight.
import type { ServiceImplementation } from "../../src/server/index.js";
import { echo, type EchoService } from "./echo-service.js";

export const holdingEcho: ServiceImplementation<typeof EchoService> = {
  Unary: (r) => r,
  async ServerStream(_req, ctx, out) {
    await out.write(echo({ text: "first" }));
    await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
  },
  ClientStream: async () => echo(),
  Bidi: async () => {},
};
