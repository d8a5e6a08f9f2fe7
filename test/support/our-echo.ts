// Test support: our server serving EchoService (with the handlers a test gives, plain echoes for the
// rest) and our client connected to it, on a loopback port.
import { Channel, Client } from "../../src/client/index.js";
import { Server, type ServiceImplementation } from "../../src/server/index.js";
import { EchoService, echo } from "./echo-service.js";

export interface OurEcho {
  readonly client: Client;
  close(): Promise<void>;
}

export async function startOurEcho(handlers: Partial<ServiceImplementation<typeof EchoService>> = {}): Promise<OurEcho> {
  const server = new Server();
  server.addService(EchoService, {
    Unary: async (req) => req,
    ServerStream: async () => {},
    ClientStream: async () => echo(),
    Bidi: async () => {},
    ...handlers,
  });
  const port = await server.listen({ port: 0, host: "127.0.0.1" });
  const channel = new Channel(`127.0.0.1:${port}`);
  return {
    client: new Client(channel),
    async close() {
      await channel.close();
      await server.forceShutdown();
    },
  };
}
