// Implements RFC 9562 §5.4 (UUID Version 4): random ids, built as one flat string.
//
// Why not crypto.randomUUID: node builds its result by concatenating 20 pieces, so every id is a tree
// of cons strings. A stored user id then keeps a cons wrapper and a flattened copy alive for as long as
// the user exists, and each call that mints a request id leaves the ~20 intermediate pieces to the young
// generation's collector. Here the 36 characters are written into a scratch buffer and read back as one
// sequential string. Randomness comes the same way node's comes: randomFillSync into a pool of 128 ids.

import { randomFillSync } from "node:crypto";

const IDS_PER_FILL = 128;
const pool = Buffer.allocUnsafeSlow(16 * IDS_PER_FILL);
let nextId = IDS_PER_FILL;
const text = Buffer.allocUnsafeSlow(36);
const HEX = Buffer.from("0123456789abcdef", "latin1");

/** A random (version 4, RFC 9562 variant) UUID in its 8-4-4-4-12 lowercase hex form. */
export function randomUuid(): string {
  if (nextId === IDS_PER_FILL) {
    randomFillSync(pool);
    nextId = 0;
  }
  const o = 16 * nextId++;
  pool[o + 6] = (pool[o + 6] & 0x0f) | 0x40; // version 4: the high nibble of octet 6
  pool[o + 8] = (pool[o + 8] & 0x3f) | 0x80; // variant 10xx: the top bits of octet 8
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d; // '-'
    const b = pool[o + i];
    text[at++] = HEX[b >> 4];
    text[at++] = HEX[b & 0x0f];
  }
  return text.toString("latin1", 0, 36);
}
