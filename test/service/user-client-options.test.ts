// UserServiceClient passes targets, a service config and channel options to its channel.
import { describe, expect, it } from "vitest";
import { UserServiceClient } from "../../src/service/user-client.js";

describe("UserServiceClient options", () => {
  it("takes an ipv4: target and a service config, and rejects a bad one at construction", async () => {
    const c = new UserServiceClient({
      target: "ipv4:127.0.0.1:1,127.0.0.1:2",
      serviceConfig: { loadBalancingConfig: [{ round_robin: {} }], healthCheckConfig: { serviceName: "user.UserService" } },
      channelOptions: { minResolutionIntervalMs: 1000 },
    });
    expect(c.channel.serviceConfig.loadBalancingPolicy).toBe("round_robin");
    expect(c.channel.serviceConfig.healthCheckServiceName).toBe("user.UserService");
    expect(c.channel.subchannelStates().map((s) => s.address)).toEqual(["127.0.0.1:1", "127.0.0.1:2"]);
    await c.close();
    expect(() => new UserServiceClient({ target: "localhost:1", serviceConfig: '{"methodConfig": [{"name": [{}], "timeout": "soon"}]}' })).toThrow(
      /service config: methodConfig\[0\]\.timeout must be a duration such as "1\.5s"/,
    );
  });
});
