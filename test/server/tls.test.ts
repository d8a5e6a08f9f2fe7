import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { Server, type ServiceImplementation } from "../../src/server/index.js";
import { makeTestCerts, type TestCerts } from "../support/certs.js";
import { EchoService, echo, grpcJsEchoClient, grpcJsUnary } from "../support/echo-service.js";

const impl: ServiceImplementation<typeof EchoService> = {
  Unary: (req, ctx) => {
    const cn = ctx.peerCertificate?.subject.CN;
    return echo({ text: `${req.text}:${typeof cn === "string" ? cn : "anonymous"}` });
  },
  ServerStream: async () => {},
  ClientStream: async () => echo(),
  Bidi: async () => {},
};

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});

describe("TLS", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = new Server().addService(EchoService, impl);
    port = await server.listen({ tls: { key: certs.serverKey, cert: certs.serverCert } });
  });
  afterAll(() => server.shutdown(500));

  it("serves a grpc-js client over TLS (ALPN h2)", async () => {
    const c = grpcJsEchoClient(`localhost:${port}`, grpc.credentials.createSsl(certs.caCert));
    const r = await grpcJsUnary(c, echo({ text: "tls" }));
    c.close();
    expect(r.error).toBeNull();
    expect(r.response?.text).toBe("tls:anonymous");
  });

  it("a client that does not trust the CA fails with UNAVAILABLE", async () => {
    const c = grpcJsEchoClient(`localhost:${port}`, grpc.credentials.createSsl(certs.otherCaCert));
    const r = await grpcJsUnary(c, echo({ text: "tls" }), new grpc.Metadata(), { deadline: Date.now() + 5000 });
    c.close();
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(r.error?.code);
  });
});

describe("mTLS", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = new Server().addService(EchoService, impl);
    port = await server.listen({
      tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.caCert, requestCert: true, rejectUnauthorized: true },
    });
  });
  afterAll(() => server.shutdown(500));

  it("accepts a client certificate signed by the CA and shows it to the handler", async () => {
    const c = grpcJsEchoClient(`localhost:${port}`, grpc.credentials.createSsl(certs.caCert, certs.clientKey, certs.clientCert));
    const r = await grpcJsUnary(c, echo({ text: "mtls" }));
    c.close();
    expect(r.error).toBeNull();
    expect(r.response?.text).toBe("mtls:test-client");
  });

  it("refuses a client without a certificate", async () => {
    const c = grpcJsEchoClient(`localhost:${port}`, grpc.credentials.createSsl(certs.caCert));
    const r = await grpcJsUnary(c, echo({ text: "mtls" }), new grpc.Metadata(), { deadline: Date.now() + 5000 });
    c.close();
    expect(r.error).not.toBeNull();
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(r.error?.code);
  });
});
