// One gRPC call over a bare node:http2 session, for the harness's preflight checks: the exact
// response bytes a fixed request gets (h2load then checks every call against that size) and its
// grpc-status (PROTOCOL-HTTP2 "Responses").
import http2 from "node:http2";

export interface RawResponse {
  status: string | undefined;
  message: string | undefined;
  data: Buffer;
}

export function rawCall(port: number, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const s = http2.connect(`http://127.0.0.1:${port}`);
    s.on("error", reject);
    const req = s.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let message: string | undefined;
    const take = (h: http2.IncomingHttpHeaders): void => {
      if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]);
      if (h["grpc-message"] !== undefined) message = String(h["grpc-message"]);
    };
    req.on("response", take);
    req.on("trailers", take);
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      s.close();
      resolve({ status, message, data: Buffer.concat(chunks) });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Splits a response body into its length-prefixed messages (no compression expected). */
export function splitFrames(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 5 <= data.length) {
    const len = data.readUInt32BE(i + 1);
    out.push(data.subarray(i + 5, i + 5 + len));
    i += 5 + len;
  }
  if (i !== data.length) throw new Error(`response body has ${data.length - i} trailing bytes`);
  return out;
}

/** Top-level fields of a protobuf message: varints by value, LEN fields by length (last wins). */
export function fieldSummary(msg: Uint8Array): Map<number, number> {
  const out = new Map<number, number>();
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (i >= msg.length) throw new Error("truncated varint");
      const b = msg[i++];
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return v;
    }
  };
  while (i < msg.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        out.set(field, varint());
        break;
      case 2: {
        const len = varint();
        out.set(field, len);
        i += len;
        break;
      }
      case 1:
        i += 8;
        break;
      case 5:
        i += 4;
        break;
      default:
        throw new Error(`wire type ${tag & 7}`);
    }
  }
  return out;
}
