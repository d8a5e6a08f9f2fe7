// `npm run bench:service` (issue 4): CreateUser, GetUser and ListUsers (10 000 users) on our user
// service and on the same service written on grpc-js (bench/servers/grpcjs-user.ts), in one run.
// Five interleaved repetitions by default: with two, GetUser's rates moved ±10–20 % from run to run
// (docs/BENCHMARKS.md "User service"), more than the margins of its targets.
import { main } from "./lib/cli.js";

process.exitCode = await main(process.argv.slice(2), { scenarios: ["service"], name: "bench:service", repeats: 5 });
