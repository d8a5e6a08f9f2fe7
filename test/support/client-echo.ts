// Test support for test/client and test/transport: an echo message codec and a @grpc/grpc-js echo server.
import * as grpc from "@grpc/grpc-js";
import type { ClientMethod, MethodKind } from "../../src/client/index.js";

/** The test message: `message Echo { string text = 1; int32 n = 2; }`. */
export interface Echo {
  text: string;
  n: number;
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function writeVarint(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** A hand-written codec for {@link Echo}, with the `reserve` contract of src/codec. */
export const EchoCodec = {
  typeName: "test.Echo",
  create(init?: Partial<Echo>): Echo {
    return { text: "", n: 0, ...init };
  },
  encode(m: Echo, reserve = 0): Buffer {
    const text = Buffer.from(m.text ?? "", "utf8");
    const n = m.n ?? 0;
    let size = 0;
    if (text.length > 0) size += 1 + varintSize(text.length) + text.length;
    if (n !== 0) size += 1 + varintSize(n >>> 0);
    const buf = Buffer.allocUnsafe(reserve + size);
    let pos = reserve;
    if (text.length > 0) {
      buf[pos++] = 0x0a;
      pos = writeVarint(buf, pos, text.length);
      text.copy(buf, pos);
      pos += text.length;
    }
    if (n !== 0) {
      buf[pos++] = 0x10;
      pos = writeVarint(buf, pos, n >>> 0);
    }
    return buf;
  },
  decode(bytes: Uint8Array): Echo {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: Echo = { text: "", n: 0 };
    let pos = 0;
    const varint = (): number => {
      let v = 0;
      let mul = 1;
      for (;;) {
        if (pos >= b.length) throw new Error("truncated varint");
        const c = b[pos++];
        v += (c & 0x7f) * mul;
        if (c < 0x80) return v;
        mul *= 128;
      }
    };
    while (pos < b.length) {
      const tag = varint();
      if (tag === 0x0a) {
        const len = varint();
        if (pos + len > b.length) throw new Error("truncated string");
        out.text = b.toString("utf8", pos, pos + len);
        pos += len;
      } else if (tag === 0x10) {
        out.n = varint() | 0;
      } else {
        throw new Error(`unexpected tag ${tag}`);
      }
    }
    return out;
  },
};

export function echoMethod(name: string, kind: MethodKind): ClientMethod<Echo, Echo> {
  return { path: `/test.Echo/${name}`, kind, requestCodec: EchoCodec, responseCodec: EchoCodec };
}

export const Methods = {
  unary: echoMethod("Unary", "unary"),
  serverStream: echoMethod("ServerStream", "server_streaming"),
  clientStream: echoMethod("ClientStream", "client_streaming"),
  bidi: echoMethod("Bidi", "bidi_streaming"),
};

const ser = (m: Echo): Buffer => EchoCodec.encode(m);
const de = (b: Buffer): Echo => EchoCodec.decode(b);

function def(path: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Echo, Echo> {
  return { path, requestStream, responseStream, requestSerialize: ser, requestDeserialize: de, responseSerialize: ser, responseDeserialize: de };
}

export const echoServiceDefinition: grpc.ServiceDefinition = {
  Unary: def("/test.Echo/Unary", false, false),
  ServerStream: def("/test.Echo/ServerStream", false, true),
  ClientStream: def("/test.Echo/ClientStream", true, false),
  Bidi: def("/test.Echo/Bidi", true, true),
};

/** Request metadata `x-*` is echoed in response headers, and as `t-x-*` in trailers. */
function echoMetadata(incoming: grpc.Metadata): { headers: grpc.Metadata; trailers: grpc.Metadata } {
  const headers = new grpc.Metadata();
  const trailers = new grpc.Metadata();
  for (const [k, v] of Object.entries(incoming.getMap())) {
    if (!k.startsWith("x-")) continue;
    headers.set(k, v);
    trailers.set(`t-${k}`, v);
  }
  return { headers, trailers };
}

/**
 * Status requested by the client: metadata `x-fail-code` (number) and `x-fail-message`; optional
 * `x-fail-details-bin` is sent verbatim as grpc-status-details-bin.
 */
function requestedError(md: grpc.Metadata, trailers: grpc.Metadata): Partial<grpc.StatusObject> | undefined {
  const code = md.get("x-fail-code")[0];
  if (code === undefined) return undefined;
  const details = md.get("x-fail-details-bin")[0];
  if (details !== undefined) trailers.set("grpc-status-details-bin", details as Buffer);
  const msg = md.get("x-fail-message")[0];
  return { code: Number(code), details: typeof msg === "string" ? decodeURIComponent(msg) : "", metadata: trailers };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Request texts: "sleep:N" waits N ms before answering; "big:N" answers with N bytes of text;
 * "count:N" (server streaming) sends N messages. Anything else is echoed.
 */
async function answer(req: Echo): Promise<Echo> {
  if (req.text.startsWith("sleep:")) await sleep(Number(req.text.slice(6)));
  if (req.text.startsWith("big:")) return { text: "x".repeat(Number(req.text.slice(4))), n: req.n };
  return req;
}

export const echoImplementation: grpc.UntypedServiceImplementation = {
  Unary(call: grpc.ServerUnaryCall<Echo, Echo>, cb: grpc.sendUnaryData<Echo>) {
    const { headers, trailers } = echoMetadata(call.metadata);
    call.sendMetadata(headers);
    const err = requestedError(call.metadata, trailers);
    if (err !== undefined) return cb(err);
    answer(call.request).then((r) => cb(null, r, trailers), (e: Error) => cb(e));
  },
  ServerStream(call: grpc.ServerWritableStream<Echo, Echo>) {
    const { headers, trailers } = echoMetadata(call.metadata);
    const err = requestedError(call.metadata, trailers);
    if (err !== undefined) {
      call.emit("error", err);
      return;
    }
    call.sendMetadata(headers);
    const count = call.request.text.startsWith("count:") ? Number(call.request.text.slice(6)) : 3;
    void (async () => {
      for (let i = 0; i < count; i++) {
        if (call.cancelled) return;
        if (call.request.n > 0) await sleep(call.request.n);
        const ok = call.write({ text: call.request.text, n: i });
        if (!ok) await new Promise((r) => call.once("drain", r));
      }
      const after = call.metadata.get("x-fail-after")[0];
      if (after !== undefined) {
        call.emit("error", { code: Number(after), details: "failed after messages", metadata: trailers });
        return;
      }
      call.end(trailers);
    })();
  },
  ClientStream(call: grpc.ServerReadableStream<Echo, Echo>, cb: grpc.sendUnaryData<Echo>) {
    const { headers, trailers } = echoMetadata(call.metadata);
    call.sendMetadata(headers);
    const texts: string[] = [];
    call.on("data", (m: Echo) => texts.push(m.text));
    call.on("end", () => {
      const err = requestedError(call.metadata, trailers);
      if (err !== undefined) return cb(err);
      cb(null, { text: texts.join(","), n: texts.length }, trailers);
    });
  },
  Bidi(call: grpc.ServerDuplexStream<Echo, Echo>) {
    const { headers, trailers } = echoMetadata(call.metadata);
    call.sendMetadata(headers);
    call.on("data", (m: Echo) => {
      void answer(m).then((r) => {
        if (!call.cancelled && call.writable) call.write({ text: r.text, n: r.n + 1 });
      });
    });
    call.on("end", () => call.end(trailers));
  },
};

export interface RunningGrpcJsServer {
  server: grpc.Server;
  port: number;
  target: string;
  close(): Promise<void>;
}

/** Starts the grpc-js echo server on 127.0.0.1 with an OS-chosen port (or `port`). */
export function startGrpcJsEchoServer(
  options: grpc.ServerOptions = {},
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
  port = 0,
  host = "127.0.0.1",
): Promise<RunningGrpcJsServer> {
  const server = new grpc.Server(options);
  server.addService(echoServiceDefinition, echoImplementation);
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, credentials, (err, bound) => {
      if (err !== null) return reject(err);
      resolve({
        server,
        port: bound,
        target: `${host}:${bound}`,
        close: () => new Promise<void>((r) => server.tryShutdown(() => r())),
      });
    });
  });
}
