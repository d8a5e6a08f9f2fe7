// A server of your own, with health (grpc.health.v1) and server reflection added by one call,
// addHealthAndReflection(server, { protoFiles }), so grpcurl and grpc-health-probe work against it
// without .proto files.
//
//   npx tsx examples/own-server.ts                 # starts, checks health and reflection itself, stops
//   npx tsx examples/own-server.ts --serve 50052   # stays up; in another terminal:
//   .peers/bin/grpcurl -plaintext localhost:50052 list        (npm run peers:install installs grpcurl)
//   .peers/bin/grpcurl -plaintext -d '{"id":"42"}' localhost:50052 user.UserService/GetUser

import assert from "node:assert/strict";
import { Channel, Client, clientMethods } from "../src/client/index.js";
import { GetUserRequestCodec, UserCodec } from "../src/schema/user.js";
import { Server, defineService } from "../src/server/index.js";
import { HealthServiceDescriptor, ServingStatus, addHealthAndReflection } from "../src/service/index.js";
import { ReflectionV1Descriptor } from "../src/service/reflection.js";

// Your service: any subset of a service in your .proto files (here one method of proto/user.proto).
const UserService = defineService("user.UserService", {
  GetUser: { kind: "unary", requestCodec: GetUserRequestCodec, responseCodec: UserCodec },
});
const server = new Server().addService(UserService, {
  GetUser: (req) => UserCodec.create({ id: req.id, username: `user_${req.id}` }),
});
// After your own services: health says SERVING for each; reflection lists them all and describes
// them from the .proto files (relative to `includeDirs`; the repository's proto/ is always searched).
const { health } = addHealthAndReflection(server, { protoFiles: ["user.proto"] });

const serve = process.argv[2] === "--serve";
const port = await server.listen({ port: serve ? Number(process.argv[3] ?? 50052) : 0, host: "127.0.0.1" });
console.log(`own server listening on 127.0.0.1:${port}: ${server.serviceNames().join(", ")}`);

if (serve) {
  console.log(`try: .peers/bin/grpcurl -plaintext localhost:${port} list   (Ctrl-C stops)`);
  process.on("SIGINT", () => {
    health.shutdown(); // probes see NOT_SERVING while calls in flight finish
    void server.shutdown(5_000).then(() => process.exit(0));
  });
} else {
  // What grpcurl and grpc-health-probe do, with this library's client.
  const channel = new Channel(`127.0.0.1:${port}`);
  const client = new Client(channel);
  const check = await client.unary(clientMethods(HealthServiceDescriptor).Check, { service: "user.UserService" });
  console.log("health of user.UserService:", Object.entries(ServingStatus).find(([, v]) => v === check.status)?.[0]);
  assert.equal(check.status, ServingStatus.SERVING);

  const reflection = client.bidiStreaming(clientMethods(ReflectionV1Descriptor).ServerReflectionInfo);
  await reflection.write({ host: "", listServices: "" });
  reflection.end();
  for await (const answer of reflection) {
    const names = answer.listServicesResponse?.service.map((s) => s.name) ?? [];
    console.log("reflection lists:", names.join(", "));
    assert.ok(names.includes("user.UserService") && names.includes("grpc.health.v1.Health"));
  }
  assert.equal((await client.unary(clientMethods(UserService).GetUser, { id: "42" })).username, "user_42");
  await channel.close();
  health.shutdown();
  await server.shutdown(1_000);
}
