import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/service/config.js";
import { startTestService } from "./support.js";

describe("config", () => {
  it("has the documented defaults", () => {
    expect(loadConfig({}, [])).toEqual({
      ok: true,
      config: { port: 50051, host: "0.0.0.0", logLevel: "info", shutdownGraceMs: 10_000, maxBatchSize: 100_000, maxUsers: 1_000_000 },
    });
  });

  it("reads the environment and lets flags override it", () => {
    const env = { PORT: "1234", HOST: "127.0.0.1", AUTH_TOKENS: "x=admin", LOG_LEVEL: "WARN", SHUTDOWN_GRACE_MS: "500", TLS_CERT: "c.pem", TLS_KEY: "k.pem" };
    const r = loadConfig({ ...env, MAX_USERS: "5" }, ["--port", "0", "--log-level=debug", "--tls-client-ca", "ca.pem", "--max-users", "7"]);
    expect(r).toEqual({
      ok: true,
      config: {
        port: 0,
        host: "127.0.0.1",
        authTokens: "x=admin",
        logLevel: "debug",
        shutdownGraceMs: 500,
        maxBatchSize: 100_000,
        maxUsers: 7,
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

  it("turns the wire viewer on with --viewer or WIRE_VIEWER=1, on 127.0.0.1:8090 unless told otherwise", () => {
    const on = (env: NodeJS.ProcessEnv, argv: string[]) => {
      const r = loadConfig(env, argv);
      return r.ok ? r.config.viewer : "error";
    };
    expect(on({}, [])).toBeUndefined();
    expect(on({}, ["--viewer"])).toEqual({ port: 8090, host: "127.0.0.1" });
    expect(on({ WIRE_VIEWER: "1", WIRE_VIEWER_PORT: "0" }, ["--viewer-host", "::1"])).toEqual({ port: 0, host: "::1" });
    expect(on({ WIRE_VIEWER: "1" }, ["--viewer=0"])).toBeUndefined();
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
      [{}, ["--port"], /^--port needs a value/],
      [{}, ["--nope=1"], /^unknown argument "--nope=1" \(try --help\)/],
      [{}, ["-x"], /^unknown argument "-x"/],
      [{}, ["--port", "1", "stray"], /^unknown argument "stray"/],
      [{}, ["--trace=maybe"], /^--trace must be 1 or 0, got "maybe"/],
      [{}, ["--max-batch-size=0"], /^--max-batch-size must be between 1 and/],
      [{}, ["--port="], /^--port must be a whole number, got ""/],
      [{ SHUTDOWN_GRACE_MS: "-1" }, [], /SHUTDOWN_GRACE_MS/],
      [{ MAX_USERS: "0" }, [], /MAX_USERS/],
      [{}, ["--max-users", "lots"], /MAX_USERS/],
      [{ WIRE_VIEWER: "yes" }, [], /WIRE_VIEWER/],
      [{ WIRE_VIEWER: "1", WIRE_VIEWER_PORT: "80000" }, [], /WIRE_VIEWER_PORT/],
    ];
    for (const [env, argv, msg] of cases) {
      const r = loadConfig(env, argv);
      expect(r.ok).toBe(false);
      expect(!r.ok && "error" in r ? r.error : "").toMatch(msg);
    }
    const help = loadConfig({}, ["--help"]);
    expect(!help.ok && "help" in help ? help.help : "").toContain("--shutdown-grace-ms");
    const short = loadConfig({}, ["--port", "1", "-h"]);
    expect(!short.ok && "help" in short ? short.help : "").toContain("--shutdown-grace-ms");
  });

  it("reads DATABASE_URL (or --database-url) and refuses a URL that is not postgres://, without echoing a password", () => {
    const url = "postgres://app:pw@db.internal:5432/users";
    const fromEnv = loadConfig({ DATABASE_URL: url }, []);
    expect(fromEnv.ok && fromEnv.config.databaseUrl).toBe(url);
    const fromFlag = loadConfig({ DATABASE_URL: "postgres://ignored/x" }, ["--database-url", "postgresql://h/db"]);
    expect(fromFlag.ok && fromFlag.config.databaseUrl).toBe("postgresql://h/db");
    expect(loadConfig({}, []).ok && "databaseUrl" in (loadConfig({}, []) as { config: object }).config).toBe(false);
    const bad = loadConfig({ DATABASE_URL: "mysql://app:secret@h/db" }, []);
    const error = !bad.ok && "error" in bad ? bad.error : "";
    expect(error).toMatch(/DATABASE_URL/);
    expect(error).not.toContain("secret");
  });
});
