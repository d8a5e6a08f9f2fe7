// Implements protobuf.dev "Encoding" § "Message Structure" (https://protobuf.dev/programming-guides/encoding/#structure): wire types and tags.

/** The wire types of the protobuf binary format. 3 and 4 (groups) are deprecated: skipped as unknown fields (Reader.skip). */
export const WireType = {
  /** int32, int64, uint32, uint64, sint32, sint64, bool, enum */
  VARINT: 0,
  /** fixed64, sfixed64, double */
  I64: 1,
  /** string, bytes, embedded messages, packed repeated fields, map entries */
  LEN: 2,
  /** group start (deprecated: skipped as an unknown field) */
  SGROUP: 3,
  /** group end (deprecated: ends a skipped group) */
  EGROUP: 4,
  /** fixed32, sfixed32, float */
  I32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** The tag of a field, `(field << 3) | wireType`, as an unsigned 32-bit number: the one way tags are spelled. */
export function tagOf(field: number, wireType: WireType): number {
  return ((field << 3) | wireType) >>> 0;
}
