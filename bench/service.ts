// `npm run bench:service` (issue 4): CreateUser, GetUser and ListUsers (10 000 users) on our user
// service and on the same service written on grpc-js (bench/servers/grpcjs-user.ts), in one run.
import { main } from "./lib/cli.js";

process.exitCode = await main(process.argv.slice(2), { scenarios: ["service"], name: "bench:service" });
