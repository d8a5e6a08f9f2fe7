// Checks "CompressedResponse" of grpc/grpc doc/interop-test-descriptions.md on the wire: the
// compressed flag of each response message (PROTOCOL-HTTP2 "Length-Prefixed-Message"), which no
// interop client we run can see. A raw node:http2 client asks for gzip-accepting calls and reads
// the flags. Used by test/interop/matrix.ts.
import http2 from "node:http2";
import { readFileSync } from "node:fs";
import path from "node:path";
import { SimpleRequestCodec, StreamingOutputCallRequestCodec } from "../../src/schema/interop.js";
import type { SimpleRequest, StreamingOutputCallRequest } from "../../src/schema/interop.js";

function frame(body: Buffer): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.writeUInt32BE(body.length, 1);
  body.copy(out, 5);
  return out;
}

/** Sends one request message and returns the compressed flag of every response message, and the status. */
function call(port: number, tls: boolean, certsDir: string, method: string, body: Buffer): Promise<{ flags: number[]; status: string }> {
  return new Promise((resolve, reject) => {
    const session = tls
      ? http2.connect(`https://localhost:${port}`, { ca: readFileSync(path.join(certsDir, "ca.pem")), servername: "foo.test.google.fr" })
      : http2.connect(`http://localhost:${port}`);
    session.on("error", reject);
    const req = session.request({
      ":method": "POST",
      ":path": `/grpc.testing.TestService/${method}`,
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-accept-encoding": "gzip",
    });
    const chunks: Buffer[] = [];
    let status = "";
    req.on("response", (h) => {
      if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]);
    });
    req.on("trailers", (t) => (status = String(t["grpc-status"])));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", reject);
    req.on("end", () => {
      session.close();
      const all = Buffer.concat(chunks);
      const flags: number[] = [];
      for (let at = 0; at + 5 <= all.length; at += 5 + all.readUInt32BE(at + 1)) flags.push(all[at]);
      resolve({ flags, status });
    });
    req.end(frame(body));
  });
}

export interface FlagCheck {
  name: string;
  want: number[];
  got: number[];
  status: string;
}

/** The unary and streaming CompressedResponse checks against one server. */
export async function probeCompressedResponses(port: number, tls: boolean, certsDir: string): Promise<FlagCheck[]> {
  const big = { type: 0, body: new Uint8Array(0) };
  const unary = (value: boolean): SimpleRequest => SimpleRequestCodec.create({ responseSize: 31415, payload: big, responseCompressed: { value } });
  const out: FlagCheck[] = [];
  for (const value of [true, false]) {
    const r = await call(port, tls, certsDir, "UnaryCall", SimpleRequestCodec.encode(unary(value)));
    out.push({ name: `server_compressed_unary response_compressed=${value}`, want: [value ? 1 : 0], got: r.flags, status: r.status });
  }
  const streaming: StreamingOutputCallRequest = StreamingOutputCallRequestCodec.create({
    responseParameters: [
      { size: 31415, intervalUs: 0, compressed: { value: true } },
      { size: 92653, intervalUs: 0, compressed: { value: false } },
    ],
  });
  const r = await call(port, tls, certsDir, "StreamingOutputCall", StreamingOutputCallRequestCodec.encode(streaming));
  out.push({ name: "server_compressed_streaming compressed=[true,false]", want: [1, 0], got: r.flags, status: r.status });
  return out;
}
