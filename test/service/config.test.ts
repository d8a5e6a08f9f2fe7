import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/service/config.js";
import { startTestService } from "./support.js";

describe("config", () => {
  it("has the documented defaults", () => {
    expect(loadConfig({}, [])).toEqual({
      ok: true,
      config: { port: 50051, host: "0.0.0.0", logLevel: "info", shutdownGraceMs: 10_000, maxBatchSize: 100_000 },
    });
  });

  it("reads the environment and lets flags override it", () => {
    const env = { PORT: "1234", HOST: "127.0.0.1", AUTH_TOKENS: "x=admin", LOG_LEVEL: "WARN", SHUTDOWN_GRACE_MS: "500", TLS_CERT: "c.pem", TLS_KEY: "k.pem" };
    const r = loadConfig(env, ["--port", "0", "--log-level=debug", "--tls-client-ca", "ca.pem"]);
    expect(r).toEqual({
      ok: true,
      config: {
        port: 0,
        host: "127.0.0.1",
        authTokens: "x=admin",
        logLevel: "debug",
        shutdownGraceMs: 500,
        maxBatchSize: 100_000,
        tls: { certFile: "c.pem", keyFile: "k.pem", clientCaFile: "ca.pem" },
      },
    });
  });

  it("reads the transport limits (issue 10) from the environment and flags", () => {
    const r = loadConfig({ MAX_CONCURRENT_STREAMS: "50", MAX_CONNECTION_AGE_MS: "60000" }, [
      "--max-connections=900",
      "--handshake-timeout-ms",
      "5000",
      "--max-connection-idle-ms=30000",
      "--max-connection-age-grace-ms=0",
    ]);
    expect(r.ok && r.config.limits).toEqual({
      maxConcurrentStreams: 50,
      maxConnections: 900,
      handshakeTimeoutMs: 5000,
      maxConnectionIdleMs: 30000,
      maxConnectionAgeMs: 60000,
      maxConnectionAgeGraceMs: 0,
    });
    for (const bad of ["MAX_CONCURRENT_STREAMS", "MAX_CONNECTIONS", "HANDSHAKE_TIMEOUT_MS", "MAX_CONNECTION_IDLE_MS", "MAX_CONNECTION_AGE_MS"]) {
      const e = loadConfig({ [bad]: "0" }, []);
      expect(!e.ok && "error" in e ? e.error : "").toMatch(bad);
    }
  });

  it("hands the transport limits to the server", async () => {
    const t = await startTestService({ limits: { maxConcurrentStreams: 7, maxConnectionAgeMs: 60_000 } });
    try {
      expect(t.app.server.options.maxConcurrentStreams).toBe(7);
      expect(t.app.server.options.maxConnectionAgeMs).toBe(60_000);
      expect(t.app.server.options.maxConnectionIdleMs).toBe(Infinity);
    } finally {
      await t.close();
    }
  });

  it("refuses bad values with a message naming the setting", () => {
    const cases: [NodeJS.ProcessEnv, string[], RegExp][] = [
      [{ PORT: "http" }, [], /PORT/],
      [{}, ["--port", "70000"], /PORT/],
      [{ LOG_LEVEL: "loud" }, [], /LOG_LEVEL/],
      [{ TLS_CERT: "c.pem" }, [], /TLS_KEY/],
      [{}, ["--tls-client-ca", "ca.pem"], /TLS_CLIENT_CA/],
      [{}, ["--auth-tokens", "x=admin"], /unknown argument/],
      [{}, ["--port"], /needs a value/],
      [{ SHUTDOWN_GRACE_MS: "-1" }, [], /SHUTDOWN_GRACE_MS/],
    ];
    for (const [env, argv, msg] of cases) {
      const r = loadConfig(env, argv);
      expect(r.ok).toBe(false);
      expect(!r.ok && "error" in r ? r.error : "").toMatch(msg);
    }
    const help = loadConfig({}, ["--help"]);
    expect(!help.ok && "help" in help ? help.help : "").toContain("--shutdown-grace-ms");
  });
});
