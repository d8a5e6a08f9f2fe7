// Implements protobuf.dev "Language Guide (proto3)" § "Scalar Value Types" and "Encoding" (https://protobuf.dev/programming-guides/encoding/): the rows of the field table a message is declared with, as the runtime reads them, and the check of a table against a hand-written type (message-type.ts reads the type from the table instead).

import type { Reader } from "./reader.js";
import type { Writer } from "./writer.js";

/** The .proto scalar types, by their .proto names. */
export type ScalarType =
  | "double"
  | "float"
  | "int32"
  | "int64"
  | "uint32"
  | "uint64"
  | "sint32"
  | "sint64"
  | "fixed32"
  | "fixed64"
  | "sfixed32"
  | "sfixed64"
  | "bool"
  | "string"
  | "bytes";

/** What a message field needs from the codec of its type (a {@link Codec} has all of it). */
export interface SubMessage<T> {
  readonly typeName: string;
  size(message: T): number;
  write(message: T, w: Writer): void;
  read(r: Reader): T;
  maxSize?(message: T): number;
}

/**
 * One row of a message's field table: the .proto field, as written in the .proto file.
 * - `name`: the .proto name (snake_case); the TypeScript property is its lowerCamelCase form
 *   (`full_name` → `fullName`), as protoc's JSON name and protobufjs spell it.
 * - `type`: a scalar, `"enum"` (with the enum's full name), `"message"` (with a thunk returning its
 *   codec, so a message may refer to itself or to one declared later) or `"map"` (with key and value types).
 * - `repeated`: a repeated field; scalars are packed unless `packed: false` (proto3's default).
 * - `oneof`: the name of the oneof it belongs to (flattened: at most one member is set, the others absent).
 * - `presence: "explicit"`: written whenever set (`!== undefined`), even at its default: proto2
 *   `optional` and proto3 `optional`. Oneof members and message fields always have it.
 */
export interface FieldDecl {
  readonly no: number;
  readonly name: string;
  readonly type: ScalarType | "enum" | "message" | "map";
  readonly repeated?: true;
  readonly packed?: false;
  readonly oneof?: string;
  readonly presence?: "explicit";
  readonly enum?: string;
  readonly message?: () => SubMessage<unknown>;
  readonly key?: ScalarType;
  readonly value?: ScalarType;
}

// ---- Type-checking a table against a hand-written type (defineMessage<T>: descriptor.ts) ---------

/** "fullName" → "full_name": the .proto name a lowerCamelCase property comes from. */
export type Snake<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${Snake<Rest>}`
  : S;

type NumberType = "double" | "float" | "int32" | "uint32" | "sint32" | "fixed32" | "sfixed32";
type BigintType = "int64" | "uint64" | "sint64" | "fixed64" | "sfixed64";

/** The .proto types a TypeScript value type can be declared as. */
type TypeOf<V> = [V] extends [Uint8Array]
  ? { type: "bytes" }
  : [V] extends [string]
    ? { type: "string" }
    : [V] extends [boolean]
      ? { type: "bool" }
      : [V] extends [bigint]
        ? { type: BigintType }
        : [V] extends [number]
          ? { type: NumberType } | { type: "enum"; enum: string }
          : string extends keyof V
            ? { type: "map"; key: "string"; value: ScalarOf<V[keyof V]> }
            : { type: "message"; message: () => SubMessage<V> };

type ScalarOf<V> = [V] extends [string] ? "string" : [V] extends [boolean] ? "bool" : [V] extends [bigint] ? BigintType : [V] extends [number] ? NumberType : "bytes";

interface Common<N extends string> {
  no: number;
  name: N;
  oneof?: string;
  presence?: "explicit";
}

type DeclFor<N extends string, V> = V extends readonly (infer E)[]
  ? Common<N> & TypeOf<E> & { repeated: true; packed?: false }
  : Common<N> & TypeOf<V>;

type Props<T> = Exclude<keyof T, "$unknown"> & string;

/** A row of `T`'s table: its name is one of T's properties in snake_case, its type fits that property. */
export type FieldOf<T> = { [K in Props<T>]-?: DeclFor<Snake<K>, NonNullable<T[K]>> }[Props<T>];

/** The TypeScript property of a .proto field name: "full_name" → "fullName" (protoc's JSON name rule). */
export function propertyName(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
