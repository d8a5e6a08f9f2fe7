// Implements protobuf.dev "Language Guide (proto3)" § "Scalar Value Types" and "Default Field Values" in TypeScript's type system: a message's TypeScript type, read by the compiler from its field table (no code generation).

import type { ScalarType, SubMessage } from "./fields.js";
import type { Reader } from "./reader.js";

/** "full_name" → "fullName": the property a .proto field name becomes (as `propertyName` in fields.ts). */
export type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

type Int64Type = "int64" | "uint64" | "sint64" | "fixed64" | "sfixed64";

/** The TypeScript value of a .proto scalar (or enum), as `SCALARS` in scalars.ts reads and writes it. */
export type ScalarValue<T> = T extends "string"
  ? string
  : T extends "bool"
    ? boolean
    : T extends "bytes"
      ? Uint8Array
      : T extends Int64Type
        ? bigint
        : number; // double, float, the 32-bit integers, enums (open: unknown numbers are kept)

/**
 * A row of a table that {@link InferMessage} can read: like {@link FieldDecl}, but each `type`
 * comes with exactly what it needs (an enum its full name, a message its codec, a map its types).
 */
export type FieldRow = {
  readonly no: number;
  readonly name: string;
  readonly oneof?: string;
  readonly presence?: "explicit";
  readonly repeated?: true;
  readonly packed?: false;
} & (
  | { readonly type: ScalarType }
  | { readonly type: "enum"; readonly enum: string }
  | { readonly type: "message"; readonly message: () => SubMessage<unknown> }
  | { readonly type: "map"; readonly key: "string"; readonly value: ScalarType }
);

/** One value of the field (an element, for a repeated field). */
type Single<R> = R extends { type: "message"; message: () => { read(r: Reader): infer M } }
  ? M
  : R extends { type: "map"; value: infer V }
    ? Record<string, ScalarValue<V>>
    : R extends { type: infer T }
      ? ScalarValue<T>
      : never;

type Value<R> = R extends { repeated: true } ? Single<R>[] : Single<R>;

/** Absent until set: a singular sub-message, a oneof member, an `optional` (explicit presence) field. */
type Optional<R> = R extends { repeated: true }
  ? false
  : R extends { type: "message" } | { oneof: string } | { presence: "explicit" }
    ? true
    : false;

// One object type, so editors show `{ fullName: string; … }` rather than the intersection below.
type Flat<T> = T extends infer O ? { [K in keyof O]: O[K] } : never;

/**
 * The message type a field table declares: one property per row (lowerCamelCase), typed by the
 * row's type, optional where the field has presence, plus the unknown fields in `$unknown`.
 * `InferMessage<typeof table>` for `[{ no: 1, name: "full_name", type: "string" }]` is
 * `{ fullName: string; $unknown?: Uint8Array }`.
 */
export type InferMessage<F extends readonly FieldRow[]> = Flat<
  { [R in F[number] as Optional<R> extends true ? never : Camel<R["name"]>]: Value<R> } & {
    [R in F[number] as Optional<R> extends true ? Camel<R["name"]> : never]?: Value<R>;
  } & { $unknown?: Uint8Array }
>;

/** The message type of a codec: `export type User = MessageOf<typeof UserCodec>`. */
export type MessageOf<C> = C extends { read(r: Reader): infer T } ? T : never;
