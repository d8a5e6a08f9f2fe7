import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/service/config.js";

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

  it("refuses bad values with a message naming the setting", () => {
    const cases: [NodeJS.ProcessEnv, string[], RegExp][] = [
      [{ PORT: "http" }, [], /PORT/],
      [{}, ["--port", "70000"], /^--port must be/],
      [{ LOG_LEVEL: "loud" }, [], /^LOG_LEVEL must be/],
      [{}, ["--log-level", "bogus"], /^--log-level must be one of debug, info, warn, error, silent, got "bogus"/],
      [{ LOG_LEVEL: "info" }, ["--log-level=bogus"], /^--log-level must be/],
      [{}, ["--shutdown-grace-ms", "-1"], /^--shutdown-grace-ms must be/],
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
