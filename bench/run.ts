// `npm run bench`: the protocol benchmark harness (see docs/BENCHMARKS.md for the method).
import { main } from "./lib/cli.js";
import { DEFAULT_SCENARIOS } from "./lib/scenarios.js";

process.exitCode = await main(process.argv.slice(2), { scenarios: DEFAULT_SCENARIOS, name: "bench" });
