// TLS and mutual TLS with generated certificates: `npm run certs` (scripts/certs.sh, openssl) makes a
// throwaway CA, a server certificate for localhost and a client certificate; the server listens
// with `tls: { key, cert }` (plus `ca` and `requestCert` for mTLS); the client trusts the CA with
// `new Channel(target, { tls: { ca } })` (plus its own `cert` and `key` for mTLS). With mTLS the
// handler sees the client's certificate in `ctx.peerCertificate`; a client without one is refused.
//
//   npx tsx examples/tls.ts [certs-dir]    (default: a fresh temp dir; npm run examples runs it too)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Channel, Client, GrpcError, Status, clientMethods } from "../src/client/index.js";
import { GetUserRequestCodec, UserCodec } from "../src/schema/user.js";
import { Server, defineService, type ServiceImplementation } from "../src/server/index.js";

const given = process.argv[2];
const dir = given ?? mkdtempSync(path.join(tmpdir(), "grpc-example-certs-"));
if (given === undefined) execFileSync("bash", [fileURLToPath(new URL("../scripts/certs.sh", import.meta.url)), dir], { stdio: "inherit" });
const pem = (name: string): Buffer => readFileSync(path.join(dir, name));

const Users = defineService("user.UserService", {
  GetUser: { kind: "unary", requestCodec: GetUserRequestCodec, responseCodec: UserCodec },
});
const implementation: ServiceImplementation<typeof Users> = {
  GetUser: (req, ctx) => UserCodec.create({ id: req.id, username: String(ctx.peerCertificate?.subject.CN ?? "(no client certificate)") }),
};
const m = clientMethods(Users);

try {
  // TLS: the server proves who it is; the client checks the certificate against the CA and "localhost".
  const tlsServer = new Server().addService(Users, implementation);
  const tlsPort = await tlsServer.listen({ port: 0, tls: { key: pem("server-key.pem"), cert: pem("server.pem") } });
  const tlsChannel = new Channel(`localhost:${tlsPort}`, { tls: { ca: pem("ca.pem") } });
  const viaTls = await new Client(tlsChannel).unary(m.GetUser, { id: "1" });
  console.log(`TLS: answered for ${viaTls.username}`);
  await tlsChannel.close();
  await tlsServer.shutdown(1_000);

  // Mutual TLS: the server also asks for a client certificate signed by the CA.
  const mtlsServer = new Server().addService(Users, implementation);
  const mtlsPort = await mtlsServer.listen({
    port: 0,
    tls: { key: pem("server-key.pem"), cert: pem("server.pem"), ca: pem("ca.pem"), requestCert: true, rejectUnauthorized: true },
  });
  const mtlsChannel = new Channel(`localhost:${mtlsPort}`, { tls: { ca: pem("ca.pem"), cert: pem("client.pem"), key: pem("client-key.pem") } });
  const viaMtls = await new Client(mtlsChannel).unary(m.GetUser, { id: "2" });
  console.log(`mTLS: the handler saw client certificate CN=${viaMtls.username}`);
  assert.equal(viaMtls.username, "userctl-client");
  await mtlsChannel.close();

  // Without a client certificate the TLS handshake fails: UNAVAILABLE.
  const anonymous = new Channel(`localhost:${mtlsPort}`, { tls: { ca: pem("ca.pem") } });
  const refused = await new Client(anonymous).unary(m.GetUser, { id: "3" }).catch((e: unknown) => GrpcError.from(e));
  console.log(`mTLS without a client certificate: ${refused instanceof GrpcError ? refused.message.split("\n")[0] : "answered?!"}`);
  assert.ok(refused instanceof GrpcError && refused.code === Status.UNAVAILABLE);
  anonymous.destroy();
  await mtlsServer.shutdown(1_000);
} finally {
  if (given === undefined) rmSync(dir, { recursive: true, force: true });
}
