// Pure parts of the client: connection backoff (connection-backoff.md), target parsing, address-family interleaving, deadline arithmetic, held request frames (the wire tables are tested in test/wire/).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Backoff } from "../../src/client/backoff.js";
import { callTimeout, deadlineExceeded, deadlinePassed } from "../../src/client/deadline.js";
import { HeldFrames } from "../../src/client/held-frames.js";
import { parseTarget } from "../../src/client/target.js";
import { interleaveFamilies } from "../../src/client/resolver.js";
import { Status } from "../../src/wire/status.js";
import { FUZZ_SEED } from "../support/fuzz-seed.js";

describe("Backoff", () => {
  it("grows by MULTIPLIER up to MAX_BACKOFF without jitter, and resets", () => {
    const b = new Backoff({ initialBackoffMs: 1000, multiplier: 1.6, jitter: 0, maxBackoffMs: 5000 }, () => 0.5);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()].map(Math.round)).toEqual([1000, 1600, 2560, 4096, 5000, 5000]);
    b.reset();
    expect(b.next()).toBe(1000);
  });

  it("jitter stays within ±JITTER of the un-jittered delay", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 0.9999999, noNaN: true }), { minLength: 1, maxLength: 20 }), (randoms) => {
        let i = 0;
        const b = new Backoff({}, () => randoms[i++ % randoms.length]);
        let base = 1000;
        for (let k = 0; k < randoms.length; k++) {
          const d = b.next();
          expect(d).toBeGreaterThanOrEqual(base * 0.8 - 1e-6);
          expect(d).toBeLessThanOrEqual(base * 1.2 + 1e-6);
          base = Math.min(base * 1.6, 120_000);
        }
      }),
      { seed: FUZZ_SEED },
    );
  });

  it("uses the spec defaults and a connect timeout of at least MIN_CONNECT_TIMEOUT", () => {
    const b = new Backoff();
    expect([b.initialMs, b.multiplier, b.jitter, b.maxMs, b.minConnectTimeoutMs]).toEqual([1000, 1.6, 0.2, 120_000, 20_000]);
    expect(b.connectTimeout()).toBe(20_000);
  });

  it("two channels with the default random jitter do not retry in lockstep", () => {
    const a = new Backoff();
    const b = new Backoff();
    const as = Array.from({ length: 5 }, () => a.next());
    const bs = Array.from({ length: 5 }, () => b.next());
    expect(as).not.toEqual(bs);
  });
});

describe("parseTarget", () => {
  it("parses host:port, IPv6, dns:///, unix: forms", () => {
    expect(parseTarget("localhost:50051")).toEqual({ target: { kind: "tcp", host: "localhost", port: 50051, authority: "localhost:50051" } });
    expect(parseTarget("[::1]:8080")).toEqual({ target: { kind: "tcp", host: "::1", port: 8080, authority: "[::1]:8080" } });
    expect(parseTarget("dns:///example.com:443")).toEqual({ target: { kind: "dns", host: "example.com", port: 443, authority: "example.com:443" } });
    expect(parseTarget("dns:example.com")).toEqual({ target: { kind: "dns", host: "example.com", port: 443, authority: "example.com:443" } });
    expect(parseTarget("ipv4:127.0.0.1:1,10.0.0.2:2")).toEqual({
      target: { kind: "list", scheme: "ipv4", authority: "127.0.0.1:1", addresses: [{ kind: "tcp", host: "127.0.0.1", port: 1 }, { kind: "tcp", host: "10.0.0.2", port: 2 }] },
    });
    expect(parseTarget("ipv6:[::1]:5,::2")).toEqual({
      target: { kind: "list", scheme: "ipv6", authority: "[::1]:5", addresses: [{ kind: "tcp", host: "::1", port: 5 }, { kind: "tcp", host: "::2", port: 443 }] },
    });
    expect(parseTarget("example.com")).toEqual({ target: { kind: "tcp", host: "example.com", port: 443, authority: "example.com:443" } });
    expect(parseTarget("unix:/tmp/a.sock")).toEqual({ target: { kind: "unix", path: "/tmp/a.sock", authority: "localhost" } });
    expect(parseTarget("unix:///tmp/a.sock")).toEqual({ target: { kind: "unix", path: "/tmp/a.sock", authority: "localhost" } });
  });

  it("returns errors for bad targets", () => {
    expect(parseTarget("host:99999")).toHaveProperty("error");
    expect(parseTarget(":80")).toHaveProperty("error");
    expect(parseTarget("unix:")).toHaveProperty("error");
    expect(parseTarget("[::1:80")).toHaveProperty("error");
    const bad: Array<[string, RegExp]> = [
      ["", /empty/],
      ["ipv4:", /lists no addresses/],
      ["ipv4:127.0.0.1:1,[::1]:2", /not an IPv4 address/],
      ["ipv4:localhost:80", /not an IPv4 address/],
      ["ipv6:127.0.0.1", /not an IPv6 address/],
      ["ipv6:[::1]x", /text after the IPv6 literal/],
      ["dns://8.8.8.8/example.com", /DNS server authority/],
      ["dns:///", /names no host/],
      ["dns:///h:port", /invalid port/],
      ["unix://host/path", /takes no authority/],
      ["http://example.com", /unsupported scheme "http:"/],
      ["::1:80", /must be in brackets/],
    ];
    for (const [t, re] of bad) expect([t, (parseTarget(t) as { error: string }).error]).toEqual([t, expect.stringMatching(re)]);
  });
});

describe("interleaveFamilies (gRFC A61)", () => {
  it("alternates IPv6 and IPv4, starting with the first address's family, keeping each family's order", () => {
    const a = (address: string) => ({ address, family: address.includes(":") ? 6 : 4 });
    const out = interleaveFamilies([a("::1"), a("::2"), a("::3"), a("10.0.0.1"), a("10.0.0.2")]).map((r) => r.address);
    expect(out).toEqual(["::1", "10.0.0.1", "::2", "10.0.0.2", "::3"]);
    expect(interleaveFamilies([a("10.0.0.1"), a("10.0.0.2"), a("::1")]).map((r) => r.address)).toEqual(["10.0.0.1", "::1", "10.0.0.2"]);
    expect(interleaveFamilies([a("10.0.0.1"), a("::1")]).map((r) => r.address)).toEqual(["10.0.0.1", "::1"]);
  });
});

describe("deadline arithmetic", () => {
  const t = { startedAt: 1000, streamAt: 1002, headersAt: 0, received: 0, deadlineMs: 100 };

  it("the earlier of deadline and timeoutMs wins; none is undefined", () => {
    expect(callTimeout({}, 1000)).toBeUndefined();
    expect(callTimeout({ timeoutMs: 50 }, 1000)).toBe(50);
    expect(callTimeout({ timeoutMs: 50, deadline: new Date(1030) }, 1000)).toBe(30);
    expect(callTimeout({ timeoutMs: 20, deadline: new Date(1030) }, 1000)).toBe(20);
  });

  it("a status after the deadline is the client's deadline; a server DEADLINE_EXCEEDED counts a few ms early", () => {
    expect(deadlinePassed(t, 1100, Status.OK)).toBe(true);
    expect(deadlinePassed(t, 1150, Status.NOT_FOUND)).toBe(true);
    expect(deadlinePassed(t, 1098, Status.OK)).toBe(false);
    expect(deadlinePassed(t, 1098, Status.DEADLINE_EXCEEDED)).toBe(true);
    expect(deadlinePassed(t, 1050, Status.DEADLINE_EXCEEDED)).toBe(false);
    expect(deadlinePassed({ ...t, deadlineMs: 0 }, 9999, Status.DEADLINE_EXCEEDED)).toBe(false);
  });

  it("says where the time went, and what the server said", () => {
    const err = deadlineExceeded(t, "/p.S/M", "127.0.0.1:1", 1101, { code: Status.DEADLINE_EXCEEDED, message: "Deadline exceeded" });
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(err.rawMessage).toBe(
      'deadline of 100 ms exceeded after 101 ms calling /p.S/M on 127.0.0.1:1 (connection: 2 ms, waiting for response headers: 99 ms); the server\'s status: DEADLINE_EXCEEDED "Deadline exceeded"',
    );
  });
});

describe("HeldFrames (gRFC A6 replay)", () => {
  const b = (n: number): Buffer => Buffer.alloc(n, n);

  it("holds frames until the stream exists, bounded like the stream's buffer", () => {
    const h = new HeldFrames(10);
    expect(h.hold(b(4), false)).toBe(true);
    expect(h.hold(b(6), false)).toBe(false);
  });

  it("keeps written frames for a replay until the response starts or the bound is passed", () => {
    const h = new HeldFrames(10);
    h.keep(b(4));
    expect(h.replayable).toBe(true);
    h.keep(b(7));
    expect(h.replayable).toBe(false);
    const g = new HeldFrames(10);
    g.keep(b(1));
    g.drop();
    expect(g.replayable).toBe(false);
  });

  it("rewinds the kept frames and the last one onto a new stream, and ends it", () => {
    const h = new HeldFrames(100);
    const [one, two, last] = [b(1), b(2), b(3)];
    h.keep(one);
    h.keep(two);
    h.rewind(last, true);
    const written: Buffer[] = [];
    let ended: Buffer | undefined;
    const stream = { write: (f: Buffer) => written.push(f), end: (f?: Buffer) => (ended = f) };
    h.flush(stream as never, last, undefined);
    expect(written).toEqual([one, two]);
    expect(ended).toBe(last);
    expect(h.replayable).toBe(true);
  });
});
