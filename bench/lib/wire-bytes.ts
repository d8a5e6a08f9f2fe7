// Pre-encoded gRPC bodies for the floor server and h2load, built without our codec or wire code
// (PROTOCOL-HTTP2 "Length-Prefixed-Message"; protobuf.dev "Encoding"), so those contenders do no
// gRPC work of ours.

/** Every benchmark payload body is this byte repeated: any contender can check it cheaply. */
export const FILL = 0x61;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** bench.Payload{body: size × FILL}, encoded (no gRPC prefix). */
export function payloadMessage(size: number): Buffer {
  if (size === 0) return Buffer.alloc(0);
  const head = [0x0a, ...varint(size)];
  const buf = Buffer.alloc(head.length + size, FILL);
  buf.set(head, 0);
  return buf;
}

/** bench.StreamRequest{count, size}, encoded. */
export function streamRequestMessage(count: number, size: number): Buffer {
  const bytes: number[] = [];
  if (count !== 0) bytes.push(0x08, ...varint(count));
  if (size !== 0) bytes.push(0x10, ...varint(size));
  return Buffer.from(bytes);
}

/** bench.StreamSummary{count, bytes}, encoded. */
export function streamSummaryMessage(count: number, bytes: number): Buffer {
  const out: number[] = [];
  if (count !== 0) out.push(0x08, ...varint(count));
  if (bytes !== 0) out.push(0x10, ...varint(bytes));
  return Buffer.from(out);
}

/** One gRPC length-prefixed message: flag 0, 4-byte big-endian length, the bytes. */
export function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/** `count` framed copies of `message`, back to back (a client-streaming request body). */
export function frames(message: Buffer, count: number): Buffer {
  const one = frame(message);
  const out = Buffer.allocUnsafe(one.length * count);
  for (let i = 0; i < count; i++) one.copy(out, i * one.length);
  return out;
}

/** Decodes bench.StreamRequest (two varint fields; other fields skipped only if varint). */
export function parseStreamRequest(msg: Uint8Array): { count: number; size: number } {
  let count = 0;
  let size = 0;
  let i = 0;
  while (i < msg.length) {
    const tag = msg[i++];
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = msg[i++];
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80 || i >= msg.length) break;
    }
    if (tag === 0x08) count = v;
    else if (tag === 0x10) size = v;
  }
  return { count, size };
}

function lenField(field: number, b: Buffer): number[] {
  return [(field << 3) | 2, ...varint(b.length), ...b];
}

/** user.User{id, username, email, full_name, role, created_at, updated_at}, encoded (the floor's canned user). */
export function userMessage(u: { id: string; username: string; email: string; fullName: string; role: number; createdAt: number; updatedAt: number }): Buffer {
  return Buffer.from([
    ...lenField(1, Buffer.from(u.id)),
    ...lenField(2, Buffer.from(u.username)),
    ...lenField(3, Buffer.from(u.email)),
    ...lenField(4, Buffer.from(u.fullName)),
    0x28, ...varint(u.role),
    0x30, ...varint(u.createdAt),
    0x38, ...varint(u.updatedAt),
  ]);
}

/**
 * The least a server can do to answer CreateUser: the request's fields (CreateUserRequest username 1,
 * email 2, full_name 3, role 4) copied under the User's numbers (2, 3, 4, 5), after a canned id and
 * before canned timestamps. Returns the framed response, or undefined for a request it cannot walk.
 */
export function cannedCreatedUser(request: Buffer, idField: Buffer, timesField: Buffer): Buffer | undefined {
  const out = Buffer.allocUnsafe(5 + idField.length + request.length + timesField.length);
  let o = 5;
  o += idField.copy(out, o);
  let i = 0;
  while (i < request.length) {
    const tag = request[i++];
    if (tag >= 0x80) return undefined; // fields 1-4 only: one-byte tags
    const field = tag >> 3;
    out[o++] = ((field + 1) << 3) | (tag & 7);
    const start = i;
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = request[i++];
      if (b === undefined) return undefined;
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    if ((tag & 7) === 0) {
      o += request.copy(out, o, start, i);
      continue;
    }
    if ((tag & 7) !== 2 || i + n > request.length) return undefined;
    o += request.copy(out, o, start, i + n);
    i += n;
  }
  o += timesField.copy(out, o);
  out[0] = 0;
  out.writeUInt32BE(o - 5, 1);
  return out.subarray(0, o);
}
