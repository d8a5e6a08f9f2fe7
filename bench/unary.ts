// `npm run bench:unary` (issue 3): the echo service on our server, on grpc-js, on grpc-go and the
// floor, each driven by h2load, the grpc-js client and our client, interleaved in one run.
import { main } from "./lib/cli.js";

process.exitCode = await main(process.argv.slice(2), { scenarios: ["unary"], name: "bench:unary" });
