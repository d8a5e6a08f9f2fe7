// Preload for svc-gc.sh: SIGWINCH marks the start of the measured window, SIGTERM prints the CPU used since (ms) and exits.
let base = 0;
process.on("SIGWINCH", () => { const u = process.cpuUsage(); base = u.user + u.system; });
process.on("SIGTERM", () => { const u = process.cpuUsage(); process.stderr.write(`CPU ${(u.user + u.system - base) / 1000}\n`); process.exit(0); });
