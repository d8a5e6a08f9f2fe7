// Implements protobuf.dev "Encoding" failure cases (https://protobuf.dev/programming-guides/encoding/): the ways bytes fail to be a message.

/**
 * Why a decode failed. Every malformed input maps to exactly one reason:
 * - `truncated`: the input ends inside a tag, varint or fixed-width value.
 * - `varint-too-long`: a varint runs past 10 bytes (the longest a 64-bit value needs).
 * - `length-overrun`: a length prefix points past the end of the input or of the enclosing message.
 * - `invalid-wire-type`: wire type 6/7 (undefined).
 * - `invalid-group`: an end-group tag (wire type 4) outside a group or naming another field than
 *   its group's start (well-formed groups, wire types 3…4, are skipped as unknown fields).
 * - `field-zero`: a tag names field number 0, which the spec reserves.
 * - `invalid-tag`: a tag's varint holds more than 32 bits (field numbers stop at 2^29 − 1).
 * - `invalid-utf8`: a `string` field holds bytes that are not well-formed UTF-8.
 * - `too-deep`: sub-messages (or groups) nest deeper than {@link MAX_DEPTH}.
 */
export type CodecErrorReason =
  | "truncated"
  | "varint-too-long"
  | "length-overrun"
  | "invalid-wire-type"
  | "invalid-group"
  | "field-zero"
  | "invalid-tag"
  | "invalid-utf8"
  | "too-deep";

/** Thrown by every decoder on malformed input; `offset` is the byte position where it was noticed. */
export class CodecError extends Error {
  override readonly name = "CodecError";
  constructor(
    readonly reason: CodecErrorReason,
    message: string,
    readonly offset: number = -1,
  ) {
    // No stack trace: malformed input is the sender's fault, answered with a status; capturing a
    // stack costs about 4 µs (bench/error-cost.ts) on a path a hostile client chooses.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(offset >= 0 ? `${message} (at byte ${offset})` : message);
    Error.stackTraceLimit = limit;
  }
}

