// Prints the self-time hotspots of CPU profiles written by `npm run bench -- --cpu-prof`:
//   npx tsx bench/profile.ts bench/results/runs/*-ours.cpuprofile [--top 30]
import { formatHotspots } from "./lib/profile.js";

const args = process.argv.slice(2);
const t = args.indexOf("--top");
const top = t >= 0 ? Number(args[t + 1]) : 25;
const files = args.filter((a, i) => a !== "--top" && (t < 0 || i !== t + 1));
if (files.length === 0) {
  process.stderr.write("usage: npx tsx bench/profile.ts FILE.cpuprofile… [--top N]\n");
  process.exit(2);
}
for (const f of files) process.stdout.write(formatHotspots(f, top) + "\n\n");
