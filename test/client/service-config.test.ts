// The service config parser (service_config.md, gRFC A6 retryPolicy, A17 healthCheckConfig): what it accepts, and an error naming the field for what it does not.
import { describe, expect, it } from "vitest";
import { methodConfigFor, parseServiceConfig } from "../../src/client/service-config.js";
import { Status } from "../../src/wire/status.js";

describe("parseServiceConfig", () => {
  it("reads the policy, health check and method configs", () => {
    const sc = parseServiceConfig(
      JSON.stringify({
        loadBalancingConfig: [{ grpclb: {} }, { round_robin: {} }, { pick_first: {} }],
        healthCheckConfig: { serviceName: "user.UserService" },
        methodConfig: [
          { name: [{ service: "s.A", method: "M" }], timeout: "1.5s", waitForReady: true },
          { name: [{ service: "s.A" }], retryPolicy: { maxAttempts: 9, initialBackoff: "0.1s", maxBackoff: "2s", backoffMultiplier: 1.5, retryableStatusCodes: ["UNAVAILABLE", 4] } },
          { name: [{}], timeout: "30s" },
        ],
      }),
    );
    expect(sc.loadBalancingPolicy).toBe("round_robin");
    expect(sc.healthCheckServiceName).toBe("user.UserService");
    expect(methodConfigFor(sc, "/s.A/M")).toEqual({ timeoutMs: 1500, waitForReady: true });
    expect(methodConfigFor(sc, "/s.A/Other")).toEqual({
      retryPolicy: { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 2000, backoffMultiplier: 1.5, retryableStatusCodes: [Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED] },
    });
    expect(methodConfigFor(sc, "/s.B/X")).toEqual({ timeoutMs: 30_000 });
    expect(parseServiceConfig({}).loadBalancingPolicy).toBe("pick_first");
    expect(parseServiceConfig({ loadBalancingPolicy: "round_robin" }).loadBalancingPolicy).toBe("round_robin");
    expect(methodConfigFor(parseServiceConfig({ methodConfig: [{ name: [{ service: "s.A" }] }] }), "/s.B/X")).toBeUndefined();
  });

  it("names the offending field", () => {
    const rp = { maxAttempts: 2, initialBackoff: "1s", maxBackoff: "1s", backoffMultiplier: 2, retryableStatusCodes: ["UNAVAILABLE"] };
    const cases: Array<[unknown, RegExp]> = [
      ["[", /not valid JSON/],
      [[], /must be a JSON object/],
      [{ loadBalancingConfig: {} }, /loadBalancingConfig must be an array/],
      [{ loadBalancingConfig: [{ round_robin: {}, pick_first: {} }] }, /loadBalancingConfig\[0\] must be an object with exactly one policy/],
      [{ loadBalancingConfig: [{ xds: {} }] }, /names no supported policy \(got xds/],
      [{ loadBalancingPolicy: "random" }, /loadBalancingPolicy must be "pick_first" or "round_robin"/],
      [{ healthCheckConfig: {} }, /healthCheckConfig.serviceName must be a string/],
      [{ methodConfig: [{}] }, /methodConfig\[0\]\.name must be a non-empty array/],
      [{ methodConfig: [{ name: [{ method: "M" }] }] }, /methodConfig\[0\]\.name\[0\] names a method without a service/],
      [{ methodConfig: [{ name: [{ service: "a" }] }, { name: [{ service: "a" }] }] }, /methodConfig\[1\]\.name\[0\] duplicates an earlier name \(a\/\)/],
      [{ methodConfig: [{ name: [{}], timeout: 5 }] }, /methodConfig\[0\]\.timeout must be a duration/],
      [{ methodConfig: [{ name: [{}], waitForReady: "yes" }] }, /waitForReady must be a boolean/],
      [{ methodConfig: [{ name: [{}], retryPolicy: { ...rp, maxAttempts: 1 } }] }, /retryPolicy\.maxAttempts must be an integer > 1/],
      [{ methodConfig: [{ name: [{}], retryPolicy: { ...rp, initialBackoff: "0s" } }] }, /retryPolicy\.initialBackoff must be > 0/],
      [{ methodConfig: [{ name: [{}], retryPolicy: { ...rp, maxBackoff: "1m" } }] }, /retryPolicy\.maxBackoff must be a duration/],
      [{ methodConfig: [{ name: [{}], retryPolicy: { ...rp, backoffMultiplier: 0 } }] }, /backoffMultiplier must be a number > 0/],
      [{ methodConfig: [{ name: [{}], retryPolicy: { ...rp, retryableStatusCodes: [] } }] }, /retryableStatusCodes must be a non-empty array/],
      [{ methodConfig: [{ name: [{}], retryPolicy: { ...rp, retryableStatusCodes: ["OK"] } }] }, /retryableStatusCodes\[0\] is not a non-OK status code/],
      [{ methodConfig: [{ name: [{}], retryPolicy: { ...rp, retryableStatusCodes: ["UNAVAILABLE", 17] } }] }, /retryableStatusCodes\[1\]/],
    ];
    for (const [input, re] of cases) {
      let message = "";
      try {
        parseServiceConfig(input as string);
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
        message = (err as Error).message;
      }
      expect([JSON.stringify(input), message]).toEqual([JSON.stringify(input), expect.stringMatching(re)]);
      expect(message).toMatch(/^service config: /);
    }
  });
});
