import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Loopback servers per test file: run files in separate forks so ports and timers never mix.
    pool: "forks",
  },
});
