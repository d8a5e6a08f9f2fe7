// Our client against the real @grpc/grpc-js server: the four call kinds, status, metadata, details, deadlines, cancellation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoCodec, StatusCodec, packAny } from "../../src/schema/google-rpc.js";
import { Channel, Client, GrpcError, Metadata, Status, type ClientInterceptor } from "../../src/client/index.js";
import { Methods, startGrpcJsEchoServer, type Echo, type RunningGrpcJsServer } from "../support/client-echo.js";
import { collect, rejection } from "../support/outcomes.js";

let srv: RunningGrpcJsServer;
let channel: Channel;
let client: Client;

beforeAll(async () => {
  srv = await startGrpcJsEchoServer();
  channel = new Channel(srv.target);
  client = new Client(channel);
});

afterAll(async () => {
  await channel.close();
  await srv.close();
});

describe("four call kinds", () => {
  it("unary echoes the request", async () => {
    const r = await client.unary(Methods.unary, { text: "héllo", n: 7 });
    expect(r).toEqual({ text: "héllo", n: 7 });
  });

  it("many concurrent unary calls share one connection", async () => {
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => client.unary(Methods.unary, { text: `m${i}`, n: i })));
    expect(rs.map((r) => r.n)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(channel.state).toBe("ready");
  });

  it("server streaming yields every message, then the trailers", async () => {
    const call = client.serverStreaming(Methods.serverStream, { text: "count:5", n: 0 }, { metadata: new Metadata({ "x-a": "1" }) });
    const got = await collect(call);
    expect(got.map((m) => m.n)).toEqual([0, 1, 2, 3, 4]);
    expect((await call.headers).get("x-a")).toBe("1");
    expect((await call.trailers).get("t-x-a")).toBe("1");
  });

  it("client streaming sends every message and gets one response", async () => {
    const call = client.clientStreaming(Methods.clientStream);
    for (const t of ["a", "b", "c"]) await call.write({ text: t, n: 0 });
    const r = await call.closeAndRecv();
    expect(r).toEqual({ text: "a,b,c", n: 3 });
  });

  it("client streaming with no messages", async () => {
    const call = client.clientStreaming(Methods.clientStream);
    expect(await call.closeAndRecv()).toEqual({ text: "", n: 0 });
  });

  it("bidi: writes and reads interleave", async () => {
    const call = client.bidiStreaming(Methods.bidi);
    const it = call[Symbol.asyncIterator]();
    await call.write({ text: "one", n: 1 });
    expect((await it.next()).value).toEqual({ text: "one", n: 2 });
    await call.write({ text: "two", n: 10 });
    expect((await it.next()).value).toEqual({ text: "two", n: 11 });
    call.end();
    expect((await it.next()).done).toBe(true);
  });

  it("refuses a method descriptor of another kind", () => {
    expect(() => client.unary(Methods.bidi, { text: "", n: 0 })).toThrow(/bidi_streaming/);
  });
});

describe("status, messages, details", () => {
  it("non-OK status with a non-ASCII message and trailers", async () => {
    const md = new Metadata({ "x-fail-code": String(Status.NOT_FOUND), "x-fail-message": encodeURIComponent("no such user: Zoë ✓ 100%") });
    const err = await rejection(client.unary(Methods.unary, { text: "", n: 0 }, { metadata: md }));
    expect(err.code).toBe(Status.NOT_FOUND);
    expect(err.rawMessage).toBe("no such user: Zoë ✓ 100%");
    expect(err.metadata.get("t-x-fail-code")).toBe(String(Status.NOT_FOUND));
  });

  it("every status code comes back as sent", async () => {
    for (let code = 1; code <= 16; code++) {
      const md = new Metadata({ "x-fail-code": String(code), "x-fail-message": `c${code}` });
      const err = await rejection(client.unary(Methods.unary, { text: "", n: 0 }, { metadata: md }));
      expect([err.code, err.rawMessage]).toEqual([code, `c${code}`]);
    }
  });

  it("decodes google.rpc.Status details from grpc-status-details-bin", async () => {
    const info = { reason: "QUOTA", domain: "example.com", metadata: { k: "v" } };
    const details = StatusCodec.encode({ code: Status.RESOURCE_EXHAUSTED, message: "quota", details: [packAny(ErrorInfoCodec, info)] });
    const md = new Metadata({ "x-fail-code": String(Status.RESOURCE_EXHAUSTED), "x-fail-message": "quota" });
    md.set("x-fail-details-bin", details);
    const err = await rejection(client.unary(Methods.unary, { text: "", n: 0 }, { metadata: md }));
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(err.findDetail(ErrorInfoCodec)).toEqual(info);
  });

  it("server streaming: an error status after messages ends the iteration with GrpcError", async () => {
    const md = new Metadata({ "x-fail-after": String(Status.ABORTED) });
    const call = client.serverStreaming(Methods.serverStream, { text: "count:2", n: 0 }, { metadata: md });
    const got: Echo[] = [];
    const err = await rejection(
      (async () => {
        for await (const m of call) got.push(m);
      })(),
    );
    expect(got.length).toBe(2);
    expect(err.code).toBe(Status.ABORTED);
  });

  it("server streaming: an immediate error (Trailers-Only) rejects headers and iteration", async () => {
    const md = new Metadata({ "x-fail-code": String(Status.PERMISSION_DENIED), "x-fail-message": "nope" });
    const call = client.serverStreaming(Methods.serverStream, { text: "", n: 0 }, { metadata: md });
    const err = await rejection(collect(call));
    expect(err.code).toBe(Status.PERMISSION_DENIED);
    expect((await rejection(call.headers)).code).toBe(Status.PERMISSION_DENIED);
  });

  it("client streaming error status rejects closeAndRecv", async () => {
    const md = new Metadata({ "x-fail-code": String(Status.INVALID_ARGUMENT), "x-fail-message": "bad item" });
    const call = client.clientStreaming(Methods.clientStream, { metadata: md });
    await call.write({ text: "a", n: 0 });
    const err = await rejection(call.closeAndRecv());
    expect(err.code).toBe(Status.INVALID_ARGUMENT);
    expect(err.rawMessage).toBe("bad item");
  });

  it("unimplemented method", async () => {
    const err = await rejection(client.unary({ ...Methods.unary, path: "/test.Echo/Nope" }, { text: "", n: 0 }));
    expect(err.code).toBe(Status.UNIMPLEMENTED);
  });
});

describe("metadata", () => {
  it("ASCII and binary metadata in headers and trailers (onHeader/onTrailer)", async () => {
    const md = new Metadata({ "x-ascii": "plain value" });
    const bin = Buffer.from([0, 1, 2, 250, 255]);
    md.set("x-data-bin", bin);
    md.add("x-multi", "a");
    md.add("x-multi", "b");
    let headers: Metadata | undefined;
    let trailers: Metadata | undefined;
    await client.unary(Methods.unary, { text: "m", n: 0 }, { metadata: md, onHeader: (h) => (headers = h), onTrailer: (t) => (trailers = t) });
    expect(headers?.get("x-ascii")).toBe("plain value");
    expect(headers?.get("x-data-bin")).toEqual(bin);
    expect(headers?.getAll("x-multi").join(",").replace(/ /g, "")).toBe("a,b");
    expect(trailers?.get("t-x-ascii")).toBe("plain value");
    expect(trailers?.get("t-x-data-bin")).toEqual(bin);
    expect(headers?.has("content-type")).toBe(false);
    expect(trailers?.has("grpc-status")).toBe(false);
  });
});

describe("deadlines and cancellation", () => {
  it("a deadline already passed fails at once without a request", async () => {
    const err = await rejection(client.unary(Methods.unary, { text: "x", n: 0 }, { deadline: new Date(Date.now() - 1000) }));
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(err.message).toMatch(/before the call started/);
  });

  it("a deadline that expires during the call says where the time went", async () => {
    const err = await rejection(client.unary(Methods.unary, { text: "sleep:2000", n: 0 }, { timeoutMs: 100 }));
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(err.message).toMatch(/deadline of 100 ms exceeded/);
    expect(err.message).toMatch(/waiting for response headers|receiving/);
  });

  it("the server sees the deadline (grpc-timeout) and the channel stays usable", async () => {
    const err = await rejection(client.unary(Methods.unary, { text: "sleep:1000", n: 0 }, { deadline: new Date(Date.now() + 50) }));
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(await client.unary(Methods.unary, { text: "after", n: 0 }, { timeoutMs: 5000 })).toEqual({ text: "after", n: 0 });
  });

  it("deadline during a server stream", async () => {
    const call = client.serverStreaming(Methods.serverStream, { text: "count:100", n: 50 }, { timeoutMs: 150 });
    const got: Echo[] = [];
    const err = await rejection(
      (async () => {
        for await (const m of call) got.push(m);
      })(),
    );
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(got.length).toBeLessThan(100);
  });

  it("an AbortSignal aborted before the call", async () => {
    const ac = new AbortController();
    ac.abort(new Error("user gave up"));
    const err = await rejection(client.unary(Methods.unary, { text: "x", n: 0 }, { signal: ac.signal }));
    expect(err.code).toBe(Status.CANCELLED);
    expect(err.message).toMatch(/user gave up/);
  });

  it("an AbortSignal aborted during the call", async () => {
    const ac = new AbortController();
    const p = client.unary(Methods.unary, { text: "sleep:2000", n: 0 }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const err = await rejection(p);
    expect(err.code).toBe(Status.CANCELLED);
  });

  it("cancel() on a bidi call and leaving a server stream early", async () => {
    const bidi = client.bidiStreaming(Methods.bidi);
    await bidi.write({ text: "a", n: 0 });
    bidi.cancel();
    const err = await rejection(collect(bidi));
    expect(err.code).toBe(Status.CANCELLED);
    await expect(bidi.write({ text: "b", n: 0 })).rejects.toBeInstanceOf(GrpcError);

    const stream = client.serverStreaming(Methods.serverStream, { text: "count:1000", n: 1 });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    expect(n).toBe(3);
    expect(await client.unary(Methods.unary, { text: "still fine", n: 0 })).toEqual({ text: "still fine", n: 0 });
  });
});

describe("interceptors", () => {
  it("run in order, add metadata, observe responses", async () => {
    const log: string[] = [];
    const mk =
      (name: string): ClientInterceptor =>
      (next) =>
      async (req) => {
        log.push(`${name}>`);
        req.metadata.set(`x-${name}`, name);
        const res = await next(req);
        log.push(`<${name}`);
        return res;
      };
    const c = new Client(channel, { interceptors: [mk("a"), mk("b")] });
    let headers: Metadata | undefined;
    const r = await c.unary(Methods.unary, { text: "i", n: 0 }, { onHeader: (h) => (headers = h) });
    expect(r.text).toBe("i");
    expect(log).toEqual(["a>", "b>", "<b", "<a"]);
    expect(headers?.get("x-a")).toBe("a");
    expect(headers?.get("x-b")).toBe("b");
  });

  it("short-circuit without calling the server", async () => {
    let called = false;
    const deny: ClientInterceptor = () => async () => {
      throw new GrpcError(Status.UNAUTHENTICATED, "no token");
    };
    const spy: ClientInterceptor = (next) => async (req) => {
      called = true;
      return next(req);
    };
    const c = new Client(channel, { interceptors: [deny, spy] });
    const err = await rejection(c.unary(Methods.unary, { text: "", n: 0 }));
    expect(err.code).toBe(Status.UNAUTHENTICATED);
    expect(called).toBe(false);
  });

  it("retry on UNAVAILABLE", async () => {
    let attempts = 0;
    const flaky: ClientInterceptor = (next) => async (req) => {
      if (++attempts < 3) throw new GrpcError(Status.UNAVAILABLE, "flaky");
      return next(req);
    };
    const retry: ClientInterceptor = (next) => async (req) => {
      for (let i = 0; ; i++) {
        try {
          return await next(req);
        } catch (err) {
          if (!(err instanceof GrpcError) || err.code !== Status.UNAVAILABLE || i >= 4) throw err;
        }
      }
    };
    const c = new Client(channel, { interceptors: [retry, flaky] });
    expect(await c.unary(Methods.unary, { text: "r", n: 0 })).toEqual({ text: "r", n: 0 });
    expect(attempts).toBe(3);
  });

  it("work for all four kinds and can transform streamed messages", async () => {
    const kinds: string[] = [];
    const upper: ClientInterceptor = (next) => async (req) => {
      kinds.push(req.method.kind);
      const res = await next(req);
      if (res.messages === undefined) return res;
      const inner = res.messages as AsyncIterable<Echo>;
      return {
        ...res,
        messages: (async function* () {
          for await (const m of inner) yield { ...m, text: m.text.toUpperCase() };
        })(),
      };
    };
    const c = new Client(channel, { interceptors: [upper] });
    await c.unary(Methods.unary, { text: "u", n: 0 });
    expect((await collect(c.serverStreaming(Methods.serverStream, { text: "count:2", n: 0 }))).map((m) => m.text)).toEqual(["COUNT:2", "COUNT:2"]);
    const cs = c.clientStreaming(Methods.clientStream);
    await cs.write({ text: "z", n: 0 });
    expect((await cs.closeAndRecv()).text).toBe("z");
    const bidi = c.bidiStreaming(Methods.bidi);
    await bidi.write({ text: "q", n: 0 });
    bidi.end();
    expect((await collect(bidi)).map((m) => m.text)).toEqual(["Q"]);
    expect(kinds).toEqual(["unary", "server_streaming", "client_streaming", "bidi_streaming"]);
  });
});
