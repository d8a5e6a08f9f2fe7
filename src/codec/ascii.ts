// Implements protobuf.dev "Encoding" § "Length-Delimited Records" (https://protobuf.dev/programming-guides/encoding/#length-types) for short ASCII strings: the decoder's fast path for `string` fields of at most 12 bytes.

/** ASCII strings up to this many bytes are built in JS (see asciiShort), longer ones natively
 *  (one native call costs about as much as building 12 characters in JS). */
export const SHORT_STRING = 12;

/** Decodes the 1..12 ASCII bytes at [i, end) in one String.fromCharCode call (one flat string,
 *  no intermediate ones). The caller has checked that they are ASCII. */
export function asciiShort(b: Buffer, i: number, end: number): string {
  switch (end - i) {
    case 1:
      return String.fromCharCode(b[i]);
    case 2:
      return String.fromCharCode(b[i], b[i + 1]);
    case 3:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2]);
    case 4:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3]);
    case 5:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4]);
    case 6:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5]);
    case 7:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6]);
    case 8:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7]);
    case 9:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8]);
    case 10:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9]);
    case 11:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10]);
    default:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11]);
  }
}
