// A connection that closes under a call (node resets the open streams with CANCEL) is UNAVAILABLE,
// as a refused one is (statuscodes.md: UNAVAILABLE "most likely a transient condition"; grpc-go and
// grpc-js say the same): e.g. a plaintext client against a TLS port.

import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Client, Status, clientMethods } from "../../src/client/index.js";
import { Server } from "../../src/server/index.js";
import { makeTestCerts } from "../support/certs.js";
import { EchoService, echo } from "../support/echo-service.js";
import { rejection } from "../support/outcomes.js";

let server: Server;
let port: number;
beforeAll(async () => {
  const certs = makeTestCerts();
  server = new Server().addService(EchoService, {
    Unary: (req) => echo({ text: req.text }),
    ServerStream: async () => {},
    ClientStream: async () => echo(),
    Bidi: async () => {},
  });
  port = await server.listen({ tls: { key: certs.serverKey, cert: certs.serverCert } });
});
afterAll(() => server.shutdown(500));

describe("connection closed under a call", () => {
  it("plaintext against a TLS port: UNAVAILABLE, not CANCELLED", async () => {
    const channel = new Channel(`127.0.0.1:${port}`);
    const err = await rejection(new Client(channel).unary(clientMethods(EchoService).Unary, echo({ text: "x" })));
    expect(err.code).toBe(Status.UNAVAILABLE);
    channel.destroy();
  });

  it("a server that accepts the connection and closes it at once: UNAVAILABLE", async () => {
    const closer = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closer.listen(0, "127.0.0.1", resolve));
    const channel = new Channel(`127.0.0.1:${(closer.address() as net.AddressInfo).port}`);
    const err = await rejection(new Client(channel).unary(clientMethods(EchoService).Unary, echo({ text: "x" })));
    expect(err.code).toBe(Status.UNAVAILABLE);
    channel.destroy();
    await new Promise((resolve) => closer.close(resolve));
  });
});
