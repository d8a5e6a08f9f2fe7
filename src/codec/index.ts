// Implements protobuf.dev "Encoding" (https://protobuf.dev/programming-guides/encoding/): the public surface of the codec package.

export type { MessageCodec, CodecParts, Codec } from "./codec.js";
export { defineCodec, encodeWith } from "./codec.js";
export { CodecError } from "./errors.js";
export type { CodecErrorReason } from "./errors.js";
export { WireType, tagOf } from "./wire-types.js";
export { defineMessage, enumName } from "./message.js";
export type { FastPath, MessageType } from "./message.js";
export type { FieldRow, InferMessage, MessageOf } from "./message-type.js";
export type { FieldDecl, FieldOf, ScalarType, SubMessage } from "./fields.js";
export { Reader, MAX_DEPTH } from "./reader.js";
export type { MessageReader } from "./reader.js";
export {
  Writer,
  sizeVarint32,
  sizeVarintNumber,
  sizeTag,
  sizeInt32,
  sizeUint32,
  sizeSint32,
  sizeUint64,
  sizeInt64,
  sizeSint64,
  sizeString,
  sizeBytes,
  sizeMessage,
  utf8Length,
} from "./writer.js";
export type { MessageWriter } from "./writer.js";
export { decodeRaw, decodeRawFields, encodeRaw, formatRaw } from "./raw.js";
export type { RawField, RawResult } from "./raw.js";
