import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { GrpcError, Metadata, Server, Status, type ServiceImplementation, type StatusCode } from "../../src/server/index.js";
import { EchoService, echo, grpcJsEchoClient, grpcJsUnary, type EchoMessage, type GrpcJsEchoClient } from "../support/echo-service.js";

const MIXED_SIZES = [0, 10, 3000, 5000, 20000, 1, 16000, 7, 4090, 9];

const impl: ServiceImplementation<typeof EchoService> = {
  async Unary(req, ctx) {
    if (req.text.startsWith("fail:")) {
      const [, code, msg] = req.text.split(":");
      throw new GrpcError(Number(code) as StatusCode, msg ?? "");
    }
    if (req.text === "throw") throw new Error("secret internal detail\n at stack");
    if (req.text === "metadata") {
      ctx.responseHeader.set("x-head", "h1").set("x-head-bin", Buffer.from([0, 1, 2, 255]));
      ctx.trailer.set("x-trail", "t1").set("x-trail-bin", Buffer.from([9, 8]));
      const got = ctx.metadata.get("x-in") ?? "";
      const gotBin = ctx.metadata.get("x-in-bin") ?? Buffer.alloc(0);
      return echo({ text: got, payload: gotBin });
    }
    return echo({ text: req.text, payload: req.payload, count: req.count + 1 });
  },
  async ServerStream(req, _ctx, out) {
    if (req.text === "mixed") {
      // Not awaited unless the writer says so: small ones share the write batch (encoded into it),
      // others fill it past its 16 KiB or go alone (src/server/write-batch.ts).
      for (let i = 0; i < req.count; i++) {
        const p = out.write(echo({ text: `m-${i}-é`, payload: Buffer.alloc(MIXED_SIZES[i % MIXED_SIZES.length], i & 255), count: i }));
        if (out.writableNeedDrain) await p;
      }
      return;
    }
    for (let i = 0; i < req.count; i++) await out.write(echo({ text: `${req.text}-${i}`, count: i }));
    if (req.text === "fail-after") throw new GrpcError(Status.ABORTED, "stopped after writing");
  },
  async ClientStream(requests) {
    const texts: string[] = [];
    for await (const r of requests) texts.push(r.text);
    return echo({ text: texts.join(","), count: texts.length });
  },
  async Bidi(requests, _ctx, out) {
    for await (const r of requests) await out.write(echo({ text: r.text.toUpperCase(), count: r.count }));
  },
};

let server: Server;
let client: GrpcJsEchoClient;

beforeAll(async () => {
  server = new Server().addService(EchoService, impl);
  const port = await server.listen({ port: 0 });
  client = grpcJsEchoClient(`127.0.0.1:${port}`);
});

afterAll(async () => {
  client.close();
  await server.shutdown(1000);
});

function collect(stream: grpc.ClientReadableStream<EchoMessage>): Promise<{ messages: EchoMessage[]; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const messages: EchoMessage[] = [];
    stream.on("data", (m: EchoMessage) => messages.push(m));
    stream.on("error", (error: grpc.ServiceError) => resolve({ messages, error }));
    stream.on("end", () => resolve({ messages }));
  });
}

describe("our server with the @grpc/grpc-js client", () => {
  it("answers a unary call", async () => {
    const r = await grpcJsUnary(client, echo({ text: "hi", payload: Buffer.from([1, 2, 3]), count: 41 }));
    expect(r.error).toBeNull();
    expect(r.response?.text).toBe("hi");
    expect(Buffer.from(r.response!.payload)).toEqual(Buffer.from([1, 2, 3]));
    expect(r.response?.count).toBe(42);
    expect(r.status?.code).toBe(grpc.status.OK);
  });

  it("answers an empty message", async () => {
    const r = await grpcJsUnary(client, echo());
    expect(r.error).toBeNull();
    expect(r.response).toMatchObject({ text: "", count: 1 });
  });

  it("streams server responses", async () => {
    const { messages, error } = await collect(client.ServerStream(echo({ text: "s", count: 5 })));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.text)).toEqual(["s-0", "s-1", "s-2", "s-3", "s-4"]);
  });

  it("streams small and large messages written without awaiting, in order and intact", async () => {
    const { messages, error } = await collect(client.ServerStream(echo({ text: "mixed", count: 300 })));
    expect(error).toBeUndefined();
    expect(messages).toHaveLength(300);
    messages.forEach((m, i) => {
      expect([m.text, m.count, m.payload.byteLength]).toEqual([`m-${i}-é`, i, MIXED_SIZES[i % MIXED_SIZES.length]]);
      expect(m.payload.every((b) => b === (i & 255))).toBe(true);
    });
  });

  it("streams zero server responses", async () => {
    const { messages, error } = await collect(client.ServerStream(echo({ text: "none", count: 0 })));
    expect(error).toBeUndefined();
    expect(messages).toEqual([]);
  });

  it("sends an error status after streamed messages", async () => {
    const { messages, error } = await collect(client.ServerStream(echo({ text: "fail-after", count: 2 })));
    expect(messages).toHaveLength(2);
    expect(error?.code).toBe(grpc.status.ABORTED);
    expect(error?.details).toBe("stopped after writing");
  });

  it("collects a client stream", async () => {
    const res = await new Promise<EchoMessage>((resolve, reject) => {
      const call = client.ClientStream(new grpc.Metadata(), {}, (err, r) => (err ? reject(err) : resolve(r!)));
      for (const t of ["a", "b", "c"]) call.write(echo({ text: t }));
      call.end();
    });
    expect(res).toMatchObject({ text: "a,b,c", count: 3 });
  });

  it("collects an empty client stream", async () => {
    const res = await new Promise<EchoMessage>((resolve, reject) => {
      const call = client.ClientStream(new grpc.Metadata(), {}, (err, r) => (err ? reject(err) : resolve(r!)));
      call.end();
    });
    expect(res).toMatchObject({ text: "", count: 0 });
  });

  it("echoes a bidi stream in order", async () => {
    const call = client.Bidi();
    const got = collect(call);
    for (let i = 0; i < 20; i++) call.write(echo({ text: `m${i}`, count: i }));
    call.end();
    const { messages, error } = await got;
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `M${i}`));
  });

  it("interleaves bidi request and response (ping-pong)", async () => {
    const call = client.Bidi();
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const next = new Promise<EchoMessage>((resolve) => call.once("data", resolve));
      call.write(echo({ text: `p${i}` }));
      seen.push((await next).text);
    }
    call.end();
    await new Promise((r) => call.on("status", r));
    expect(seen).toEqual(["P0", "P1", "P2"]);
  });

  it("sends every status code and a non-ASCII message", async () => {
    for (let code = 1; code <= 16; code++) {
      const msg = `código ${code} — 失败 ✓ 100% \n done`;
      const r = await grpcJsUnary(client, echo({ text: `fail:${code}:${msg}` }));
      expect(r.error?.code).toBe(code);
      expect(r.error?.details).toBe(msg);
    }
  });

  it("turns a plain Error into UNKNOWN without a stack trace, and keeps serving", async () => {
    const r = await grpcJsUnary(client, echo({ text: "throw" }));
    expect(r.error?.code).toBe(grpc.status.UNKNOWN);
    expect(r.error?.details).not.toContain("at stack\n");
    const ok = await grpcJsUnary(client, echo({ text: "after" }));
    expect(ok.response?.text).toBe("after");
  });

  it("carries ASCII and binary metadata in headers and trailers", async () => {
    const md = new grpc.Metadata();
    md.set("x-in", "hello");
    md.set("x-in-bin", Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    const r = await grpcJsUnary(client, echo({ text: "metadata" }), md);
    expect(r.error).toBeNull();
    expect(r.response?.text).toBe("hello");
    expect(Buffer.from(r.response!.payload)).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(r.headers?.get("x-head")).toEqual(["h1"]);
    expect(r.headers?.get("x-head-bin")).toEqual([Buffer.from([0, 1, 2, 255])]);
    expect(r.status?.metadata.get("x-trail")).toEqual(["t1"]);
    expect(r.status?.metadata.get("x-trail-bin")).toEqual([Buffer.from([9, 8])]);
  });

  it("answers UNIMPLEMENTED for an unknown method and service", async () => {
    const Ctor = grpc.makeGenericClientConstructor(
      {
        Nope: { ...(await import("../support/echo-service.js")).grpcJsEchoDefinition.Unary, path: "/test.Echo/Nope" },
        Other: { ...(await import("../support/echo-service.js")).grpcJsEchoDefinition.Unary, path: "/other.Svc/X" },
      },
      "x",
    );
    const c = new Ctor(client.getChannel().getTarget().replace(/^dns:/, ""), grpc.credentials.createInsecure()) as unknown as Record<
      string,
      (req: EchoMessage, cb: (e: grpc.ServiceError | null) => void) => void
    >;
    const e1 = await new Promise<grpc.ServiceError | null>((r) => c.Nope(echo(), r));
    const e2 = await new Promise<grpc.ServiceError | null>((r) => c.Other(echo(), r));
    expect(e1?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(e1?.details).toContain("Nope");
    expect(e2?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(e2?.details).toContain("other.Svc");
    (c as unknown as grpc.Client).close();
  });
});

describe("Metadata API on the server", () => {
  it("exposes request metadata without reserved headers", async () => {
    let keys: string[] = [];
    const s = new Server().addService(EchoService, {
      ...impl,
      async Unary(req, ctx) {
        keys = ctx.metadata.keys();
        return req;
      },
    });
    const port = await s.listen();
    const c = grpcJsEchoClient(`127.0.0.1:${port}`);
    const md = new grpc.Metadata();
    md.set("x-custom", "1");
    await grpcJsUnary(c, echo({ text: "k" }), md);
    c.close();
    await s.shutdown(100);
    expect(keys).toContain("x-custom");
    expect(keys.some((k) => k.startsWith(":") || k.startsWith("grpc-") || k === "content-type" || k === "te")).toBe(false);
    expect(new Metadata().set("a", "b").get("a")).toBe("b");
  });
});
